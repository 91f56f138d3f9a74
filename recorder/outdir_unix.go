//go:build unix

package recorder

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// noFollow makes an open fail on a symbolic link rather than follow it.
const noFollow = syscall.O_NOFOLLOW

// syscallNonblock keeps an open of a FIFO planted at --out FILE from waiting
// for a reader; checkOwnFile then refuses it. Regular files ignore it.
const syscallNonblock = syscall.O_NONBLOCK

// ownedByUs reports whether a file belongs to this process's user or to
// root: nobody else may rename, replace or read through what lives in it.
func ownedByUs(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Uid == uint32(os.Geteuid()) || st.Uid == 0
}

// checkOwnFile refuses an --out FILE that someone else could read or has
// planted: it must be a regular file of this user with one link (or a
// character device of root's, such as /dev/null). One that others may read
// is made private (0600).
func checkOwnFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.Mode()&fs.ModeCharDevice != 0 && ok && st.Uid == 0:
		return nil // /dev/null, /dev/full: the system's own
	case !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	case ok && st.Uid != uint32(os.Geteuid()):
		return fmt.Errorf("owned by user %d, not by this one (%d)", st.Uid, os.Geteuid())
	case ok && st.Nlink > 1:
		return fmt.Errorf("has %d hard links; another name could read it", st.Nlink)
	case fi.Mode().Perm()&0o077 != 0:
		return f.Chmod(0o600)
	}
	return nil
}
