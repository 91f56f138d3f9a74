//go:build unix

package recorder

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock (flock) on f, without waiting, and
// reports whether it has it. A recorder holds one on every file it writes,
// for as long as it writes it; the kernel lets go when the process ends,
// kill -9 included. So a file nobody holds is a leftover.
func lockFile(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
