package replayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
)

// Source is a recording the Catalog can read as often as it needs to: a
// wsreplay NDJSON stream (plain, gzip or zstd) or a HAR file.
type Source struct {
	Name string                        // for logs and errors
	Open func() (io.ReadCloser, error) // a new reader from the start
	// Indexed, if set, is called as the Catalog's indexing reads the
	// source, with the number of bytes just read (as Open returns them),
	// from the indexing goroutine: for a progress bar. Nil: nothing.
	Indexed func(n int)
}

// File is a Source reading the named file.
func File(path string) Source {
	return Source{Name: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// Bytes is a Source reading data held in memory.
func Bytes(name string, data []byte) Source {
	return Source{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

// Session is one recorded session in a Catalog.
type Session struct {
	// ID names the session uniquely in its Catalog: the id recorded, or,
	// when an earlier source already had a session with that id, the id
	// with a suffix, ~2, ~3, ... (see Catalog.Warnings).
	ID          string
	URL         string // path and query recorded, "" if unknown
	Subprotocol string
	Start       time.Time
	Kind        format.Kind      // what carried it: a WebSocket, Socket.IO, an event stream, a poller
	EngineIO    *format.EngineIO // KindSocketIO: the open packet's parameters
	Transport   string           // a SignalR session's HTTP transport (format.Event.Transport); "": none

	id     string // the id recorded
	at     *place // its URL's parsed parts and its protocol, shared (see Catalog.places); nil: none
	src    *Source
	pos    format.Position // where its first line starts in src; for HAR, its entry
	har    bool            // src is a HAR file: pos.Offset is where the entry starts
	shared *sharedCopies   // its Catalog's; nil: every replay streams from src
	events []*format.Event // for sessions held in memory
}

// Catalog indexes the sessions of some recordings without holding their
// messages: it remembers where each session starts and reads its lines from
// disk when a client plays it. Indexing runs in the background, so a large
// recording can be served while it is still being indexed; sessions appear
// in recording order.
//
// A Catalog is safe for concurrent use. Close stops the indexing.
type Catalog struct {
	mu       sync.Mutex
	sessions []*Session
	changed  chan struct{} // closed and replaced when sessions grow or indexing ends
	done     bool
	err      error // the first indexing error
	warnings []string

	// What the index holds besides its Sessions stays small for a file of
	// millions of short sessions: one entry per name, and one per URL.
	ids     map[string]int    // session ID -> the source it came from
	srcName []string          // source number -> its name
	places  map[string]*place // recorded URL (and protocol) -> its parsed parts, shared

	// shared holds the decoded copies of the sessions several replays
	// play at once (shared.go).
	shared sharedCopies

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open starts indexing the sources, one after the other, and returns at
// once. A source that cannot be opened at all is an error here; errors
// found later are reported by Wait.
func Open(sources ...Source) (*Catalog, error) {
	// Check that each source opens and is not empty before anything
	// listens, so that a wrong path is a clear error at start; whether it
	// is a recording shows when it is indexed (Wait).
	for i := range sources {
		if err := probe(&sources[i]); err != nil {
			return nil, err
		}
	}
	return OpenSeq(func(yield func(Source, error) bool) {
		for _, src := range sources {
			if !yield(src, nil) {
				return
			}
		}
	}), nil
}

// OpenSeq starts indexing the sources sources yields, as it yields them,
// and returns at once: for sources that are still being found (the objects
// of a bucket being listed), so that the first can be served before the
// last is known. An error from sources ends the indexing with it (see
// Wait). Sources are not probed: one that cannot be opened is an indexing
// error.
func OpenSeq(sources iter.Seq2[Source, error]) *Catalog {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Catalog{changed: make(chan struct{}), cancel: cancel}
	c.wg.Add(1)
	go c.index(ctx, sources)
	return c
}

func probe(src *Source) error {
	rc, err := src.Open()
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: %w", src.Name, err)
	}
	defer rc.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(rc, head)
	if n == 0 {
		return fmt.Errorf("%s: empty file, not a recording", src.Name)
	}
	return nil
}

// Close stops indexing and waits for it to end.
func (c *Catalog) Close() error {
	c.cancel()
	c.wg.Wait()
	return nil
}

// Wait blocks until indexing is complete, and returns its error, if any.
func (c *Catalog) Wait(ctx context.Context) error {
	for {
		c.mu.Lock()
		done, err, ch := c.done, c.err, c.changed
		c.mu.Unlock()
		if done {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Sessions returns the sessions indexed so far, in recording order.
func (c *Catalog) Sessions() []*Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[:len(c.sessions):len(c.sessions)]
}

// Warnings returns what indexing noticed but did not stop for, such as a
// recording cut short.
func (c *Catalog) Warnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.warnings...)
}

// snapshot returns the sessions so far, whether indexing is done, and a
// channel closed at the next change.
func (c *Catalog) snapshot() ([]*Session, bool, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[:len(c.sessions):len(c.sessions)], c.done, c.changed
}

func (c *Catalog) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// place is a recorded URL's request URI and path, parsed once per URL, and
// the protocol its session line names: one place is shared by the
// sessions of a URL and protocol, which keeps a Session small.
type place struct{ url, uri, path, protocol string }

// uri is the session's recorded request URI, "" if unknown.
func (s *Session) uri() string {
	if s.at == nil {
		return ""
	}
	return s.at.uri
}

// path is the session's recorded path, "" if unknown.
func (s *Session) path() string {
	if s.at == nil {
		return ""
	}
	return s.at.path
}

// Protocol is the protocol the session line names, "" when it names none
// (serve then detects it: see protocol.go).
func (s *Session) Protocol() string {
	if s.at == nil {
		return ""
	}
	return s.at.protocol
}

// add lists s, read from the source numbered source, under a name no other
// session has: the id recorded, or the id with ~2, ~3, ... when an earlier
// session (of another source, or one that ended before in this one) has it.
func (c *Catalog) add(source int, s *Session, protocol string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids, c.places = map[string]int{}, map[string]*place{}
	}
	c.locate(s, protocol)
	s.shared = &c.shared
	for len(c.srcName) <= source {
		c.srcName = append(c.srcName, s.src.Name)
	}
	s.id = s.ID
	name := s.id
	for i := 2; ; i++ {
		if _, taken := c.ids[name]; !taken {
			break
		}
		name = s.id + "~" + strconv.Itoa(i)
	}
	c.ids[name] = source
	if s.ID = name; name != s.id {
		where := "is also in " + c.srcName[c.ids[s.id]]
		if c.ids[s.id] == source {
			where = "begins again after its close line"
		}
		c.warnings = append(c.warnings, fmt.Sprintf("%s: session %s %s; listed as %s (--session %s chooses it)",
			s.src.Name, s.id, where, s.ID, s.ID))
	}
	c.sessions = append(c.sessions, s)
	c.notify()
}

// locate sets the parsed parts of s's URL, and its protocol (the session
// line's, protocol), sharing them (and the URL's bytes) with the sessions
// recorded at the same URL with the same protocol.
func (c *Catalog) locate(s *Session, protocol string) {
	if s.URL == "" && protocol == "" {
		return
	}
	key := s.URL
	if protocol != "" {
		key += "\x00" + protocol
	}
	p, ok := c.places[key]
	if !ok {
		p = &place{url: s.URL, protocol: protocol}
		if u, err := url.Parse(s.URL); err == nil && s.URL != "" {
			p.uri, p.path = u.RequestURI(), u.Path
		}
		c.places[key] = p
	}
	s.URL, s.at = p.url, p
}

func (c *Catalog) index(ctx context.Context, sources iter.Seq2[Source, error]) {
	defer c.wg.Done()
	var err error
	i := 0
	for src, serr := range sources {
		if err = serr; err != nil || ctx.Err() != nil {
			break
		}
		if err = c.indexSource(ctx, i, &src); err != nil {
			break
		}
		i++
	}
	c.mu.Lock()
	c.done, c.err = true, err
	c.notify()
	c.mu.Unlock()
}

func (c *Catalog) indexSource(ctx context.Context, i int, src *Source) error {
	rc, err := src.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", src.Name, err)
	}
	defer rc.Close()
	var in io.Reader = rc
	if src.Indexed != nil {
		in = &indexedReader{r: rc, fn: src.Indexed}
	}
	br, isHAR, _ := har.Sniff(in)
	if isHAR {
		return c.indexHAR(i, src, br)
	}
	r := format.NewReader(br, &format.ReaderOptions{Name: src.Name})
	defer r.Close()
	// The sessions begun and not yet ended: the memory of indexing
	// follows the sessions open at a time, not those of the file.
	open := map[string]bool{}
	var e format.Event
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil
		}
		pos := r.Pos()
		err := r.Decode(&e)
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, format.ErrTruncated) {
			c.mu.Lock()
			c.warnings = append(c.warnings, fmt.Sprintf("%v; serving the lines before it", err))
			c.mu.Unlock()
			return nil
		}
		if err != nil {
			return err
		}
		if !open[e.Session] {
			s := &Session{ID: e.Session, Start: e.Time, src: src, pos: pos}
			if e.Type == format.TypeSession {
				s.URL, s.Subprotocol, s.Kind, s.EngineIO, s.Transport = e.URL, e.Subprotocol, e.Kind, e.EngineIO, e.Transport
			}
			open[e.Session] = true
			c.add(i, s, e.Protocol)
		}
		if e.Type == format.TypeClose {
			delete(open, e.Session)
		}
	}
}

