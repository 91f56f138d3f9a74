//go:build !unix

package recorder

import (
	"io/fs"
	"os"
)

// noFollow is 0 where open has no such flag; O_EXCL still refuses any
// existing name, links included.
const noFollow = 0

const syscallNonblock = 0

// ownedByUs cannot tell owners here.
func ownedByUs(fs.FileInfo) bool { return true }

// checkOwnFile checks only that the file is a regular one.
func checkOwnFile(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Mode().IsRegular() {
		return err
	}
	return fs.ErrInvalid
}
