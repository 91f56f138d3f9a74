package replayer

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// The timeline pages and the control API read a session's messages by
// number, a few hundred at a time, from sessions of millions. A
// sessionIndex makes that cheap without holding the session: one pass over
// it notes its figures (as "wsreplay ls" gives them), a histogram of its
// messages over time, and where in the recording every indexStride-th
// message starts; a range is then read from the nearest checkpoint before
// it. A plain file is seeked to it; a compressed one is decompressed up to
// it (gzip and zstd allow nothing better).
const (
	indexStride = 256
	histBins    = 512
)

// sessionIndex describes one session of a Catalog. It is built once and
// then read only, so it is safe for concurrent use.
type sessionIndex struct {
	sess     *Session
	total    int // messages, both directions, heartbeats included
	sent     int // client to server
	received int // server to client
	bytes    int64
	duration time.Duration // offset of the last line
	closed   bool          // the recording has a close line
	close    format.Event  // that line (its ending)
	marks    []checkpoint  // message 1, indexStride+1, 2*indexStride+1, ...
	hist     histogram
	// profile is the session's protocol (nil: none), which describes its
	// messages (msgproto.go). resync, for a profile that is a
	// protocol.Framer, holds per checkpoint where its Splitter must start
	// to be in the state it is in at that checkpoint.
	profile protocol.Profile
	resync  []checkpoint
	// partial marks a stand-in for an index being built: it has no
	// figures, and scan reads from the session's start.
	partial bool
}

// checkpoint is where message seq starts in the session's recording.
type checkpoint struct {
	seq int
	pos format.Position
	off time.Duration // recorded offset of message seq
}

// histogram counts messages per direction in histBins bins of equal width
// from the session's start; the width doubles (merging pairs of bins) as
// later messages come, so that the bins always cover the whole session.
type histogram struct {
	Width time.Duration   `json:"bin_ns"`
	Send  [histBins]int32 `json:"send"`
	Recv  [histBins]int32 `json:"receive"`
}

func (h *histogram) add(off time.Duration, dir format.Dir) {
	if h.Width == 0 {
		h.Width = time.Millisecond
	}
	off = max(off, 0)
	for off >= h.Width*histBins {
		for i := 0; i < histBins/2; i++ {
			h.Send[i] = h.Send[2*i] + h.Send[2*i+1]
			h.Recv[i] = h.Recv[2*i] + h.Recv[2*i+1]
		}
		clear(h.Send[histBins/2:])
		clear(h.Recv[histBins/2:])
		h.Width *= 2
	}
	if dir == format.Send {
		h.Send[off/h.Width]++
	} else {
		h.Recv[off/h.Width]++
	}
}

// indexes builds and keeps the sessions' indexes, one build at a time per
// session. The zero value is ready to use; it is safe for concurrent use.
type indexes struct {
	mu   sync.Mutex
	byID map[*Session]*indexEntry
}

type indexEntry struct {
	done chan struct{} // closed when idx and err are set
	idx  *sessionIndex
	err  error
}

// get returns the index of s, building it on first use with the protocol
// profile finds (nil: none); callers asking meanwhile wait for that build.
func (x *indexes) get(s *Session, profile func(*Session) protocol.Profile) (*sessionIndex, error) {
	x.mu.Lock()
	if x.byID == nil {
		x.byID = map[*Session]*indexEntry{}
	}
	e := x.byID[s]
	build := e == nil
	if build {
		e = &indexEntry{done: make(chan struct{})}
		x.byID[s] = e
	}
	x.mu.Unlock()
	if build {
		e.idx, e.err = buildIndex(s, profile)
		close(e.done)
	}
	<-e.done
	return e.idx, e.err
}

// built returns the index of s if it has been built, else nil, without
// waiting.
func (x *indexes) built(s *Session) *sessionIndex {
	x.mu.Lock()
	e := x.byID[s]
	x.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.done:
		return e.idx
	default:
		return nil
	}
}

// buildIndex reads s once and indexes it, with the protocol profile
// finds (nil: none).
func buildIndex(s *Session, profile func(*Session) protocol.Profile) (*sessionIndex, error) {
	idx := &sessionIndex{sess: s}
	if profile != nil {
		idx.profile = profile(s)
	}
	var tr *splitTrack
	if f, ok := idx.profile.(protocol.Framer); ok {
		tr = &splitTrack{cut: cutter{sp: f.NewSplitter()}}
	}
	err := s.each(format.Position{}, func(pos format.Position, e *format.Event, off time.Duration) bool {
		idx.add(pos, e, off, tr)
		return true
	})
	return idx, err
}

