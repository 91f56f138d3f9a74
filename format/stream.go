package format

import (
	"errors"
	"io"
	"sort"
)

// SummarizeEach reads r to the end and calls fn with each session's
// Summary as soon as the session's close line is read, then with the
// sessions still open at the end, in the order they started. Memory follows
// the sessions open at a time, not the sessions of the file: a file of
// millions of short sessions is listed in the memory of a few. Events are
// decoded into one reused Event.
//
// It stops at the first error of r or of fn; an ErrTruncated error comes
// after fn has had every session read before it, open ones included.
func SummarizeEach(r *Reader, fn func(*Summary) error) error {
	z := NewEachSummary(fn)
	var e Event
	for {
		err := r.Decode(&e)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if ferr := z.Close(); err == nil {
				err = ferr
			}
			return err
		}
		if err := z.Add(&e); err != nil {
			return err
		}
	}
}

// EachSummary summarizes events fed to it one at a time, from any source
// (a Reader, a HAR file), and hands out each session's Summary as soon as
// its close line is added, letting it go; Close hands out the sessions
// still open, in the order they began. It is not safe for concurrent use.
type EachSummary struct {
	fn   func(*Summary) error
	open map[string]*openSummary
	seq  int
}

// NewEachSummary returns an EachSummary that hands summaries to fn.
func NewEachSummary(fn func(*Summary) error) *EachSummary {
	return &EachSummary{fn: fn, open: map[string]*openSummary{}}
}

// Add counts e, which may be reused afterwards, and hands out its
// session's Summary if e ends it, returning fn's error.
func (z *EachSummary) Add(e *Event) error {
	o := z.open[e.Session]
	if o == nil {
		z.seq++
		o = &openSummary{seq: z.seq, Summary: Summary{Session: e.Session, Start: e.Time}}
		z.open[e.Session] = o
	}
	o.add(e)
	if e.Type != TypeClose {
		return nil
	}
	delete(z.open, e.Session)
	return z.fn(&o.Summary)
}

// Close hands out the sessions still open, in the order they began.
func (z *EachSummary) Close() error {
	err := flushOpen(z.open, z.fn)
	clear(z.open)
	return err
}

// openSummary is a Summary whose session has not ended, with the order in
// which it began.
type openSummary struct {
	seq int
	Summary
}

// add counts e in the summary, keeping nothing of e but strings and
// numbers (e is reused).
func (s *Summary) add(e *Event) {
	if e.Time.After(s.End) {
		s.End = e.Time
	}
	switch e.Type {
	case TypeSession:
		s.Start, s.URL, s.Subprotocol, s.Kind = e.Time, e.URL, e.Subprotocol, e.Kind
		s.Protocol, s.Transport = e.Protocol, e.Transport
	case TypeMessage:
		if e.Dir == Send {
			s.Sent++
		} else {
			s.Received++
		}
		s.Bytes += int64(len(e.Data))
	case TypeClose:
		s.Closed, s.By, s.Code, s.Reason, s.Clean, s.Lost = true, e.By, e.Code, e.Reason, e.Clean, e.Lost
	}
}

// flushOpen hands out the sessions left open, in the order they began.
func flushOpen(open map[string]*openSummary, fn func(*Summary) error) error {
	left := make([]*openSummary, 0, len(open))
	for _, o := range open {
		left = append(left, o)
	}
	sort.Slice(left, func(i, j int) bool { return left[i].seq < left[j].seq })
	for _, o := range left {
		if err := fn(&o.Summary); err != nil {
			return err
		}
	}
	return nil
}
