//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || solaris || illumos

package recorder

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive lock (flock) on f, without waiting, and
// reports whether it has it. A recorder holds one on every file it writes,
// for as long as it writes it; the kernel lets go when the process ends,
// kill -9 included. So a file nobody holds is a leftover.
func lockFile(f *os.File) bool {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil
}
