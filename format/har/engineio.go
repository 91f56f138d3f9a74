package har

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// A Socket.IO page's HAR holds its Engine.IO session in pieces: the
// handshake and every later polling request as XHR entries, and the
// upgraded WebSocket as a websocket entry, all naming one sid. A Reader
// puts them together as one socketio session, as wsreplay record does: a
// message per packet, with the transport that carried it. It holds them
// until the last entry (polling bodies are small), and returns them after
// the other sessions.

// sioEntries collects the Engine.IO entries of a HAR file, by sid.
//
// The packets of polling bodies are held until the last entry, each as an
// event, which costs far more than the bytes it came from (a one-byte
// packet and its separator, 7 bytes of JSON, become an event of some 320
// bytes): the packets held have a budget of sioBudgetPerByte times the
// input read so far, plus sioBudgetBase; past it a polling body's packets
// are left out and counted (dropped).
type sioEntries struct {
	order   []string           // sids, by their handshake
	bySID   map[string]*sioHAR // sid -> its session
	input   int64              // bytes of the HAR read so far; the Reader sets it
	held    int64              // what the polling packets held cost
	dropped int                // polling packets left out for the budget
}

// The budget of the polling packets a Reader holds (see sioEntries).
const (
	sioBudgetPerByte = 8
	sioBudgetBase    = 16 << 20
	sioEventCost     = 320 // a format.Event, as allocated
)

// keep reports whether one more polling packet of n bytes fits the budget,
// and counts it held, or dropped.
func (s *sioEntries) keep(n int) bool {
	cost := int64(sioEventCost + n)
	if s.held+cost > sioBudgetPerByte*s.input+sioBudgetBase {
		s.dropped++
		return false
	}
	s.held += cost
	return true
}

type sioHAR struct {
	first   int // index of the handshake entry
	line    *format.Event
	packets []*format.Event
}

// take keeps ent if it is an Engine.IO entry, and reports whether it was.
func (s *sioEntries) take(ent harEntry, i int) bool {
	u, err := url.Parse(ent.Request.URL)
	if err != nil {
		return false
	}
	q, ok := engineio.ParseQuery(u.Query())
	if !ok {
		return false
	}
	if s.bySID == nil {
		s.bySID = map[string]*sioHAR{}
	}
	start, _ := time.Parse(time.RFC3339Nano, ent.StartedDateTime)
	start = start.UTC()
	end := start.Add(time.Duration(ent.Time * float64(time.Millisecond)))
	switch {
	case q.Transport == "websocket":
		s.socket(ent, q, start, i)
	case ent.Request.Method == "POST" && ent.Request.PostData != nil:
		s.add(q.SID, format.Send, start, q.Version, []byte(ent.Request.PostData.Text), ent.Request.PostData.MimeType)
	case ent.Response.Content != nil && ent.Response.Status == 200:
		body := []byte(ent.Response.Content.Text)
		if ent.Response.Content.Encoding == "base64" {
			body, _ = base64.StdEncoding.DecodeString(ent.Response.Content.Text)
		}
		if q.SID == "" {
			s.handshake(ent, q, i, start, end, body)
			return true
		}
		s.add(q.SID, format.Receive, end, q.Version, body, ent.Response.Content.MimeType)
	default:
		return false // not an exchange that carries packets: not Engine.IO's to keep
	}
	return true
}

// handshake starts the session of the sid the open packet in body names.
func (s *sioEntries) handshake(ent harEntry, q engineio.Query, i int, start, end time.Time, body []byte) {
	binary := strings.HasPrefix(ent.Response.Content.MimeType, "application/octet-stream")
	var o engineio.OpenParams
	for pk, err := range engineio.Packets(q.Version, body, binary) {
		if err == nil {
			o, _ = engineio.ParseOpen(pk.Data)
		}
		break
	}
	if o.SID == "" {
		return
	}
	id := fmt.Sprintf("har-%d", i)
	line := harSessionLine(ent, id, start)
	line.Kind = format.KindSocketIO
	line.EngineIO = &format.EngineIO{Version: q.Version, SID: o.SID, PingInterval: o.PingInterval,
		PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, Upgrades: o.Upgrades}
	sh := &sioHAR{first: i, line: line}
	s.bySID[o.SID] = sh
	s.order = append(s.order, o.SID)
	s.addPackets(sh, format.Receive, end, q.Version, body, binary)
}

// socket adds a websocket entry's frames to the session of its sid; one
// without a sid (the client began on the WebSocket) is a session of its
// own, opened by the open packet it carries.
func (s *sioEntries) socket(ent harEntry, q engineio.Query, start time.Time, i int) {
	msgs, _, err := harMessages(ent.Messages, "")
	if err != nil {
		return
	}
	sid := q.SID
	if sid == "" && len(msgs) > 0 {
		o, ok := engineio.ParseOpen(msgs[0].Data)
		if !ok {
			return
		}
		sid = o.SID
		line := harSessionLine(ent, fmt.Sprintf("har-%d", i), start)
		line.Kind = format.KindSocketIO
		line.Subprotocol = ""
		line.EngineIO = &format.EngineIO{Version: q.Version, SID: o.SID, PingInterval: o.PingInterval,
			PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, Upgrades: o.Upgrades}
		s.bySID[sid] = &sioHAR{first: i, line: line}
		s.order = append(s.order, sid)
	}
	sh := s.bySID[sid]
	if sh == nil {
		return
	}
	for _, m := range msgs {
		m.Session, m.Transport = sh.line.Session, "websocket"
		sh.packets = append(sh.packets, m)
	}
}

// add adds the packets of a polling body to the session of sid.
func (s *sioEntries) add(sid string, dir format.Dir, t time.Time, version int, body []byte, mime string) {
	sh := s.bySID[sid]
	if sh == nil {
		return // a sid whose handshake the HAR lacks
	}
	s.addPackets(sh, dir, t, version, body, strings.HasPrefix(mime, "application/octet-stream"))
}

// addPackets adds the packets of a polling body to sh, as far as the
// budget goes (see sioEntries). A malformed packet ends the body, as it
// ends the payload for an Engine.IO server.
func (s *sioEntries) addPackets(sh *sioHAR, dir format.Dir, t time.Time, version int, body []byte, binary bool) {
	for pk, err := range engineio.Packets(version, body, binary) {
		if err != nil {
			return
		}
		if !s.keep(len(pk.Data)) {
			continue
		}
		sh.packets = append(sh.packets, packetEvent(sh.line.Session, dir, "polling", t, pk))
	}
}

func packetEvent(id string, dir format.Dir, transport string, t time.Time, pk engineio.Packet) *format.Event {
	e := &format.Event{Type: format.TypeMessage, Session: id, Time: t, Dir: dir, Opcode: format.Text, Data: pk.Data, Transport: transport}
	if pk.Binary {
		e.Opcode = format.Binary
	}
	return e
}

// sessions returns the sessions put together: each its session line,
// then its packets in time order.
func (s *sioEntries) sessions() [][]*format.Event {
	var out [][]*format.Event
	for _, sid := range s.order {
		sh := s.bySID[sid]
		slices.SortStableFunc(sh.packets, func(a, b *format.Event) int { return a.Time.Compare(b.Time) })
		if len(sh.packets) > 0 && sh.packets[0].Time.Before(sh.line.Time) {
			sh.line.Time = sh.packets[0].Time
		}
		out = append(out, append([]*format.Event{sh.line}, sh.packets...))
	}
	return out
}
