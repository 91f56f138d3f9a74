//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package recorder

import "syscall"

const canWaitReadable = true

// waitReadable blocks until the connection has data to read (or has ended),
// without a buffer: it peeks at one byte without taking it, and lets Go's
// poller wait while there is none.
func waitReadable(rc syscall.RawConn) error {
	var b [1]byte
	return rc.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN && err != syscall.EINTR
	})
}
