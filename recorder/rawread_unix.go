//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package recorder

import (
	"io"
	"syscall"
)

// The raw read: a pump waits for its socket to become readable before it
// takes a read buffer, so that an idle connection holds none.

const canWaitReadable = true

// rawReader reads from a connection into buf, without holding a buffer
// while there is nothing to read: when the socket has no data, the buffer
// is released before Go's poller waits. One system call per read, as a
// plain Read makes, and no allocation.
type rawReader struct {
	rc  syscall.RawConn
	buf *readBuf
	try func(fd uintptr) bool // r.tryRead, bound once
	n   int
	err error
}

func newRawReader(rc syscall.RawConn, buf *readBuf) *rawReader {
	r := &rawReader{rc: rc, buf: buf}
	r.try = r.tryRead
	return r
}

// tryRead runs inside the poller's callback: false makes it wait for the
// socket to become readable and call again.
func (r *rawReader) tryRead(fd uintptr) bool {
	for {
		r.n, r.err = syscall.Read(int(fd), r.buf.get())
		if r.err != syscall.EINTR {
			break
		}
	}
	if r.err == syscall.EAGAIN {
		r.buf.release() // and let the poller wait for data
		return false
	}
	return true
}

// read reads once into the buffer: io.EOF at the end of the connection.
func (r *rawReader) read() (int, error) {
	err := r.rc.Read(r.try)
	switch {
	case err != nil:
		return 0, err
	case r.err != nil:
		return 0, r.err
	case r.n == 0:
		return 0, io.EOF
	}
	return r.n, nil
}

// peerClosed peeks at the socket: true if the peer's end of stream (or a
// reset) is what a read would get next. It reads nothing.
func peerClosed(rc syscall.RawConn) bool {
	closed := false
	var b [1]byte
	rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		closed = n == 0 && err == nil || err == syscall.ECONNRESET
	})
	return closed
}
