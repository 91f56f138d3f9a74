//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package recorder

import "syscall"

// Elsewhere a pump keeps a read buffer of its own while it waits.
const canWaitReadable = false

type rawReader struct{}

func newRawReader(syscall.RawConn, *readBuf) *rawReader { return nil }

func (*rawReader) read() (int, error) { panic("unreachable: no raw connections here") }

// peerClosed cannot peek here: no raw connections.
func peerClosed(syscall.RawConn) bool { return false }
