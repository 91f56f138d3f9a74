package recorder

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A recorder killed with -9, or a machine that lost power, leaves in its
// directory the .partial files of sessions that were running, maybe a last
// frame (or, in a plain file, a last line) cut in the middle, and maybe the
// temporary file of a compression that was under way. A recorder starting
// on the directory finishes them, in its finishing worker, before any
// session of its own ends: a .partial file that no process holds locked
// (see lockFile) loses its torn tail and goes to its final name (a
// compressed one as it is, cut after its last whole frame; a plain one of
// an earlier release compressed as this recorder compresses); temporary
// files nobody holds are removed. Files of a recorder still running there
// are locked, and left alone.

// isTempName reports whether name is a temporary file of a recorder: a
// compression under way (".<final>.tmp-*", or "<final>.tmp" from earlier
// releases) or the probe NewDirSink writes.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") ||
		strings.HasSuffix(name, ".ndjson.zst.tmp") || strings.HasSuffix(name, ".ndjson.gz.tmp") ||
		strings.HasPrefix(name, ".wsreplay-probe-")
}

// finishLeftovers finishes what an earlier run left in the directory.
func (s *dirStore) finishLeftovers() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		s.log.Error("cannot look for files an earlier run left", "dir", s.dir, "err", err)
		return
	}
	finished, removed := 0, 0
	for _, d := range entries {
		name := d.Name()
		path := filepath.Join(s.dir, name)
		switch {
		case !d.Type().IsRegular():
		case isTempName(name):
			if removeUnheld(path) {
				removed++
			}
		case isPartialName(name):
			ok, err := s.finishLeftover(path)
			if err != nil {
				s.log.Error("cannot finish a file an earlier run left", "file", path, "err", err)
			}
			if ok {
				finished++
			}
		}
	}
	if finished+removed > 0 {
		s.log.Info("finished the files an earlier run left", "dir", s.dir, "sessions", finished, "temporary_files_removed", removed)
	}
}

// isPartialName reports whether name is a session file's while it runs:
// <start>_<id>.ndjson[.gz|.zst].partial.
func isPartialName(name string) bool {
	base, ok := strings.CutSuffix(name, format.PartialSuffix)
	return ok && strings.HasSuffix(base, format.CompressionForName(base).Ext())
}

// removeUnheld removes a temporary file unless a running recorder holds it
// (or, for a probe, unless it is fresh: probes are not locked).
func removeUnheld(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if strings.HasPrefix(filepath.Base(path), ".wsreplay-probe-") {
		if fi, err := f.Stat(); err != nil || time.Since(fi.ModTime()) < time.Minute {
			return false
		}
	} else if !lockFile(f) {
		return false
	}
	return os.Remove(path) == nil
}

// finishLeftover finishes the .partial file at path, unless a running
// recorder holds it. It reports whether it did.
func (s *dirStore) finishLeftover(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|noFollow, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if !lockFile(f) {
		return false, nil
	}
	base := strings.TrimSuffix(filepath.Base(path), format.PartialSuffix)
	comp := format.CompressionForName(base)
	stem := strings.TrimSuffix(base, comp.Ext())
	for _, c := range []format.Compression{format.None, format.Gzip, format.Zstd} {
		if _, err := os.Stat(filepath.Join(s.dir, stem+c.Ext())); err == nil {
			// Killed between the rename and the removal: the final
			// file is whole (it was synced before it was renamed).
			return true, os.Remove(path)
		}
	}
	if comp != format.None {
		if err := cutTornFrame(f, comp); err != nil {
			return false, err
		}
		return true, s.finalize(finishJob{id: stem, partial: path, final: filepath.Join(s.dir, base)})
	}
	if err := cutTornTail(f); err != nil {
		return false, err
	}
	return true, s.finalize(finishJob{id: stem, partial: path, final: filepath.Join(s.dir, stem+s.comp.Ext())})
}

// cutTornFrame cuts f after its last whole frame (see format.CompleteFrames).
func cutTornFrame(f *os.File, comp format.Compression) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	n, err := format.CompleteFrames(f, comp)
	if err != nil {
		return err
	}
	if size, err := f.Seek(0, io.SeekEnd); err != nil || size == n {
		return err
	}
	return f.Truncate(n)
}

// cutTornTail cuts f after its last newline: a line the writer was killed
// in the middle of is no recorded line.
func cutTornTail(f *os.File) error {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil || size == 0 {
		return err
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(0, end-chunk)
		if _, err := f.ReadAt(buf[:end-start], start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if i := bytes.LastIndexByte(buf[:end-start], '\n'); i >= 0 {
			if start+int64(i)+1 == size {
				return nil
			}
			return f.Truncate(start + int64(i) + 1)
		}
		end = start
	}
	return f.Truncate(0)
}
