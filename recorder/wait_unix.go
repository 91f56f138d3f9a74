//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package recorder

import (
	"io"
	"syscall"
)

const canWaitReadable = true

// rawReader reads from a connection into the buffer take returns, without
// holding one while there is nothing to read: when the socket has no data,
// drop gives the buffer back before Go's poller waits. One system call per
// read, as a plain Read makes, and no allocation.
type rawReader struct {
	rc   syscall.RawConn
	take func() []byte
	drop func()
	try  func(fd uintptr) bool // r.tryRead, bound once
	n    int
	err  error
}

func newRawReader(rc syscall.RawConn, take func() []byte, drop func()) *rawReader {
	r := &rawReader{rc: rc, take: take, drop: drop}
	r.try = r.tryRead
	return r
}

func (r *rawReader) tryRead(fd uintptr) bool {
	for {
		r.n, r.err = syscall.Read(int(fd), r.take())
		if r.err != syscall.EINTR {
			break
		}
	}
	if r.err == syscall.EAGAIN {
		r.drop() // and let the poller wait for data
		return false
	}
	return true
}

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
