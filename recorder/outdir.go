package recorder

import (
	"errors"
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

// PrepareDir creates dir (0700) if needed and checks it as NewDirSink
// does: a directory owned by another user, or that other users may write
// in without the sticky bit, is refused with ErrSharedDir unless
// allowShared. A caller that writes in dir before it opens the sink (a
// spool's mark) calls it first.
func PrepareDir(dir string, allowShared bool) error { return makeOutDir(dir, allowShared) }

// makeOutDir creates dir (0700) if needed, and checks it (checkOutDir).
func makeOutDir(dir string, allowShared bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create directory %s: %w", dir, cause(err))
	}
	if err := checkOutDir(dir, allowShared); err != nil {
		return fmt.Errorf("directory %s: %w", dir, err)
	}
	return nil
}

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

// syncFile makes the file at path durable.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|noFollow, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// cause strips the operation and path from a file system error, for
// messages that name the path themselves.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
