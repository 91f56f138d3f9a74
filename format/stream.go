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
	open := map[string]*openSummary{}
	seq := 0
	var e Event
	for {
		err := r.Decode(&e)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if ferr := flushOpen(open, fn); err == nil {
				err = ferr
			}
			return err
		}
		o := open[e.Session]
		if o == nil {
			seq++
			o = &openSummary{seq: seq, Summary: Summary{Session: e.Session, Start: e.Time}}
			open[e.Session] = o
		}
		o.add(&e)
		if e.Type == TypeClose {
			delete(open, e.Session)
			if err := fn(&o.Summary); err != nil {
				return err
			}
		}
	}
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
		s.Start, s.URL, s.Subprotocol = e.Time, e.URL, e.Subprotocol
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
