//go:build unix

package recorder

import (
	"testing"

	"golang.org/x/sys/unix"
)

// mkfifo makes a named pipe at path.
func mkfifo(t testing.TB, path string) {
	t.Helper()
	if err := unix.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
}
