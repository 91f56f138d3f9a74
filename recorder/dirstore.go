package recorder

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// dirStore writes one file per session. While a session runs, its lines go
// to its final name with ".partial" added (<name>.ndjson.zst.partial), in
// the file's compression from the start: each block of lines written is a
// zstd frame (or gzip member) of its own, compressed by the one encoder the
// files share (see fileOut), so thousands of open sessions cost no
// compressor each, and a recorder killed with -9 leaves files whose every
// written frame reads back. A session's lines wait in a pooled buffer until
// they are hold old (or until 64 KiB wait), so a busy session costs one
// write of one frame per hold and an idle one no buffer at all. When the
// session ends, one background worker syncs its file and renames it to its
// final name: nothing is read back.
type dirStore struct {
	dir   string
	comp  format.Compression
	out   *fileOut
	files map[string]*sessionFile
	log   *slog.Logger
	jobs  chan finishJob // to the compressing worker
	done  chan struct{}  // closed when the worker has finished
	stats *sinkStats
	// create opens a new session file; tests replace it to fail writes.
	create func(path string) (writeFile, error)
	// stats, written by the writer goroutine, read after Close.
	tally SessionCounts
	// maxOpen bounds the files open at once (0: no bound); nopen counts
	// them, and overLimit the sessions refused since the last was logged.
	maxOpen, nopen, overLimit int
}

// newDirStore starts a dirStore. Lines wait hold in memory before they are
// written (zero: they are written at every flush); see holdFor.
func newDirStore(dir string, comp format.Compression, log *slog.Logger, stats *sinkStats, hold time.Duration) *dirStore {
	s := &dirStore{dir: dir, comp: comp, files: map[string]*sessionFile{}, log: log, stats: stats,
		jobs: make(chan finishJob, 1024), done: make(chan struct{}), create: createSessionFile,
		out: &fileOut{comp: comp, stats: stats, hold: hold, now: time.Now}}
	go s.compressFinished()
	return s
}

// holdFor is how long a session's lines may wait in memory, for larger
// frames (which compress better), when lines must reach the operating
// system within flushInterval: the writer flushes at most every flush gap
// and looks at its queue every drainEvery, so lines that waited holdFor are
// written within flushInterval.
func holdFor(flushInterval time.Duration) time.Duration {
	gap := min(minFlushGap, flushInterval)
	return max(0, flushInterval-2*gap-drainEvery)
}

func (s *dirStore) write(e *format.Event) error {
	sf := s.files[e.Session]
	if sf == nil {
		if e.Type != format.TypeSession {
			return fmt.Errorf("line for unknown session %s", e.Session)
		}
		sf = s.open(e)
	}
	var err error
	switch {
	case e.Type == format.TypeClose:
		s.finish(e.Session, sf, e)
	case sf.f == nil:
		sf.failed++
		err = errors.New("no file")
	default:
		err = sf.add(e)
	}
	if err != nil && sf.f != nil && !sf.failing {
		sf.failing = true
		s.log.Error("recording of session failing; traffic goes on", "session", e.Session, "file", sf.tmp, "err", err)
	}
	return err
}

// open starts a session's file. One that cannot be created (no space, no
// file descriptor left) leaves the session relayed but not recorded: it is
// logged and counted in SessionCounts.
func (s *dirStore) open(e *format.Event) *sessionFile {
	final := filepath.Join(s.dir, format.FileName(e.Time, e.Session, s.comp))
	sf := &sessionFile{final: final, tmp: final + format.PartialSuffix, out: s.out}
	s.files[e.Session] = sf
	s.tally.Sessions++
	if s.maxOpen > 0 && s.nopen >= s.maxOpen {
		s.refuse(e.Session)
		return sf
	}
	f, err := s.create(sf.tmp)
	if err != nil {
		s.tally.Unrecorded++
		s.log.Error("cannot record session: relayed but not recorded", "session", e.Session, "err", err)
		return sf
	}
	sf.f = f
	s.nopen++
	if s.overLimit > 0 {
		s.log.Info("recording new sessions again: files open for recording are below the limit", "unrecorded", s.overLimit)
		s.overLimit = 0
	}
	return sf
}

