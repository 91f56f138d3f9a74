package recorder

import (
	"fmt"
	"io/fs"
	"os"
)

// createFlags create a recording file exclusively: never through a symlink
// or over a file someone planted at the name (see checkOutDir).
const createFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL | noFollow

// ErrSharedDir is returned by NewDirSink and NewFileSink for a directory
// that other users may write in and that lacks the sticky bit: they could
// rename, replace or remove the recordings, or plant links for the recorder
// to follow. QueueOptions.AllowSharedDir accepts such a directory.
var ErrSharedDir = fmt.Errorf("owned by another user, or writable by other users and not sticky (chmod o-w,g-w, or chmod +t)")

// checkOutDir refuses a directory owned by another user (but root), and
// one that users other than its owner may write in, unless it has the
// sticky bit (as /tmp does), which keeps them from renaming or removing
// files they do not own.
func checkOutDir(dir string, allowShared bool) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if allowShared || !fi.IsDir() {
		return nil
	}
	if !ownedByUs(fi) {
		return ErrSharedDir // its owner can rename and replace anything in it
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return ErrSharedDir
	}
	return nil
}
