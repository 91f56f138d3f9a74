package replayer

import (
	"bytes"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file cuts a WebSocket replay's messages into its protocol's
// messages when the profile is a protocol.Framer (MQTT packets span
// WebSocket messages; MQTT, SignalR and Centrifuge put several in one), so
// that the pairing of requests and replies (echo.go) and the live
// heartbeats (heartbeat.go) see whole packets. The live client's messages
// are cut by a Splitter of their own (replayConn.cut); the recorded
// session's by framedStream, which reads a server message that ends inside
// a packet together with the messages that complete it, so that the first
// piece of a reply is held, and its id bytes rewritten, as the whole reply
// is. Every recorded server message still goes as one WebSocket message,
// its bytes as recorded but for the ids the replay rewrites and the
// heartbeats it makes live.

// cutter cuts a stream of WebSocket messages with a protocol's Splitter,
// counting the bytes it holds per direction. The control API's
// descriptions (msgproto.go) and the replay share it. Not safe for
// concurrent use.
type cutter struct {
	sp   protocol.Splitter
	held [2]int // bytes the Splitter holds, per direction (dirSlot)
}

// cut feeds m and returns the protocol messages it completes, and how many
// bytes of m's direction were held before it: those are the first bytes
// of the first message returned, if any.
func (c *cutter) cut(m protocol.Message) (parts []protocol.Message, before int) {
	i := dirSlot(m.Dir)
	before = c.held[i]
	parts = c.sp.Split(m)
	if len(parts) == 1 && len(parts[0].Data) == len(m.Data) && len(m.Data) > 0 && &parts[0].Data[0] == &m.Data[0] {
		// Passed through on its own (a text message of a binary
		// protocol): no part of it was held, and what is held still is.
		return parts, 0
	}
	n := 0
	for _, p := range parts {
		n += len(p.Data)
	}
	c.held[i] = max(before+len(m.Data)-n, 0)
	return parts, before
}

// frameCut is how one recorded WebSocket message stands to its
// protocol's messages. The player's goroutine's alone.
type frameCut struct {
	// parts are the protocol messages the message completes (a client
	// message), or that its pieces belong to, whole (a server message).
	parts []protocol.Message
	// beat marks the parts that are heartbeats made live
	// (liveBeats.recorded sets it).
	beat []bool
	// pieces are a server message's bytes, in order, by the part they
	// belong to.
	pieces []piece
	// open is set by out: the message as sent ends inside a part.
	open bool
}

// piece is bytes of a recorded server message that belong to one part.
type piece struct {
	data []byte
	part int // index in frameCut.parts; -1: of a message not whole in what was read ahead
	at   int // where data begins in the part
}

// kept returns the parts that are not heartbeats made live.
func (c *frameCut) kept() []protocol.Message {
	var out []protocol.Message
	for i, p := range c.parts {
		if !c.beat[i] {
			out = append(out, p)
		}
	}
	return out
}

// leftOut reports whether every byte of the message belongs to a
// heartbeat made live: the message is then left out of the replay.
func (c *frameCut) leftOut(dir format.Dir) bool {
	if dir == format.Send {
		return len(c.parts) > 0 && !c.anyKept()
	}
	if len(c.pieces) == 0 {
		return false
	}
	for _, p := range c.pieces {
		if p.part < 0 || !c.beat[p.part] {
			return false
		}
	}
	return true
}

func (c *frameCut) anyKept() bool {
	for _, b := range c.beat {
		if !b {
			return true
		}
	}
	return false
}

// out returns the server message e as it goes: without the heartbeats
// made live, each part as rewrite returns it (nil: as recorded). A part
// whose rewrite keeps its length is rewritten in each piece of it, so that
// a message that holds a piece of a reply goes byte-exact but for the id
// bytes; one whose length changes is rewritten only where a message holds
// it whole. It returns e itself when nothing changes, else a copy (e is
// shared with other replays).
func (c *frameCut) out(e *format.Event, rewrite func(protocol.Message) []byte) *format.Event {
	data := make([]byte, 0, len(e.Data))
	done := make([][]byte, len(c.parts)) // the rewritten parts, as far as asked
	for _, p := range c.pieces {
		switch {
		case p.part < 0:
			data = append(data, p.data...)
			c.open = true // the start of a part not read whole
			continue
		case c.beat[p.part]:
			continue
		}
		whole := c.parts[p.part].Data
		c.open = p.at+len(p.data) < len(whole)
		if done[p.part] == nil && rewrite != nil {
			done[p.part] = rewrite(c.parts[p.part])
		}
		rw := done[p.part]
		switch {
		case rw == nil:
			data = append(data, p.data...)
		case len(rw) == len(whole) && p.at+len(p.data) <= len(rw):
			data = append(data, rw[p.at:p.at+len(p.data)]...)
		case p.at == 0 && len(p.data) == len(whole):
			data = append(data, rw...)
		default:
			data = append(data, p.data...)
		}
	}
	if bytes.Equal(data, e.Data) {
		return e
	}
	o := *e
	o.Data = data
	return &o
}

// Bounds of what framedStream reads ahead to complete a server message's
// last part: past them, the pieces read go as recorded, not held.
const (
	maxAheadEvents = 32
	maxAheadBytes  = 1 << 20
)

// framedStream reads a recorded session for a replay whose profile is a
// Framer, and cuts each message (see cur). A server message that ends
// inside a part comes with the server messages that complete it, read
// ahead: copies of them, so that the prefetcher's bounds never wait for
// what the framedStream holds. Not safe for concurrent use.
type framedStream struct {
	src    eventStream
	cut    cutter
	ahead  []aheadEvent
	copies map[*format.Event]bool // events of ahead: Release leaves them to the collector
	unit   *unitState             // the unit being read; nil between units
	// cur is the cut of the message Next returned last; nil for a line
	// that is not a message.
	cur *frameCut
}

type aheadEvent struct {
	e   *format.Event
	c   *frameCut
	err error
}

func newFramedStream(src eventStream, f protocol.Framer) *framedStream {
	return &framedStream{src: src, cut: cutter{sp: f.NewSplitter()}, copies: map[*format.Event]bool{}}
}

// Next returns the next event, and sets cur.
func (s *framedStream) Next() (*format.Event, error) {
	if len(s.ahead) > 0 {
		a := s.ahead[0]
		s.ahead = s.ahead[1:]
		if a.c == nil && a.err == nil && a.e.Type == format.TypeMessage {
			return s.cutOne(a.e)
		}
		s.cur = a.c
		return a.e, a.err
	}
	e, err := s.src.Next()
	if err != nil || e.Type != format.TypeMessage {
		s.cur = nil
		return e, err
	}
	return s.cutOne(e)
}

// cutOne cuts the message e: a client message alone, a server message
// with those that complete its last part.
func (s *framedStream) cutOne(e *format.Event) (*format.Event, error) {
	if e.Dir == format.Send {
		parts, _ := s.cut.cut(protocol.MessageOf(e))
		s.cur = &frameCut{parts: parts, beat: make([]bool, len(parts))}
		return e, nil
	}
	unit := []*format.Event{e}
	size := len(e.Data)
	pending := s.feedServer(e, nil)
	for s.cut.held[dirSlot(format.Receive)] > 0 && len(unit) < maxAheadEvents && size < maxAheadBytes {
		if len(unit) == 1 {
			unit[0] = s.own(e)
		}
		next, err := s.src.Next()
		if err != nil || next.Type != format.TypeMessage || next.Dir != format.Receive {
			s.ahead = append(s.ahead, aheadEvent{e: next, err: err})
			break
		}
		next = s.own(next)
		unit, size = append(unit, next), size+len(next.Data)
		pending = s.feedServer(next, pending)
	}
	cuts := s.cutUnit()
	first := []aheadEvent{}
	for i, u := range unit {
		first = append(first, aheadEvent{e: u, c: cuts[i]})
	}
	s.ahead = append(first[1:], s.ahead...)
	s.cur = first[0].c
	return first[0].e, nil
}

// own returns a copy of e that the framedStream holds, and releases e.
func (s *framedStream) own(e *format.Event) *format.Event {
	if s.copies[e] {
		return e
	}
	c := *e
	c.Data = bytes.Clone(e.Data)
	s.src.Release(e)
	s.copies[&c] = true
	return &c
}

// unitPiece is a piece of the ev-th message of a unit.
type unitPiece struct {
	event int
	piece
}

// unitState is what is read of a unit, the server messages framedStream
// reads together (feedServer, cutUnit): their parts and pieces.
type unitState struct {
	events int
	parts  []protocol.Message
	pieces []unitPiece
}

// feedServer cuts the server message e, the next of the unit, and notes its
// pieces; pending are the pieces of a part not whole yet, which it returns
// as they are then.
func (s *framedStream) feedServer(e *format.Event, pending []int) []int {
	st := s.unitState()
	ev := st.events
	st.events++
	d := e.Data
	parts, before := s.cut.cut(protocol.MessageOf(e))
	pos := 0
	for i, p := range parts {
		n, at := len(p.Data), 0
		if i == 0 && before > 0 {
			n, at = max(len(p.Data)-before, 0), before
			for _, k := range pending {
				st.pieces[k].part = len(st.parts)
			}
			pending = nil
		}
		n = min(n, len(d)-pos)
		st.pieces = append(st.pieces, unitPiece{ev, piece{data: d[pos : pos+n], part: len(st.parts), at: at}})
		st.parts = append(st.parts, p)
		pos += n
	}
	if pos < len(d) {
		at := s.cut.held[dirSlot(format.Receive)] - (len(d) - pos)
		pending = append(pending, len(st.pieces))
		st.pieces = append(st.pieces, unitPiece{ev, piece{data: d[pos:], part: -1, at: max(at, 0)}})
	}
	return pending
}

func (s *framedStream) unitState() *unitState {
	if s.unit == nil {
		s.unit = &unitState{}
	}
	return s.unit
}

// cutUnit returns the cut of each message of the unit read, and starts the
// next.
func (s *framedStream) cutUnit() []*frameCut {
	st := s.unitState()
	cuts := make([]*frameCut, st.events)
	local := make([]map[int]int, st.events) // per message: a part of the unit -> its index in the cut
	for i := range cuts {
		cuts[i], local[i] = &frameCut{}, map[int]int{}
	}
	for _, up := range st.pieces {
		c, p := cuts[up.event], up.piece
		if p.part >= 0 {
			j, ok := local[up.event][p.part]
			if !ok {
				j = len(c.parts)
				local[up.event][p.part] = j
				c.parts = append(c.parts, st.parts[p.part])
				c.beat = append(c.beat, false)
			}
			p.part = j
		}
		c.pieces = append(c.pieces, p)
	}
	s.unit = nil
	return cuts
}

// Release hands back an event the player is done with.
func (s *framedStream) Release(e *format.Event) {
	if s.copies[e] {
		delete(s.copies, e)
		return
	}
	s.src.Release(e)
}

// Close closes the source.
func (s *framedStream) Close() error { return s.src.Close() }
