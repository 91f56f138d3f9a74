//go:build unix

package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// mkfifo makes a named pipe at path.
func mkfifo(path string) error { return unix.Mkfifo(path, 0o600) }

// setUmask sets the process's umask for the rest of the test.
func setUmask(t testing.TB, mask int) {
	old := unix.Umask(mask)
	t.Cleanup(func() { unix.Umask(old) })
}
