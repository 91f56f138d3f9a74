package driver

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/protocol"
)

// MaxScriptBytes bounds the payload bytes of one recorded session a Script
// holds: a session is played many times over, so it is held in memory.
const MaxScriptBytes = 256 << 20

// Script is one recorded session, ready to be played against a target:
// its opening, its messages in recorded order, and its ending. A Script
// is read-only once loaded and may be played by many runs at once. Get
// Scripts from LoadScripts: one made otherwise is not ready to play.
type Script struct {
	// Name says where the session came from ("bug.ndjson: 7f3a9c2e").
	Name string
	// Open is the session line.
	Open *format.Event
	// Messages are the session's messages in recorded order, both
	// directions.
	Messages []*format.Event
	// Close is the close line; nil when the recording has none.
	Close *format.Event

	profile protocol.Profile
	granted *protocol.Granted // what the recorded server granted; each run takes a Fresh one
	steps   []step
	servers int // the server messages a run waits for (transport packets left out)
}

// step is one recorded message as a run plays it.
type step struct {
	ev     *format.Event
	offset time.Duration // from the session's start
	// after is, for a client message, how many server messages came
	// before it in the recording: it is sent when as many have arrived.
	after int
	// gap is the time from the last of those (or the start) to it.
	gap time.Duration
	// answer is the recorded time from a client message to the first
	// server message after it, before the next client message; -1: none.
	answer time.Duration
	// server is a server message's index among the server messages.
	server int
}

// LoadScripts reads every session of a recording (a stream whose sessions may
// interleave) into Scripts, in the order they start. name names the
// recording in errors and in each Script's Name.
func LoadScripts(r format.Stream, name string) ([]*Script, error) {
	var order []*Script
	byID := map[string]*Script{}
	size := 0
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) || errors.Is(err, format.ErrTruncated) {
			break
		}
		if err != nil {
			return nil, err
		}
		s := byID[e.Session]
		switch {
		case e.Type == format.TypeSession:
			s = &Script{Name: name + ": " + e.Session, Open: e}
			byID[e.Session] = s
			order = append(order, s)
		case s == nil || s.Close != nil:
			continue // a session cut from its start, or lines after its end
		case e.Type == format.TypeMessage:
			if size += len(e.Data); size > MaxScriptBytes {
				return nil, fmt.Errorf("%s: more than %d MiB of messages to hold", name, MaxScriptBytes>>20)
			}
			s.Messages = append(s.Messages, e)
		case e.Type == format.TypeClose:
			s.Close = e
		}
	}
	for _, s := range order {
		if err := s.prepare(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return order, nil
}

// prepare finds the session's protocol and the steps a run plays.
func (s *Script) prepare() error {
	switch s.Open.Kind {
	case format.KindWebSocket, format.KindSocketIO, format.KindSSE, format.KindPoll:
	default:
		return fmt.Errorf("a %s session: drive plays WebSocket, Socket.IO, event stream and poll sessions", s.Open.Kind)
	}
	if _, err := url.ParseRequestURI(s.Open.URL); err != nil {
		return fmt.Errorf("recorded url %q: %w", s.Open.URL, err)
	}
	det := protocol.Set(nil).Detector(protocol.OpeningOf(s.Open))
	for i := 0; i < len(s.Messages) && i < protocol.MaxFirst; i++ {
		det.Message(protocol.MessageOf(s.Messages[i]))
	}
	s.profile = det.Profile()
	s.steps = s.plan()
	s.granted = protocol.NewGranted(messagesOf(s), envelope(s.profile))
	return nil
}

// plan turns the messages into steps: transport packets (Engine.IO's
// handshake, pings, probes) are the transport's, made live by it, and
// left out.
func (s *Script) plan() []step {
	start := s.Open.Time
	var steps []step
	last := time.Duration(0)
	for _, e := range s.Messages {
		if s.unpaced(e) {
			continue
		}
		st := step{ev: e, offset: e.Time.Sub(start), answer: -1}
		if e.Dir == format.Receive {
			st.server = s.servers
			s.servers++
			last = st.offset
			if n := len(steps); n > 0 && steps[n-1].ev.Dir == format.Send {
				for i := n - 1; i >= 0 && steps[i].ev.Dir == format.Send && steps[i].after == s.servers-1; i-- {
					if steps[i].answer < 0 {
						steps[i].answer = st.offset - steps[i].offset
					}
				}
			}
		} else {
			st.after, st.gap = s.servers, max(st.offset-last, 0)
		}
		steps = append(steps, st)
	}
	return steps
}

// unpaced reports an Engine.IO packet of the transport's own,
// which a run's Engine.IO client makes itself, and a heartbeat a server
// sends on its own clock (a profile's HeartbeatSender: Centrifuge's {},
// ActionCable's ping): neither answers a client message, and their number
// follows the session's length, so a run counts neither.
func (s *Script) unpaced(e *format.Event) bool {
	if _, ok := s.profile.(protocol.HeartbeatSender); ok && e.Dir == format.Receive {
		if s.profile.Describe(protocol.MessageOf(e)).Heartbeat {
			return true
		}
	}
	if s.Open.Kind != format.KindSocketIO || e.Opcode != format.Text || len(e.Data) == 0 {
		return false
	}
	switch e.Data[0] {
	case engineio.Open, engineio.Ping, engineio.Pong, engineio.Upgrade, engineio.Noop, engineio.Close:
		return true
	}
	return false
}

// upgrades reports a Socket.IO session whose recording shows the
// WebSocket transport.
func (s *Script) upgrades() bool {
	for _, e := range s.Messages {
		if e.Transport == "websocket" {
			return true
		}
	}
	return false
}
