package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// atomicFile is a file written under a temporary name beside its path and
// renamed into place by commit, in litestream's manner: temporary file,
// fsync, rename, fsync the directory. Until commit, a failure or a Ctrl-C
// leaves no half-written file under path. The file keeps CreateTemp's 0600:
// what wsreplay writes comes from a recording, which holds what was said on
// a connection, and a copy must not be easier to read than the original.
type atomicFile struct {
	*os.File
	path string
}

// createAtomic opens a temporary file for path.
func createAtomic(path string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %v", path, cause(err))
	}
	return &atomicFile{File: f, path: path}, nil
}

// commit syncs and closes the file, renames it to its path and syncs the
// directory, so that the name survives a crash too. On an error it removes
// the temporary file.
func (f *atomicFile) commit() error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %v", f.path, cause(err))
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// abort closes and removes the temporary file.
func (f *atomicFile) abort() {
	f.Close()
	os.Remove(f.Name())
}

// writeFileAtomic writes data to path through an atomicFile.
func writeFileAtomic(path string, data []byte) error {
	f, err := createAtomic(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.abort()
		return fmt.Errorf("write %s: %v", path, cause(err))
	}
	return f.commit()
}

// syncDir makes a rename in dir durable. Errors are ignored: some file
// systems cannot sync a directory, and the file itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// cause strips the operation and path an *os.PathError adds, for messages
// that name the path themselves.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
