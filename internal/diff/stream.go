package diff

import (
	"errors"
	"io"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
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

	// Until ready, messages join buf as they are, for the side's
	// protocol to be found from its first ones (detect); then each is
	// canonicalized as it comes, its ids renamed by ids (nil: none).
	ready  bool
	detect *protocol.Detector
	ids    *idTokens
	prof   protocol.Profile // the side's protocol, once ready; nil if none
	sio    bool             // prof is Socket.IO's: packets compared by meaning
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
		if s.detect == nil {
			s.detect = protocol.Set(nil).Detector(protocol.OpeningOf(e))
		}
	case format.TypeMessage:
		s.seq++
		m := &Message{Seq: s.seq, Offset: e.Time.Sub(s.start), Dir: e.Dir, Opcode: e.Opcode, Data: e.Data, SSE: e.SSE, HTTP: e.HTTP}
		if s.detect == nil {
			s.detect = protocol.Set(nil).Detector(protocol.Opening{}) // a cut recording: from its messages
		}
		if !s.ready {
			s.detect.Message(protocol.MessageOf(e))
		} else if s.sio && sioTransport(m) {
			return
		} else {
			s.canonicalize(m)
		}
		s.buf = append(s.buf, m)
	case format.TypeClose:
		s.ending = &Ending{By: e.By, Code: e.Code, Reason: e.Reason, Clean: e.Clean, Offset: e.Time.Sub(s.start)}
	}
}

// canonicalize sets m's comparison key, its ids renamed if s renames them.
func (s *side) canonicalize(m *Message) {
	var swaps swapper
	if s.ids != nil {
		swaps = s.ids.swaps(protocol.Message{Dir: m.Dir, Binary: m.Opcode == format.Binary, Data: m.Data})
	}
	m.profile = s.prof
	m.canonicalize(s.ignore, swaps, s.sio)
}

// prime reads the side's first n messages (fewer if it ends), for its
// protocol to be found and, with none, where its ids are.
func (s *side) prime(n int) error {
	return s.fill(n)
}

// settle makes s ready: its ids renamed through e (nil: not renamed), at
// the places only names (nil: all), and the messages read so far
// canonicalized.
func (s *side) settle(e protocol.Echoer, only map[string]bool) {
	if e != nil {
		s.ids = newIDTokens(e)
		s.ids.only = only
	}
	s.ready = true
	s.prof = s.profile()
	s.sio = s.prof != nil && s.prof.Name() == (protocol.SocketIO{}).Name()
	kept := s.buf[:s.head]
	for _, m := range s.pending() {
		if s.sio && sioTransport(m) {
			continue
		}
		s.canonicalize(m)
		kept = append(kept, m)
	}
	clear(s.buf[len(kept):])
	s.buf = kept
}

// profile returns the protocol found for s, nil if none.
func (s *side) profile() protocol.Profile { return s.detect.Profile() }