// indexHAR indexes the sessions of a HAR file by their entries' offsets,
// reading one entry at a time: a replay reads its entry again (harStream).
// A session of several entries (Socket.IO's polling and websocket
// entries, a poller's exchanges) comes whole after the others, and its
// events are held (they are small).
func (c *Catalog) indexHAR(i int, src *Source, r io.Reader) error {
	rd := har.NewReader(r, src.Name)
	n := 0
	for ; ; n++ {
		hs, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		e := hs.Events[0]
		if hs.Offset < 0 { // a session of several entries (Socket.IO, a poller): held
			c.add(i, &Session{ID: e.Session, URL: e.URL, Subprotocol: e.Subprotocol, Start: e.Time, src: src, Kind: e.Kind,
				EngineIO: e.EngineIO, events: hs.Events}, e.Protocol)
			continue
		}
		c.add(i, &Session{ID: e.Session, URL: e.URL, Subprotocol: e.Subprotocol, Start: e.Time, Kind: e.Kind, EngineIO: e.EngineIO, src: src,
			pos: format.Position{Offset: hs.Offset}, har: true}, e.Protocol)
	}
	if n == 0 {
		return fmt.Errorf("%s: no WebSocket messages in this HAR (WebSocket entries without messages: %d)", src.Name, rd.Skipped())
	}
	return nil
}