// refuse leaves a session unrecorded for want of a descriptor: the files
// open for recording hold maxOpen. The first of a run is logged, and the
// run's count when recording resumes.
func (s *dirStore) refuse(id string) {
	s.tally.Unrecorded++
	s.tally.OverLimit++
	s.stats.filesOverLimit.Add(1)
	if s.overLimit == 0 {
		s.log.Warn("session relayed but not recorded: the files open for recording hold the limit (--max-open-files); traffic is not affected",
			"session", id, "limit", s.maxOpen)
	}
	s.overLimit++
}

// finish writes a session's close line, counting in its "lost" the lines
// that could not be written, and hands the file to the worker; one that
// lost lines keeps its .partial name to show it is incomplete. A close line
// that cannot be written (a full disk) waits, and each flush tries again.
func (s *dirStore) finish(id string, sf *sessionFile, e *format.Event) {
	if sf.f == nil {
		delete(s.files, id) // counted in stats.Unrecorded
		return
	}
	sf.writePending() // what fails is counted in sf.failed
	end := *e
	sf.end = &end
	s.tryEnd(id, sf)
}

// tryEnd writes the close line that waits, and ends the file if it could.
func (s *dirStore) tryEnd(id string, sf *sessionFile) {
	sf.end.Lost += sf.failed - sf.counted
	sf.counted = sf.failed
	if err := sf.writeLine(sf.end); err != nil {
		sf.failed = sf.counted // the close line is not lost: it waits
		if !sf.endWaits {
			sf.endWaits = true
			s.log.Error("close line of session waits for room on disk", "session", id, "file", sf.tmp, "err", err)
		}
		return
	}
	delete(s.files, id)
	err := sf.f.Close()
	s.nopen--
	s.tally.LinesLost += sf.end.Lost
	if err != nil || sf.failed > 0 {
		s.log.Error("session recorded incompletely", "session", id, "file", sf.tmp, "lines_lost", sf.end.Lost, "err", err)
		return
	}
	s.stats.filesFinished.Add(1)
	s.jobs <- finishJob{id: id, partial: sf.tmp, final: sf.final}
}

func (s *dirStore) counts() SessionCounts { return s.tally }

// flush writes the lines that have waited hold, and the close lines that
// wait for room.
func (s *dirStore) flush() error {
	var errs []error
	now := s.out.now()
	for id, sf := range s.files {
		if sf.end != nil {
			s.tryEnd(id, sf)
			continue
		}
		if sf.pend == nil || sf.f == nil || now.Sub(sf.since) < s.out.hold {
			continue
		}
		if err := sf.writePending(); err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", id, err))
			if !sf.failing {
				sf.failing = true
				s.log.Error("recording of session failing; traffic goes on", "session", id, "file", sf.tmp, "err", err)
			}
		}
	}
	return errors.Join(errs...)
}

// unfinished reports whether lines wait in memory, or close lines wait for
// room: the writer then flushes even when no line comes, to write them.
func (s *dirStore) unfinished() bool {
	if s.out.waiting > 0 {
		return true
	}
	for _, sf := range s.files {
		if sf.end != nil {
			return true
		}
	}
	return false
}

// close finishes the files of sessions still open (the proxy writes their
// close lines before it closes the sink, so normally there are none) and
// waits for the worker to compress what has ended.
func (s *dirStore) close() error {
	for id, sf := range s.files {
		if sf.end != nil {
			if s.tryEnd(id, sf); s.files[id] == nil {
				continue
			}
			s.log.Error("close line of session could not be written: the file has no ending", "session", id, "file", sf.tmp,
				"lines_lost", sf.end.Lost)
		}
		if sf.f != nil {
			sf.writePending()
			sf.f.Close()
		}
		s.log.Warn("session file left unfinished", "session", id, "file", sf.tmp)
	}
	close(s.jobs)
	<-s.done
	return nil
}
