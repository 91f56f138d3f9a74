package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// Every command that reads recordings (ls, cat, convert, serve) takes the
// same inputs: files, directories, HAR files, several at once, "-" for
// standard input, s3:// URLs (s3.go) and http:// URLs (http_input.go).

// isRecordingName reports whether a file found in a directory is read as a
// recording: a wsreplay NDJSON file (unfinished .partial ones included) or a
// HAR file. Hidden names are never read: they are temporary files being
// written (".bug.har.tmp-123", the recorder's probes), or not ours.
// A directory is searched for these only; a file named on the command line
// is read whatever its name.
func isRecordingName(name string) bool {
	return format.IsRecordingName(name) || !strings.HasPrefix(name, ".") && strings.HasSuffix(strings.ToLower(name), ".har")
}

// expandPaths turns the inputs named on the command line into the files to
// read: a file as it is, "-" (standard input) as it is, and a directory as
// the recordings in it and below it, in name order. A directory without any
// is an error.
func expandPaths(ctx context.Context, paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		if s3store.IsURL(p) {
			found, err := expandS3(ctx, p, s3store.Window{})
			if err != nil {
				return nil, err
			}
			files = append(files, found...)
			continue
		}
		if isHTTPURL(p) {
			found, err := expandHTTP(ctx, p)
			if err != nil {
				return nil, err
			}
			files = append(files, found...)
			continue
		}
		if p == "-" {
			files = append(files, p)
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fileError(p, err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := findRecordings(p)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	return files, nil
}

func findRecordings(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isRecordingName(d.Name()) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, fileError(dir, err)
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("%s: no recordings in this directory (files named *.ndjson, *.ndjson.gz, *.ndjson.zst, *.partial or *.har)", dir)
	}
	slices.Sort(found)
	return withoutFinished(found), nil
}

// withoutFinished leaves out X.ndjson.partial where X.ndjson, X.ndjson.gz
// or X.ndjson.zst is found too: a recorder stopped between writing the
// finished file and removing the plain one, and both hold one session.
func withoutFinished(found []string) []string {
	have := make(map[string]bool, len(found))
	for _, f := range found {
		have[f] = true
	}
	out := found[:0:0]
	for _, f := range found {
		stem, ok := strings.CutSuffix(f, format.None.Ext()+format.PartialSuffix)
		if ok && (have[stem+format.None.Ext()] || have[stem+format.Gzip.Ext()] || have[stem+format.Zstd.Ext()]) {
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

// recording reads one input as events: wsreplay NDJSON (plain, gzip or
// zstd) or a HAR file, told apart by content.
type recording struct {
	name  string
	r     *format.Reader  // NDJSON; nil for HAR
	harR  *har.Reader     // HAR, read one entry at a time
	har   []*format.Event // the events of the HAR entry being read
	i     int
	warn  func(skipped int) // said at the end of a HAR file
	last  *format.Event
	line  []byte
	empty bool // the input had no byte at all
}

// Next returns the next event, io.EOF at the end.
func (rec *recording) Next() (*format.Event, error) {
	if rec.r != nil {
		e, err := rec.r.Next()
		rec.last = e
		return e, err
	}
	for rec.i >= len(rec.har) {
		if rec.harR == nil {
			return nil, io.EOF
		}
		hs, err := rec.harR.Next()
		if err == io.EOF {
			rec.warn(rec.harR.Skipped())
			rec.harR = nil
		}
		if err != nil {
			return nil, err
		}
		rec.har, rec.i = hs.Events, 0
	}
	rec.i++
	rec.last = rec.har[rec.i-1]
	return rec.last, nil
}

// Raw returns the last event as a wsreplay NDJSON line, without its newline:
// for NDJSON input, the line as it is in the file.
func (rec *recording) Raw() []byte {
	if rec.r != nil {
		return rec.r.Raw()
	}
	rec.line, _ = format.AppendLine(rec.line[:0], rec.last)
	return rec.line[:len(rec.line)-1]
}

// eachRecording opens every input in turn and calls fn with it. A recording
// cut short gives a warning on stderr and fn's result stands; so do skipped
// unknown lines. It stops when ctx ends.
func eachRecording(ctx context.Context, paths []string, stderr io.Writer, fn func(rec *recording) error) error {
	files, err := expandPaths(ctx, paths)
	if err != nil {
		return err
	}
	for _, path := range files {
		if err := readRecording(ctx, path, stderr, nil, fn); err != nil {
			return err
		}
	}
	return nil
}

// readRecording opens path ("-" for standard input) and calls fn with it as
// a recording, then reports what fn's reading met: an empty file, lines of
// unknown types, a torn tail. The bytes read are counted on bar (nil:
// none).
func readRecording(ctx context.Context, path string, stderr io.Writer, bar *progress, fn func(rec *recording) error) error {
	src, name, err := openInput(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	rec, err := openRecording(ctx, bar.reader(src), name, stderr)
	if err != nil {
		return err
	}
	if rec.empty {
		return fmt.Errorf("%s: empty file, not a recording", name)
	}
	if rec.r != nil {
		defer rec.r.Close()
	}
	err = fn(rec)
	if rec.r != nil {
		for typ, n := range rec.r.Unknown() {
			fmt.Fprintf(stderr, "wsreplay: warning: %s: skipped %s of unknown type %q (written by a newer wsreplay?)\n", printable(name), plural(n, "line"), typ)
		}
	}
	if errors.Is(err, format.ErrTruncated) {
		fmt.Fprintf(stderr, "wsreplay: warning: %s; using the lines before it\n", printable(err.Error()))
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileError(name, err)
	}
	return err
}

// openRecording starts reading src, named name, as a recording. A HAR file
// is read one entry at a time, its first one here.
func openRecording(ctx context.Context, src io.Reader, name string, stderr io.Writer) (*recording, error) {
	br, isHAR, err := har.Sniff(interruptible(ctx, src))
	if err != nil {
		return nil, fileError(name, err)
	}
	rec := &recording{name: name, empty: br.Buffered() == 0}
	if !isHAR {
		rec.r = format.NewReader(br, &format.ReaderOptions{Name: name})
		return rec, nil
	}
	rec.warn = func(skipped int) {
		if skipped > 0 {
			fmt.Fprintf(stderr, "wsreplay: warning: %s: skipped %s without messages\n", printable(name), plural(skipped, "WebSocket entry"))
		}
	}
	rec.harR = har.NewReader(br, name)
	first, err := rec.harR.Next()
	if err == io.EOF {
		rec.warn(rec.harR.Skipped())
		return nil, fmt.Errorf("%s: no WebSocket messages in this HAR", name)
	}
	if err != nil {
		return nil, err
	}
	rec.har = first.Events
	return rec, nil
}

// openInput opens a named file, an object (s3://), a URL (http://,
// https://), or standard input ("-").
func openInput(ctx context.Context, path string) (io.ReadCloser, string, error) {
	if s3store.IsURL(path) {
		o, err := openS3(ctx, path)
		return o, path, err
	}
	if isHTTPURL(path) {
		body, err := openHTTP(ctx, path)
		return body, path, err
	}
	if path == "-" {
		return io.NopCloser(os.Stdin), "stdin", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, fileError(path, err)
	}
	return f, path, nil
}
