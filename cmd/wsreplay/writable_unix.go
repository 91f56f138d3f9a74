//go:build unix

package main

import "golang.org/x/sys/unix"

// canWrite asks the kernel whether this process may create files in dir.
func canWrite(dir string) error { return unix.Access(dir, unix.W_OK) }
