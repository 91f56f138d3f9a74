package export

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// Session is one recorded session as the modules replay it. Build it with
// Add, one event at a time, in file order. The zero value is an empty
// session.
type Session struct {
	ID          string
	URL         string // path and query, as recorded
	Subprotocol string
	Kind        format.Kind // what carried it: WebSocket, Socket.IO, SSE and poll sessions are exported
	// EngineIO is a Socket.IO session's open packet parameters; nil for
	// other kinds.
	EngineIO *format.EngineIO
	Start    time.Time
	Messages []Message
	// Ending is the recorded close; nil when there is none or when the
	// client closed (in a replay the client does its own closing).
	Ending *Ending
	// ClosedByClient reports a recorded close by the client.
	ClosedByClient bool
	Sent, Received int
	End            time.Time // time of the last line
	// Following says how the module follows the client's ids: set by
	// Follow; the zero value follows none.
	Following Following

	opening protocol.Opening // the session line's, for Follow
}

// Message is one message: its offset from the session's start and its
// payload, as text or (base64) binary.
type Message struct {
	At     time.Duration
	Dir    format.Dir
	Text   string
	Binary string // base64; set instead of Text for binary messages and invalid UTF-8
	IsText bool
	// Request, on a client message, is what the module pairs a live
	// message with it by; nil when it is no request the module follows.
	Request *Request
	// Echoes, on a server message, are the ids of requests it carries:
	// the module holds it until those requests have come live, and gives
	// it their live ids.
	Echoes []Echo
	// Guessed: the generic rule found Echoes; the module holds the
	// message at most genericHold past its time.
	Guessed bool
	// SSE is an event's id, type and retry (KindSSE); HTTP the request or
	// response whose body the message is (KindPoll). nil otherwise.
	SSE  *format.SSE
	HTTP *format.HTTP
}

// Ending is a recorded close: a close frame with Code and Reason, or, with
// Clean false, a drop (Code is then 1006).
type Ending struct {
	At     time.Duration
	Code   int
	Reason string
	Clean  bool
}

// Add takes the next event of the session.
func (s *Session) Add(e *format.Event) {
	if s.Start.IsZero() {
		s.Start = e.Time
	}
	if e.Time.After(s.End) {
		s.End = e.Time
	}
	switch e.Type {
	case format.TypeSession:
		s.ID, s.URL, s.Subprotocol, s.Start, s.Kind = e.Session, e.URL, e.Subprotocol, e.Time, e.Kind
		s.EngineIO = e.EngineIO
		s.opening = protocol.OpeningOf(e)
	case format.TypeMessage:
		if s.ID == "" {
			s.ID = e.Session
		}
		m := Message{At: e.Time.Sub(s.Start), Dir: e.Dir, SSE: e.SSE, HTTP: e.HTTP}
		if e.Opcode == format.Text && utf8.Valid(e.Data) {
			m.Text, m.IsText = string(e.Data), true
		} else {
			m.Binary = base64.StdEncoding.EncodeToString(e.Data)
		}
		if e.Dir == format.Send {
			s.Sent++
		} else {
			s.Received++
		}
		s.Messages = append(s.Messages, m)
	case format.TypeClose:
		if e.By == format.ByClient {
			s.ClosedByClient = true
			return
		}
		s.Ending = &Ending{At: e.Time.Sub(s.Start), Code: e.Code, Reason: e.Reason, Clean: e.Clean}
		if !e.Clean {
			s.Ending.Code, s.Ending.Reason = format.CodeAbnormal, ""
		}
	}
}

// path returns the recorded path without the query.
func (s *Session) path() string {
	p := s.URL
	for i := 0; i < len(p); i++ {
		if p[i] == '?' || p[i] == '#' {
			return p[:i]
		}
	}
	if p == "" {
		return "/"
	}
	return p
}

// endingText describes the ending for a comment.
func (s *Session) endingText() string {
	switch {
	case s.ClosedByClient:
		return "closed by the client (the mock leaves the closing to the page)"
	case s.Ending == nil:
		return "no recorded ending (the mock stays open)"
	case s.Ending.Clean:
		return "closed with " + strconv.Itoa(s.Ending.Code) + " " + jsString(s.Ending.Reason)
	}
	return "dropped without a close frame"
}

// streamEndingText describes how an event stream ended, for a comment.
func (s *Session) streamEndingText() string {
	switch {
	case s.ClosedByClient || s.Ending != nil && s.Ending.Code == 1001:
		return "the client left (the mock's stream stays open)"
	case s.Ending == nil:
		return "no recorded ending (the mock's stream stays open)"
	case s.Ending.Clean:
		return "the server ended the stream"
	}
	return "the stream was cut"
}

// ms writes a duration as milliseconds, to the microsecond.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Round(time.Microsecond))/float64(time.Millisecond), 'f', -1, 64)
}
