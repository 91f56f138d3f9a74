//go:build linux || darwin || freebsd || dragonfly || aix

package recorder

import "golang.org/x/sys/unix"

// freeBytes is the space an unprivileged writer has left on dir's file
// system. (Statfs_t's field types differ from system to system, and
// OpenBSD's fields have other names: freespace_openbsd.go.)
func freeBytes(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
