//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package recorder

import "syscall"

// Elsewhere a pump keeps a read buffer of its own while it waits.
const canWaitReadable = false

func waitReadable(syscall.RawConn) error { return nil }
