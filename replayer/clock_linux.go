package replayer

import (
	"syscall"
	"time"
)

// sleepFine sleeps for d with the precision of Linux's nanosleep (tens of
// microseconds late on an idle machine), below the millisecond to which the
// runtime's epoll wait rounds a timer.
func sleepFine(d time.Duration) {
	ts := syscall.NsecToTimespec(d.Nanoseconds())
	syscall.Nanosleep(&ts, nil)
}
