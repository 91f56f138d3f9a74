package recorder

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/wsreplay/wsreplay/format"
)

// fileStore appends every session to one file.
type fileStore struct {
	path string
	f    *os.File
	w    *format.Writer
	log  *slog.Logger
	lost map[string]int64 // per open session: lines that could not be written
	// empty: the file was empty when opened; wrote: a line went to it. A
	// file left empty is removed at close: an empty file, or an empty
	// compressed stream, is no recording.
	empty, wrote bool
	tally        SessionCounts
}

// openFileStore opens the file at path to append to it, compressed as its
// name says (format.CompressionForName).
func openFileStore(path string, log *slog.Logger, stats *sinkStats) (*fileStore, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|noFollow|syscallNonblock, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, cause(err))
	}
	// An existing file is appended to only if it is ours alone: a file
	// or FIFO planted by another user (in a sticky /tmp) would read
	// every recorded secret.
	if err := checkOwnFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w := format.NewWriter(countingFile{f, stats}, &format.WriterOptions{Compression: format.CompressionForName(path)})
	st := &fileStore{f: f, w: w, path: path, log: log, lost: map[string]int64{}}
	if info, err := f.Stat(); err == nil && info.Size() == 0 {
		st.empty = true // new, or empty: nothing to keep if nothing is recorded
	}
	return st, nil
}

// countingFile counts in stats the bytes passed to write.
type countingFile struct {
	f     *os.File
	stats *sinkStats
}

func (c countingFile) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.stats.bytesWritten.Add(int64(n))
	return n, err
}

func (s *fileStore) write(e *format.Event) error {
	s.wrote = true
	err := s.w.Write(e)
	if err != nil {
		s.lost[e.Session]++
	}
	switch e.Type {
	case format.TypeSession:
		s.tally.Sessions++
	case format.TypeClose:
		s.tally.LinesLost += e.Lost + s.lost[e.Session]
	}
	if e.Type == format.TypeClose {
		if n := s.lost[e.Session]; n > 0 {
			s.log.Error("session recorded incompletely", "session", e.Session, "file", s.path, "lines_lost", n, "err", err)
		}
		delete(s.lost, e.Session)
	}
	return err
}

func (s *fileStore) flush() error { return s.w.Flush() }

func (s *fileStore) unfinished() bool { return false }

func (s *fileStore) counts() SessionCounts { return s.tally }

func (s *fileStore) close() error {
	if s.empty && !s.wrote {
		s.w.Close()
		s.f.Close()
		s.log.Info("no session recorded; nothing written", "file", s.path)
		return os.Remove(s.path)
	}
	err := s.w.Close()
	if serr := s.f.Sync(); err == nil {
		err = serr
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
