package format

import (
	"errors"
	"io"
	"strconv"
	"time"
)

// Summary describes one recorded session, as "wsreplay ls" lists it.
type Summary struct {
	Session     string
	Start       time.Time // from the session line, else the first line seen
	End         time.Time // time of the last line seen
	URL         string
	Subprotocol string
	Kind        Kind   // what carried the session
	Protocol    string // the protocol the session line names ("signalr"), "" if none
	Transport   string // the SignalR HTTP transport the session line names, "" if none
	Sent        int    // messages client to server
	Received    int    // messages server to client
	Bytes       int64  // payload bytes, both directions
	Closed      bool   // a close line was seen
	By          string
	Code        int
	Reason      string
	Clean       bool
	Lost        int64
}

// Duration is the time from the session's start to its last line.
func (s *Summary) Duration() time.Duration { return s.End.Sub(s.Start) }

// Ending describes how the session ended: "1000 clean", "1006 drop", or
// "open" when the recording has no close line.
func (s *Summary) Ending() string {
	switch {
	case !s.Closed:
		return "open"
	case s.Clean:
		return strconv.Itoa(s.Code) + " clean"
	default:
		return strconv.Itoa(s.Code) + " drop"
	}
}

// Summarize reads r to the end and summarizes its sessions in the order
// they start. If reading stops with an error, the sessions read so far are
// returned with it; an ErrTruncated error still leaves a useful result.
func Summarize(r *Reader) ([]*Summary, error) {
	var z Summarizer
	for {
		e, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return z.Summaries(), err
		}
		z.Add(e)
	}
}

// Summarizer summarizes events fed to it one at a time, in file order, from
// any source (a Reader, a HAR file). The zero value is ready to use. It is
// not safe for concurrent use.
type Summarizer struct {
	order []*Summary
	byID  map[string]*Summary
}

// Add counts e in its session's summary. It keeps nothing of e but
// strings and numbers, so e may be reused.
func (z *Summarizer) Add(e *Event) {
	if z.byID == nil {
		z.byID = map[string]*Summary{}
	}
	s := z.byID[e.Session]
	if s == nil {
		s = &Summary{Session: e.Session, Start: e.Time}
		z.byID[e.Session] = s
		z.order = append(z.order, s)
	}
	s.add(e)
}

// Summaries returns the sessions seen so far, in the order they started.
func (z *Summarizer) Summaries() []*Summary { return z.order }
