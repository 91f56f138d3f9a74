package recorder

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Sink receives the lines of recorded sessions. Add is called from the
// relay goroutines of live connections and must never block them: a Sink
// that cannot keep up drops lines and reports false.
type Sink interface {
	// Add takes a line for writing. The Sink owns e afterwards. It
	// returns false if the line was dropped.
	Add(e *format.Event) bool
}

// QueueOptions configures a FileSink's queue. The zero value gives the
// defaults.
type QueueOptions struct {
	// FlushInterval bounds how long a line waits in memory before it is
	// handed to the operating system: what a crash can lose. Zero means
	// one second.
	FlushInterval time.Duration
	// MaxQueueBytes bounds the payload bytes waiting to be written; past
	// it, lines are dropped and counted. A line larger than the bound is
	// taken when nothing else waits. Zero means 64 MiB.
	MaxQueueBytes int64
	// MaxQueueLines bounds the lines waiting to be written. Zero means
	// 65536.
	MaxQueueLines int
	// Compression of the files written.
	Compression format.Compression
	// Logger receives write failures. Nil: none.
	Logger *slog.Logger
	// AllowSharedDir lets NewDirSink and NewFileSink write in a directory
	// that other users may write in without the sticky bit. False: such a
	// directory is refused with ErrSharedDir.
	AllowSharedDir bool
}

// FileSink writes recordings to disk from one goroutine of its own, fed by a
// bounded queue, so that a slow or failing disk never holds up traffic. It
// flushes when the queue has drained, at most every 50 ms, so lines reach
// the operating system well within FlushInterval.
//
// In directory mode (NewDirSink) each session gets a file named
// <UTC start>_<session id>.ndjson[.gz|.zst]. While the session runs it is
// plain NDJSON named <UTC start>_<session id>.ndjson.partial, compressed to
// its final name when the session ends: a .partial file is a session still
// running, one whose recorder died, or one that lost lines. In file mode
// (NewFileSink) every session is appended to one file.
//
// Close flushes and finishes every file; the FileSink must not be used after.
type FileSink struct {
	opts   QueueOptions
	log    *slog.Logger
	ch     chan queued
	stats  *sinkStats
	queued atomic.Int64 // payload bytes in ch
	store  store
	// unredacted counts, per open session, the messages that named a
	// JSON field to redact but could not be parsed. Writer goroutine only.
	unredacted map[string]int64
	done       chan struct{}
	mu         sync.RWMutex // guards closed against Add
	closed     bool
	err        error
}

// store is where a FileSink's goroutine puts lines.
type store interface {
	write(e *format.Event) error
	flush() error
	close() error
	unfinished() bool // lines wait to be written, even if none comes
	counts() SessionCounts
}

// SessionCounts counts what a FileSink recorded, for a summary at the end.
type SessionCounts struct {
	Sessions   int64 // sessions that began
	Unrecorded int64 // of those, sessions whose file could not be created: relayed but not recorded
	LinesLost  int64 // lines of ended sessions that are not in the files (their close lines' "lost")
}

// Counts returns what the sink recorded. Call it after Close.
func (s *FileSink) Counts() SessionCounts {
	<-s.done
	return s.store.counts()
}

// minFlushGap keeps a busy recorder from flushing on every drained queue.
const minFlushGap = 50 * time.Millisecond

