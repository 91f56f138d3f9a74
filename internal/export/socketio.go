package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// A Socket.IO session is exported as a mock of its server over Engine.IO
// 4's WebSocket transport, as "wsreplay serve" answers it
// (replayer/engineio_play.go): the module sends its own open packet with a
// fresh sid and the recorded ping parameters, pings live, answers each
// namespace CONNECT at once and holds a namespace's events until the
// client has joined it, sends a binary event with its attachments as one
// unit, and sends each recorded ack answer under the ack id the client
// used for the emit it answers (same namespace, event and occurrence),
// never before that emit. What the recording's Engine.IO did (its open,
// pings, probes, upgrade, CONNECT answers) is left out: the module makes
// its own. The transport the recording was made on does not matter.

// sioItem is one entry of a Socket.IO module's timeline: a server packet
// (with its attachments) to send, or a client emit to wait for.
type sioItem struct {
	At          time.Duration
	Dir         format.Dir
	NS          string
	Text        string   // receive: the packet
	Attachments []string // receive: base64 binary packets sent right after it
	Event       string   // send: the emit's event; receive: the emit an ack answers
	K           int      // the occurrence (from 0) of that event in NS
	Answers     bool     // receive: an ack answer for emit (Event, K)
}

// sioTimeline reads a Socket.IO session into the module's timeline. It
// fails on what the module cannot do: Engine.IO 3 (Socket.IO 2), and a
// binary packet whose attachments the recording lacks. left counts ack
// answers for no recorded emit, which are left out as serve leaves them.
func sioTimeline(s *Session) (items []sioItem, left int, err error) {
	if v := s.engineIOVersion(); v != 4 {
		return nil, 0, fmt.Errorf("session %s is Engine.IO %d (Socket.IO 2): export mocks Engine.IO 4 (Socket.IO 3 and 4) only; serve replays it", s.ID, v)
	}
	emits := map[[2]string]int{} // the client's emits so far, by namespace and event
	acks := map[string]sioItem{} // "ns id" of a recorded emit that asked for an ack
	var open *sioItem            // a binary packet waiting for its attachments
	need := 0                    // attachments it still waits for
	for i := range s.Messages {
		m := &s.Messages[i]
		if !m.IsText {
			if m.Dir == format.Receive && need > 0 {
				open.Attachments = append(open.Attachments, m.Binary)
				need--
			}
			continue // the client's attachments are its own; a stray one is nothing
		}
		if need > 0 {
			return nil, 0, fmt.Errorf("session %s: the binary packet at %s ms has %d attachments, the recording %d: nothing to send in their place",
				s.ID, ms(open.At), need+len(open.Attachments), len(open.Attachments))
		}
		sio, ok := engineio.ParseSocketIO([]byte(m.Text))
		switch {
		case !ok && m.Dir == format.Receive && len(m.Text) > 0 && m.Text[0] == engineio.Close:
			items = append(items, sioItem{At: m.At, Dir: format.Receive, NS: "/", Text: m.Text})
		case !ok || sio.Type == engineio.SIOConnect:
			// Open, pings, probes, upgrade, noop, CONNECTs: made live.
		case m.Dir == format.Send:
			ev, isEvent := sio.Event()
			if !isEvent {
				continue // the client's ack answers: its own
			}
			key := [2]string{sio.Path(), ev}
			it := sioItem{At: m.At, Dir: format.Send, NS: key[0], Event: ev, K: emits[key]}
			emits[key]++
			if sio.HasID {
				acks[fmt.Sprint(key[0], " ", sio.ID)] = it
			}
			items = append(items, it)
		default:
			it := sioItem{At: m.At, Dir: format.Receive, NS: sio.Path(), Text: m.Text}
			if sio.Type == engineio.SIOAck || sio.Type == engineio.SIOBinaryAck {
				emit, ok := acks[fmt.Sprint(it.NS, " ", sio.ID)]
				if !ok {
					left++
					continue
				}
				it.Event, it.K, it.Answers = emit.Event, emit.K, true
			}
			items = append(items, it)
			if need = sio.Attachments; need > 0 {
				open = &items[len(items)-1]
			}
		}
	}
	if need > 0 {
		return nil, 0, fmt.Errorf("session %s: the binary packet at %s ms has %d attachments, the recording %d: nothing to send in their place",
			s.ID, ms(open.At), need+len(open.Attachments), len(open.Attachments))
	}
	return items, left, nil
}

// engineIOVersion is the session's Engine.IO revision: its session line's,
// or the EIO= of its URL.
func (s *Session) engineIOVersion() int {
	if s.EngineIO != nil && s.EngineIO.Version != 0 {
		return s.EngineIO.Version
	}
	if strings.Contains(s.URL, "EIO=3") {
		return 3
	}
	return 4
}

// sioLiteral writes one timeline item on one line.
func sioLiteral(it *sioItem, asJSON bool) string {
	key := func(k string) string {
		if asJSON {
			return `"` + k + `": `
		}
		return k + ": "
	}
	quote := jsQuote
	if asJSON {
		quote = jsString
	}
	var b strings.Builder
	b.WriteString("{ " + key("at") + ms(it.At) + ", " + key("dir") + jsString(string(it.Dir)) + ", " + key("ns") + jsString(it.NS))
	if it.Dir == format.Send {
		b.WriteString(", " + key("event") + jsString(it.Event) + ", " + key("k") + itoa(it.K) + " }")
		return b.String()
	}
	b.WriteString(", " + key("text") + quote(it.Text))
	if len(it.Attachments) > 0 {
		b.WriteString(", " + key("attachments") + "[")
		for i, a := range it.Attachments {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jsString(a))
		}
		b.WriteString("]")
	}
	if it.Answers {
		b.WriteString(", " + key("answers") + "{ " + key("event") + jsString(it.Event) + ", " + key("k") + itoa(it.K) + " }")
	}
	b.WriteString(" }")
	return b.String()
}

// sioArray writes the timeline as an array, one item a line.
func sioArray(items []sioItem, asJSON bool) string {
	lines := make([]string, len(items))
	for i := range items {
		lines[i] = sioLiteral(&items[i], asJSON)
	}
	return arrayLines(lines, asJSON)
}

// arrayLines writes literals as an array, one a line: as JavaScript (with
// trailing commas, as Prettier writes it) or as JSON.
func arrayLines(lines []string, asJSON bool) string {
	if len(lines) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteString("[\n")
	for i, l := range lines {
		b.WriteString("  " + l)
		if !asJSON || i < len(lines)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]")
	return b.String()
}

// sioParams writes the ping parameters the module's open packet announces:
// the recorded ones, or Socket.IO's defaults where the recording has none.
func sioParams(s *Session) string {
	interval, timeout, maxPayload := int64(25000), int64(20000), int64(1000000)
	if e := s.EngineIO; e != nil {
		if e.PingInterval > 0 {
			interval = e.PingInterval
		}
		if e.PingTimeout > 0 {
			timeout = e.PingTimeout
		}
		if e.MaxPayload > 0 {
			maxPayload = e.MaxPayload
		}
	}
	return fmt.Sprintf("{ pingInterval: %d, pingTimeout: %d, maxPayload: %d }", interval, timeout, maxPayload)
}
