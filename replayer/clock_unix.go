//go:build unix

package replayer

import (
	"syscall"
	"time"
)

// sleepFine sleeps for d with the precision of the system's nanosleep.
func sleepFine(d time.Duration) {
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	syscall.Nanosleep(&ts, nil)
}