func (idx *sessionIndex) add(pos format.Position, e *format.Event, off time.Duration, tr *splitTrack) {
	idx.duration = max(idx.duration, off)
	switch e.Type {
	case format.TypeMessage:
		at := checkpoint{seq: idx.total + 1, pos: pos, off: off}
		if idx.total%indexStride == 0 {
			idx.marks = append(idx.marks, at)
			if tr != nil {
				idx.resync = append(idx.resync, tr.resyncFor(at))
			}
		}
		if tr != nil {
			tr.feed(at, e)
		}
		idx.total++
		idx.bytes += int64(len(e.Data))
		if e.Dir == format.Send {
			idx.sent++
		} else {
			idx.received++
		}
		idx.hist.add(off, e.Dir)
	case format.TypeClose:
		idx.closed = true
		idx.close = format.Event{Type: e.Type, By: e.By, Code: e.Code, Reason: e.Reason, Clean: e.Clean, Time: e.Time}
	}
}

// each calls fn for the events of s from the line at start (the session's
// first line if start is zero), with the position of each line and its
// offset from the session's start, until fn returns false or the session
// ends. The event is reused: fn must not keep it.
func (s *Session) each(start format.Position, fn func(format.Position, *format.Event, time.Duration) bool) error {
	if s.src == nil || s.events != nil || s.har {
		return s.eachHeld(start, fn)
	}
	if start == (format.Position{}) {
		start = s.pos
	}
	rc, err := s.src.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", s.src.Name, err)
	}
	defer rc.Close()
	r := format.NewReader(rc, &format.ReaderOptions{Name: s.src.Name, Start: start})
	defer r.Close()
	sr := format.NewSessionReader(r, s.id)
	var e format.Event
	for {
		err := sr.Decode(&e)
		if err == io.EOF || errors.Is(err, format.ErrTruncated) {
			return nil // a torn tail was warned about when indexed
		}
		if err != nil {
			return err
		}
		if !fn(sr.LinePos(), &e, e.Time.Sub(s.Start)) {
			return nil
		}
	}
}

// eachHeld is each for a session held whole while it is read: one in
// memory, or a HAR entry (read again from its offset). A position is the
// event's index.
func (s *Session) eachHeld(start format.Position, fn func(format.Position, *format.Event, time.Duration) bool) error {
	evs := s.events
	if s.har {
		st, err := s.harStream()
		if err != nil {
			return err
		}
		evs = st.evs
	}
	for i, e := range evs {
		if i >= int(start.Offset) && !fn(format.Position{Offset: int64(i)}, e, e.Time.Sub(s.Start)) {
			return nil
		}
	}
	return nil
}

// seqAt returns the number of the first message recorded at or after off
// (total+1 if there is none).
func (idx *sessionIndex) seqAt(off time.Duration) (int, error) {
	// The last checkpoint before off, then message by message.
	i := sort.Search(len(idx.marks), func(i int) bool { return idx.marks[i].off >= off })
	from := 1
	if i > 0 {
		from = idx.marks[i-1].seq
	}
	found := idx.total + 1
	err := idx.scan(from, func(seq int, _ *format.Event, o time.Duration) bool {
		if o >= off {
			found = seq
			return false
		}
		return true
	})
	return found, err
}

// scan calls fn for the messages of the session from number from on, with
// their numbers and offsets, until fn returns false or the session ends.
func (idx *sessionIndex) scan(from int, fn func(seq int, e *format.Event, off time.Duration) bool) error {
	return idx.scanFrom(from, false, fn)
}

// scanFrom is scan that, with resync, starts reading where a Splitter of
// the session's profile must start to cut message from as it is cut in a
// reading of the whole session (fn is then called for messages before
// from too).
func (idx *sessionIndex) scanFrom(from int, resync bool, fn func(seq int, e *format.Event, off time.Duration) bool) error {
	from = max(from, 1)
	var start format.Position
	seq := 0
	if !idx.partial {
		if from > idx.total {
			return nil
		}
		i := (from - 1) / indexStride
		cp := idx.marks[i]
		if resync && i < len(idx.resync) {
			cp, from = idx.resync[i], idx.resync[i].seq
		}
		start, seq = cp.pos, cp.seq-1
	} else if resync {
		from = 1
	}
	return idx.sess.each(start, func(_ format.Position, e *format.Event, off time.Duration) bool {
		if e.Type != format.TypeMessage {
			return true
		}
		seq++
		if seq < from {
			return true
		}
		return fn(seq, e, off)
	})
}
