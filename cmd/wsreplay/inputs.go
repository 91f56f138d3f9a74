package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// expandPaths turns files and directories into the recording files to read:
// a directory stands for the recordings in it and below it (names with
// ".ndjson" in them, unfinished ones included), in name order. Temporary
// files of a recorder (hidden, or ending in .tmp) are not recordings, and a
// .partial file whose finished file is there too (a recorder stopped between
// the two) is the same session: both are left out.
func expandPaths(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fileError(p, err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if name := d.Name(); !d.IsDir() && strings.Contains(name, ".ndjson") &&
				!strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".tmp") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fileError(p, err)
		}
		slices.Sort(found)
		files = append(files, withoutFinished(found)...)
	}
	return files, nil
}

// withoutFinished leaves out X.ndjson.partial where X.ndjson, X.ndjson.gz
// or X.ndjson.zst is in found.
func withoutFinished(found []string) []string {
	var out []string
	for _, f := range found {
		stem, ok := strings.CutSuffix(f, ".ndjson"+recorder.PartialSuffix)
		if ok && slices.ContainsFunc(found, func(g string) bool {
			return g == stem+".ndjson" || g == stem+".ndjson.gz" || g == stem+".ndjson.zst"
		}) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// fileError words an error opening or reading a named file.
func fileError(path string, err error) error {
	err = cause(err)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file or directory", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied", path)
	}
	return fmt.Errorf("%s: %v", path, err)
}

// eachRecording opens every file in turn as a recording and calls fn with a
// Reader of it. A recording cut short gives a warning on stderr and fn's
// result stands; so do skipped unknown lines.
func eachRecording(paths []string, stderr io.Writer, fn func(path string, r *format.Reader) error) error {
	files, err := expandPaths(paths)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := readRecording(path, stderr, fn); err != nil {
			return err
		}
	}
	return nil
}

func readRecording(path string, stderr io.Writer, fn func(string, *format.Reader) error) error {
	var in io.Reader
	if path == "-" {
		in = os.Stdin
		path = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return fileError(path, err)
		}
		defer f.Close()
		in = f
	}
	r := format.NewReader(in, &format.ReaderOptions{Name: path})
	defer r.Close()
	err := fn(path, r)
	if err == nil && r.Line() == 0 {
		return fmt.Errorf("%s: empty, not a recording", path)
	}
	for typ, n := range r.Unknown() {
		fmt.Fprintf(stderr, "wsreplay: warning: %s: skipped %d lines of unknown type %q (written by a newer wsreplay?)\n", path, n, typ)
	}
	if errors.Is(err, format.ErrTruncated) {
		fmt.Fprintf(stderr, "wsreplay: warning: %v; using the lines before it\n", err)
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileError(path, err)
	}
	return err
}
