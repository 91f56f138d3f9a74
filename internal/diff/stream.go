package diff

import (
	"errors"
	"io"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Ending is how a session ended, from its close line.
type Ending struct {
	By     string
	Code   int
	Reason string
	Clean  bool
	Offset time.Duration
}

// side buffers the messages of one stream that are not aligned yet: at
// most the window's worth.
type side struct {
	src    format.Stream
	ignore []Path
	buf    []*Message // buf[head:] are pending
	head   int
	eof    bool
	start  time.Time
	seq    int
	ending *Ending
	URL    string
}

func (s *side) len() int            { return len(s.buf) - s.head }
func (s *side) at(i int) *Message   { return s.buf[s.head+i] }
func (s *side) pending() []*Message { return s.buf[s.head:] }

func (s *side) pop(n int) {
	for i := s.head; i < s.head+n; i++ {
		s.buf[i] = nil // let the message go
	}
	s.head += n
}

// fill reads until n messages are pending or the stream ends.
func (s *side) fill(n int) error {
	if s.head > 0 && s.head >= len(s.buf)/2 {
		s.buf = append(s.buf[:0], s.buf[s.head:]...)
		s.head = 0
	}
	for !s.eof && s.len() < n {
		e, err := s.src.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, format.ErrTruncated) {
			s.eof = true // a torn tail ends the session: the caller warns
			break
		}
		if err != nil {
			return err
		}
		s.add(e)
	}
	return nil
}

// add takes one event: a message joins the buffer, a session or close line
// sets the start or the ending; pings and pongs are not compared.
func (s *side) add(e *format.Event) {
	if s.start.IsZero() {
		s.start = e.Time
	}
	switch e.Type {
	case format.TypeSession:
		s.start, s.URL = e.Time, e.URL
	case format.TypeMessage:
		s.seq++
		m := &Message{Seq: s.seq, Offset: e.Time.Sub(s.start), Dir: e.Dir, Opcode: e.Opcode, Data: e.Data}
		m.canonicalize(s.ignore)
		s.buf = append(s.buf, m)
	case format.TypeClose:
		s.ending = &Ending{By: e.By, Code: e.Code, Reason: e.Reason, Clean: e.Clean, Offset: e.Time.Sub(s.start)}
	}
}