// indexedReader reports the bytes read through it to Source.Indexed.
type indexedReader struct {
	r  io.Reader
	fn func(int)
}

func (r *indexedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.fn(n)
	return n, err
}

// eventStream yields one session's events in order.
type eventStream interface {
	Next() (*format.Event, error) // io.EOF at the end of the session
	// Release hands back an event the caller is done with, for reuse.
	// Safe to call from any goroutine.
	Release(*format.Event)
	Close() error
}

// stream opens the events of s: from the file, or, when other replays play
// it at the same time, from the one decoded copy they share (see
// sharedCopies).
func (s *Session) stream() (eventStream, error) {
	if s.src == nil || s.events != nil {
		return &sliceStream{evs: s.events}, nil
	}
	if s.har {
		return s.harStream()
	}
	if s.shared == nil {
		return s.fileStream()
	}
	return s.shared.stream(s)
}

// scanStream opens the events of s for a reader of its own that reads a
// little ahead of the replay (a beat's interval): never the shared copy.
func (s *Session) scanStream() (eventStream, error) {
	switch {
	case s.src == nil || s.events != nil:
		return &sliceStream{evs: s.events}, nil
	case s.har:
		return s.harStream()
	}
	return s.fileStream()
}

// harStream reads the HAR entry of s again, and holds its events.
func (s *Session) harStream() (*sliceStream, error) {
	rc, err := s.src.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.src.Name, err)
	}
	defer rc.Close()
	if sk, ok := rc.(io.Seeker); ok {
		_, err = sk.Seek(s.pos.Offset, io.SeekStart)
	} else {
		_, err = io.CopyN(io.Discard, rc, s.pos.Offset)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.src.Name, err)
	}
	evs, err := har.ReadSession(rc, s.id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.src.Name, err)
	}
	return &sliceStream{evs: evs}, nil
}

// fileStream opens the events of s in its file, with a decoder of its own.
func (s *Session) fileStream() (*fileStream, error) { return s.fileStreamMax(0) }

// fileStreamMax is fileStream with lines of at most maxLine bytes (0: the
// reader's default); a longer one is an error.
func (s *Session) fileStreamMax(maxLine int) (*fileStream, error) {
	rc, err := s.src.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.src.Name, err)
	}
	// Small buffers: a replay server may stream one file to a thousand
	// clients at once.
	r := format.NewReader(rc, &format.ReaderOptions{Name: s.src.Name, Start: s.pos, BufferSize: 8 << 10, MaxLineSize: maxLine})
	return &fileStream{rc: rc, r: r, sr: format.NewSessionReader(r, s.id), free: make(chan *format.Event, prefetchDepth)}, nil
}

type sliceStream struct {
	evs []*format.Event
	i   int
}

func (s *sliceStream) Next() (*format.Event, error) {
	if s.i >= len(s.evs) {
		return nil, io.EOF
	}
	s.i++
	return s.evs[s.i-1], nil
}

func (s *sliceStream) Release(*format.Event) {} // shared: never reused

func (s *sliceStream) Close() error { return nil }

func (s *sliceStream) inMemory() {} // see prefetcher

// fileStream reads one session's lines from a recording, skipping the lines
// of other sessions, and ends after the session's close line.
type fileStream struct {
	rc   io.ReadCloser
	r    *format.Reader
	sr   *format.SessionReader // the session's lines of r
	free chan *format.Event    // released events, to decode into again
}

// maxReused is the largest payload storage an event released keeps for
// reuse: a large one goes, so that the events in circulation, counted by
// their payloads' length (prefetcher), hold no more than that.
const maxReused = 64 << 10

func (s *fileStream) Release(e *format.Event) {
	if cap(e.Data) > maxReused {
		return
	}
	select {
	case s.free <- e:
	default:
	}
}

func (s *fileStream) Next() (*format.Event, error) {
	var e *format.Event
	select {
	case e = <-s.free:
	default:
		e = new(format.Event)
	}
	err := s.sr.Decode(e)
	if errors.Is(err, format.ErrTruncated) {
		return nil, io.EOF // warned about when indexed
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

func (s *fileStream) Close() error {
	s.r.Close()
	return s.rc.Close()
}