func newFileSink(st store, stats *sinkStats, opts *QueueOptions) *FileSink {
	var o QueueOptions
	if opts != nil {
		o = *opts
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = time.Second
	}
	if o.MaxQueueBytes <= 0 {
		o.MaxQueueBytes = 64 << 20
	}
	if o.MaxQueueLines <= 0 {
		o.MaxQueueLines = 65536
	}
	s := &FileSink{opts: o, log: o.Logger, ch: make(chan queued, o.MaxQueueLines), store: st, stats: stats,
		unredacted: map[string]int64{}, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	go s.drainQueue()
	return s
}

// NewDirSink records one file per session in dir, which is created (0700)
// if needed. Files are 0600, created exclusively (never through a link
// planted at their name); a directory that other users may write in is
// refused unless opts.AllowSharedDir.
func NewDirSink(dir string, opts *QueueOptions) (*FileSink, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create directory %s: %w", dir, cause(err))
	}
	if err := checkOutDir(dir, opts != nil && opts.AllowSharedDir); err != nil {
		return nil, fmt.Errorf("directory %s: %w", dir, err)
	}
	// Fail now, not at the first session, if we cannot write there.
	probe, err := os.CreateTemp(dir, ".wsreplay-probe-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, cause(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	var comp format.Compression
	if opts != nil {
		comp = opts.Compression
	}
	var log *slog.Logger
	if opts != nil {
		log = opts.Logger
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	stats := &sinkStats{}
	return newFileSink(newDirStore(dir, comp, log, stats), stats, opts), nil
}

// NewFileSink appends every session to the file at path (created 0600),
// compressed according to its name: .gz for gzip, .zst for zstd.
// opts.Compression is ignored. A symbolic link at path is not followed, and
// a directory that other users may write in is refused unless
// opts.AllowSharedDir.
func NewFileSink(path string, opts *QueueOptions) (*FileSink, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create directory %s: %w", dir, cause(err))
	}
	if err := checkOutDir(dir, opts != nil && opts.AllowSharedDir); err != nil {
		return nil, fmt.Errorf("directory %s: %w", dir, err)
	}
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
	w := format.NewWriter(f, &format.WriterOptions{Compression: format.CompressionForName(path)})
	st := &fileStore{f: f, w: w, path: path, lost: map[string]int64{}}
	if info, err := f.Stat(); err == nil && info.Size() == 0 {
		st.empty = true // new, or empty: nothing to keep if nothing is recorded
	}
	s := newFileSink(st, &sinkStats{}, opts)
	st.log = s.log
	return s, nil
}

// queued is a line waiting for the writer, with the redaction its message
// still needs (nil: none), done there rather than on the relay path.
type queued struct {
	e   *format.Event
	red *Redaction
}

// Add queues e, or drops it if the queue is full or the sink closed.
func (s *FileSink) Add(e *format.Event) bool { return s.add(e, nil) }

// add queues e, whose text the writer redacts with red, if not nil.
func (s *FileSink) add(e *format.Event, red *Redaction) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	// A line larger than the whole queue is taken if the queue is empty:
	// only a queue that holds other lines is one that cannot keep up.
	n := int64(len(e.Data))
	if q := s.queued.Add(n); q > s.opts.MaxQueueBytes && q != n {
		s.queued.Add(-n)
		return false
	}
	select {
	case s.ch <- queued{e, red}:
		return true
	default:
		s.queued.Add(-n)
		return false
	}
}

// Close writes what is queued, finishes every file and stops the writer.
func (s *FileSink) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	s.mu.Unlock()
	<-s.done
	return s.err
}

// drainEvery is how often the writer goroutine collects queued lines. It
// polls rather than waking for every line: on a busy proxy a wake-up per
// message costs more CPU than the writing itself.
const drainEvery = 5 * time.Millisecond

func (s *FileSink) drainQueue() {
	defer close(s.done)
	tick := time.NewTicker(drainEvery)
	defer tick.Stop()
	lastFlush := time.Now()
	dirty, failing := false, false
	gap := min(minFlushGap, s.opts.FlushInterval)
	for range tick.C {
		open := true
	drain:
		for {
			select {
			case q, ok := <-s.ch:
				if !ok {
					open = false
					break drain
				}
				e := q.e
				s.queued.Add(-int64(len(e.Data)))
				s.redact(q)
				if err := s.store.write(e); err != nil {
					s.stats.writeErrors.Add(1)
					s.log.Debug("write recording line", "session", e.Session, "err", err)
				} else {
					s.stats.written.Add(1)
				}
				dirty = true
			default:
				break drain
			}
		}
		// Flush once the queue has drained, but not more often than
		// minFlushGap (or FlushInterval, if that is shorter).
		if (dirty || s.store.unfinished()) && (time.Since(lastFlush) >= gap || !open) {
			// A failing disk is logged when it starts failing, not at
			// every flush; the sessions say what they lost.
			began := time.Now()
			err := s.store.flush()
			s.stats.flushed(time.Since(began))
			if err != nil {
				s.stats.flushErrors.Add(1)
			}
			if err != nil && !failing {
				s.log.Error("writing recordings failed; traffic goes on", "err", err)
			}
			failing = err != nil
			lastFlush, dirty = time.Now(), false
		}
		if !open {
			if err := s.store.close(); err != nil {
				s.log.Error("finish recordings", "err", err)
				s.err = err
			}
			return
		}
	}
}

// redact applies a queued line's redaction. A message that names a field
// but cannot be parsed is kept whole and counted; the count is logged at
// the session's end, and the first one when it happens.
func (s *FileSink) redact(q queued) {
	e := q.e
	if q.red != nil {
		var unparsed bool
		if e.Data, unparsed = q.red.message(e.Data); unparsed {
			if s.unredacted[e.Session]++; s.unredacted[e.Session] == 1 {
				s.log.Warn("a message names a --redact-json field but is not JSON: recorded unchanged", "session", e.Session)
			}
		}
	}
	if e.Type == format.TypeClose {
		if n := s.unredacted[e.Session]; n > 0 {
			s.log.Warn("messages recorded without JSON redaction", "session", e.Session, "unredacted", n)
			delete(s.unredacted, e.Session)
		}
	}
}

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

