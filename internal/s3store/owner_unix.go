//go:build unix

package s3store

import (
	"io/fs"
	"os"
	"syscall"
)

// ours reports whether a spool file is one this recorder may have made:
// owned by this process's user, with one name. In a spool other users may
// write in (mode 1777), a file they planted under a recording's name is
// theirs, and is neither uploaded nor removed.
func ours(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Uid == uint32(os.Geteuid()) && st.Nlink == 1
}
