//go:build !unix

package main

import "os"

// canWrite creates and removes an empty file in dir: Windows has no access(2)
// that answers for ACLs, so trying is the one faithful check.
func canWrite(dir string) error {
	f, err := os.CreateTemp(dir, ".wsreplay-ready-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