func (s *dirStore) counts() SessionCounts { return s.tally }

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

// dirStore writes one file per session. While a session runs, its lines go
// to <name>.ndjson.partial as plain NDJSON: thousands of open sessions cost
// no compressor each, and a recorder killed with -9 leaves plain files that
// read back whole. A session's lines wait in a pooled buffer until the next
// flush (or until 64 KiB wait), so a busy session costs one write per flush
// and an idle one no buffer at all. When the session ends, one background
// worker compresses the file to its final name.
type dirStore struct {
	dir   string
	comp  format.Compression
	files map[string]*sessionFile
	log   *slog.Logger
	jobs  chan finishJob // to the compressing worker
	done  chan struct{}  // closed when the worker has finished
	stats *sinkStats
	// create opens a new session file; tests replace it to fail writes.
	create func(path string) (writeFile, error)
	// stats, written by the writer goroutine, read after Close.
	tally SessionCounts
}

type finishJob struct{ id, partial, final string }

func newDirStore(dir string, comp format.Compression, log *slog.Logger, stats *sinkStats) *dirStore {
	s := &dirStore{dir: dir, comp: comp, files: map[string]*sessionFile{}, log: log, stats: stats,
		jobs: make(chan finishJob, 1024), done: make(chan struct{}), create: createSessionFile}
	go s.compressFinished()
	return s
}

// FileName is the name of a session's file in directory mode.
func FileName(start time.Time, id string, comp format.Compression) string {
	return start.UTC().Format("20060102T150405.000Z") + "_" + id + comp.Ext()
}

// PartialSuffix marks the file of a session that has not ended (yet).
const PartialSuffix = ".partial"

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
	sf := &sessionFile{
		final: filepath.Join(s.dir, FileName(e.Time, e.Session, s.comp)),
		tmp:   filepath.Join(s.dir, FileName(e.Time, e.Session, format.None)+PartialSuffix),
	}
	s.files[e.Session] = sf
	s.tally.Sessions++
	f, err := s.create(sf.tmp)
	if err != nil {
		s.tally.Unrecorded++
		s.log.Error("cannot record session: relayed but not recorded", "session", e.Session, "err", err)
		return sf
	}
	sf.f = f
	return sf
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
	s.tally.LinesLost += sf.end.Lost
	if err != nil || sf.failed > 0 {
		s.log.Error("session recorded incompletely", "session", id, "file", sf.tmp, "lines_lost", sf.end.Lost, "err", err)
		return
	}
	s.stats.filesFinished.Add(1)
	s.jobs <- finishJob{id: id, partial: sf.tmp, final: sf.final}
}

// compressFinished turns the plain files of ended sessions into their final
// files, one at a time.
func (s *dirStore) compressFinished() {
	defer close(s.done)
	s.finishLeftovers()
	for j := range s.jobs {
		err := s.finalize(j)
		if err == nil {
			s.stats.filesCompressed.Add(1)
		}
		if err != nil {
			s.log.Error("finishing the recording failed; the plain .partial file holds it", "session", j.id, "file", j.partial, "err", err)
		}
	}
}

// finalize writes the compressed file under a temporary name, syncs it,
// renames it into place and removes the plain one.
func (s *dirStore) finalize(j finishJob) error {
	if s.comp == format.None {
		if err := syncFile(j.partial); err != nil {
			return err
		}
		if err := os.Rename(j.partial, j.final); err != nil {
			return err
		}
		syncDir(s.dir)
		return nil
	}
	src, err := os.OpenFile(j.partial, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return err
	}
	defer src.Close()
	// An unpredictable name, created exclusively (0600): nobody can plant
	// a link there for us to write through.
	dst, err := os.CreateTemp(s.dir, "."+filepath.Base(j.final)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := dst.Name()
	lockFile(dst) // a recorder starting on the directory leaves it alone
	err = format.Compress(dst, bufio.NewReaderSize(src, 64<<10), s.comp)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, j.final)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	os.Remove(j.partial)
	syncDir(s.dir)
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|noFollow, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *dirStore) flush() error {
	var errs []error
	for id, sf := range s.files {
		if sf.end != nil {
			s.tryEnd(id, sf)
			continue
		}
		if sf.pend == nil || sf.f == nil {
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

// unfinished reports whether close lines wait for room: the writer then
// flushes even when no line comes, to write them once there is room.
func (s *dirStore) unfinished() bool {
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

// cause strips the operation and path from a file system error, for
// messages that name the path themselves.
func cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
