package s3store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// The spool is the directory a recorder.NewDirSink writes: a running
// session's file ends in .ndjson.partial, a finished one in .ndjson,
// .ndjson.gz or .ndjson.zst (put there by a rename, after a sync, so a
// finished name always holds a whole file), and hidden names are temporary
// files. The Uploader reads it and never writes in it, but to remove a
// finished file once its upload is confirmed.

// spoolFile is a file of the spool as a scan saw it.
type spoolFile struct {
	name    string
	size    int64
	partial bool
}

// scanSpool lists the session files in dir, in name (start time) order:
// those named as a recorder names them, <start>_<id>.ndjson[...].
func scanSpool(dir string) ([]spoolFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []spoolFile
	for _, d := range entries {
		name := d.Name()
		if !d.Type().IsRegular() || strings.HasPrefix(name, ".") {
			continue
		}
		partial := strings.HasSuffix(name, partialSuffix) && isFinishedName(strings.TrimSuffix(name, partialSuffix))
		if _, ok := startOf(name); !ok || !partial && !isFinishedName(name) {
			continue // not named by a recorder: not ours to upload or remove
		}
		info, err := d.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		if !ours(info) {
			continue // planted by another user: not ours to upload or remove
		}
		files = append(files, spoolFile{name: name, size: info.Size(), partial: partial})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

func isFinishedName(name string) bool {
	_, ok := format.FinishedExt(name)
	return ok
}

// summarize reads the first session's summary from r; nil if r holds none
// that can be read. A torn tail (a running session's file) still gives
// the summary of the lines before it.
func summarize(r io.Reader, name string) *format.Summary {
	fr := format.NewReader(r, &format.ReaderOptions{Name: name, BufferSize: 32 << 10})
	defer fr.Close()
	sums, _ := format.Summarize(fr)
	if len(sums) == 0 {
		return nil
	}
	return sums[0]
}

// wholeLines returns how many of the first size bytes of f a snapshot of a
// running session's file may take: for plain NDJSON, up to the last
// newline, so the object holds no torn line; for a compressed file (the
// directory sink writes a zstd frame or gzip member per flush), up to its
// last whole frame, so the object reads back without a torn tail.
func wholeLines(f *os.File, size int64) (int64, error) {
	head := make([]byte, 4)
	if n, _ := f.ReadAt(head, 0); format.DetectCompression(head[:n]) != format.None {
		return format.CompleteFrames(io.NewSectionReader(f, 0, size), format.DetectCompression(head[:n]))
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(0, end-chunk)
		if _, err := f.ReadAt(buf[:end-start], start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:end-start], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

func spoolPath(dir, name string) string { return filepath.Join(dir, name) }

// spoolMark is the file that makes a directory the spool of one
// destination. The Uploader removes every finished recording it finds in
// its spool, once uploaded: a directory of recordings kept on purpose must
// never become a spool by mistake, nor a spool of one bucket be emptied
// into another.
const spoolMark = ".wsreplay-spool"

// ErrNotSpool is what PrepareSpool returns for a directory that holds
// recordings and is no spool, or the spool of another destination.
var ErrNotSpool = errors.New("not a spool of this destination")

// PrepareSpool makes dir (created before, by recorder.NewDirSink or the
// caller) the spool of dest: a directory with no session file becomes one;
// one already marked for dest stays one (what an earlier run left is
// uploaded); any other is refused with ErrNotSpool.
func PrepareSpool(dir string, dest Location) error {
	mark := filepath.Join(dir, spoolMark)
	b, err := os.ReadFile(mark)
	if err == nil {
		if got := strings.TrimSpace(string(b)); got != dest.String() {
			return fmt.Errorf("%s is the spool of %s: %w", dir, got, ErrNotSpool)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	files, err := scanSpool(dir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return fmt.Errorf("%s holds recordings and is no spool (they would be uploaded and removed): %w", dir, ErrNotSpool)
	}
	return os.WriteFile(mark, []byte(dest.String()+"\n"), 0o600)
}
