//go:build !unix

package main

import (
	"errors"
	"testing"
)

// mkfifo fails: there are no named pipes in the file system here.
func mkfifo(string) error { return errors.ErrUnsupported }

// setUmask skips the test: there is no umask, nor Unix permission bits, here.
func setUmask(t testing.TB, _ int) {
	t.Helper()
	t.Skip("no umask here")
}
