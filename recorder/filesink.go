package recorder

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// QueueOptions configures a FileSink: its queue, and the files NewDirSink
// and NewFileSink write. The zero value (or nil) gives the defaults; the
// constructors copy it.
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
	// Compression of the files NewDirSink writes; zero: plain NDJSON.
	// NewFileSink ignores it: the file's name says its compression.
	Compression format.Compression
	// Logger receives write failures, and what the sink finishes or
	// cannot. Nil: none.
	Logger *slog.Logger
	// MaxOpenFiles bounds the session files NewDirSink holds open at
	// once (one per running session), so that recording never takes the
	// descriptors the traffic needs: past it, a new session is relayed
	// unrecorded, logged and counted (SinkStats.FilesOverLimit; the reason "file_limit" of the metric of unrecorded sessions). Zero
	// means DefaultMaxOpenFiles: a quarter of the process's limit on open
	// files.
	MaxOpenFiles int
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
// named <UTC start>_<session id>.ndjson[.gz|.zst].partial, written in its
// final compression as a series of frames (each block of lines written is
// a zstd frame or gzip member of its own, so every written block reads back
// after a crash), and renamed to its final name when the session ends: a
// .partial file is a session still running, one whose recorder died, or
// one that lost lines. In file mode (NewFileSink) every session is appended
// to one file.
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
	closing    chan struct{} // closed when Close begins: addWait gives up
	closeOnce  sync.Once
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
	OverLimit  int64 // of Unrecorded, those left out because the files open held QueueOptions.MaxOpenFiles
	LinesLost  int64 // lines of ended sessions that are not in the files (their close lines' "lost")
}

// Counts returns what the sink recorded. Call it after Close.
func (s *FileSink) Counts() SessionCounts {
	<-s.done
	return s.store.counts()
}

// withDefaults returns a copy of opts (nil: the zero value) with the
// defaults in its zero fields.
func (opts *QueueOptions) withDefaults() QueueOptions {
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
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// newFileSink starts the writer goroutine of a FileSink writing to st; o
// has its defaults (see withDefaults).
func newFileSink(st store, stats *sinkStats, o QueueOptions) *FileSink {
	s := &FileSink{opts: o, log: o.Logger, ch: make(chan queued, o.MaxQueueLines), store: st, stats: stats,
		unredacted: map[string]int64{}, done: make(chan struct{}), closing: make(chan struct{})}
	go s.drainQueue()
	return s
}

// NewDirSink records one file per session in dir, which is created (0700)
// if needed. Files are 0600, created exclusively (never through a link
// planted at their name); a directory that other users may write in is
// refused unless opts.AllowSharedDir.
func NewDirSink(dir string, opts *QueueOptions) (*FileSink, error) {
	o := opts.withDefaults()
	if err := makeOutDir(dir, o.AllowSharedDir); err != nil {
		return nil, err
	}
	// Fail now, not at the first session, if we cannot write there.
	probe, err := os.CreateTemp(dir, ".wsreplay-probe-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, cause(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	stats := &sinkStats{}
	st := newDirStore(dir, o.Compression, o.Logger, stats, holdFor(o.FlushInterval))
	st.maxOpen = o.MaxOpenFiles
	if st.maxOpen <= 0 {
		st.maxOpen = DefaultMaxOpenFiles()
	}
	return newFileSink(st, stats, o), nil
}

// NewFileSink appends every session to the file at path (created 0600),
// compressed according to its name: .gz for gzip, .zst for zstd.
// opts.Compression is ignored. A symbolic link at path is not followed, and
// a directory that other users may write in is refused unless
// opts.AllowSharedDir.
func NewFileSink(path string, opts *QueueOptions) (*FileSink, error) {
	o := opts.withDefaults()
	if err := makeOutDir(filepath.Dir(path), o.AllowSharedDir); err != nil {
		return nil, err
	}
	stats := &sinkStats{}
	st, err := openFileStore(path, o.Logger, stats)
	if err != nil {
		return nil, err
	}
	return newFileSink(st, stats, o), nil
}

// fallbackMaxOpenFiles is DefaultMaxOpenFiles where the process's limit
// cannot be read.
const fallbackMaxOpenFiles = 4096
