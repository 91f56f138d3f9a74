package replayer

import (
	"encoding/json"
	"hash/maphash"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file makes a WebSocket replay a conversation: replies wait for their
// requests, and ids follow the client. The session's protocol profile (the
// protocol seam, protocol.go) says which client messages are requests and
// which server messages answer them (protocol.Echoer); a protocol.Pairing
// pairs each live request with its recorded counterpart. A recorded server
// message that answers a request the live client has not made yet is held,
// and the rest of the session waits behind it, until the client makes it;
// it then goes no sooner after the live request than it came after the
// recorded one (scaled by the speed, a pause not counted), and never before
// its own recorded time. It carries the live client's ids. A message that
// answers nothing keeps the recorded clock. Under Server.Wait, the client's
// messages are paired by content (waitForCounterpart) instead of by count.

// echo follows the ids of one WebSocket replay. The player feeds it the
// recorded messages it reaches, in order (reach, passed); the connection's
// reader feeds it the client's messages (live). Its methods are safe for
// concurrent use, and a nil *echo does nothing: a session whose protocol
// has no Echoer has none.
type echo struct {
	mu      sync.Mutex
	det     *protocol.Detector // until the profile is known; nil after
	fed     int                // recorded messages the detector has seen
	passedN int                // recorded client messages passed while detecting
	wait    bool               // Server.Wait: keep a content log once the profile is known
	prof    protocol.Profile   // nil with the generic rule
	e       protocol.Echoer    // nil: nothing to follow (yet)
	generic bool               // e is the generic rule's (protocol.Learned)
	again   bool               // a later pass of a looped replay: nothing held, nothing unlearned
	ownIDs  bool               // the engine gives replies the live ids itself: rewrite nothing (newHoldingEcho)
	// guess follows the ids while the profile is not known yet, by the
	// generic rule: the session's protocol becomes it (learn) when a
	// server message echoes what it learned before any profile is found,
	// or when the first messages show none. Nil once decided.
	guess   *protocol.Pairing
	guessE  *protocol.Learned
	pairing *protocol.Pairing
	early   []liveMsg                          // the client's messages while detecting, bounded
	earlyN  int                                // their bytes
	recOff  recent[protocol.ID, time.Duration] // a recorded id -> its request's recorded offset
	liveAt  recent[protocol.ID, came]          // a live id -> when its request came
	content *contentLog                        // Server.Wait's pairing by content; nil without
	changed chan struct{}                      // closed and replaced when a client message comes
}

// liveMsg is a client message kept while the profile is not known yet.
type liveMsg struct {
	m  protocol.Message
	at came
}

// came is when a client message came: the instant, and how long the
// replay had been paused by then (control.heldFor), so that a pause after
// it does not count towards a reply's delay.
type came struct {
	at   time.Time
	held time.Duration
}

// Bounds of what an echo keeps: the ids it follows (as many as a Pairing
// learns), and the client's messages before the profile is known.
const (
	maxFollowed   = 16384
	maxEarly      = 256
	maxEarlyBytes = 1 << 20
)

// newEcho starts following the ids of a replay whose protocol det finds;
// wait is Server.Wait. It returns nil when det has found a profile without
// an Echoer.
func newEcho(det *protocol.Detector, wait bool) *echo {
	x := &echo{det: det, wait: wait, changed: make(chan struct{}),
		recOff: newRecent[protocol.ID, time.Duration](maxFollowed), liveAt: newRecent[protocol.ID, came](maxFollowed)}
	if p := det.Profile(); p != nil {
		x.found(p)
		if x.e == nil {
			return nil
		}
		return x
	}
	if det.Decided() {
		return nil // no protocol (--protocol none)
	}
	x.guessE = protocol.NewLearned()
	x.guess = protocol.NewPairing(x.guessE)
	return x
}

// newHoldingEcho is newEcho for a replay whose engine gives the replies
// the live client's ids itself: Engine.IO's (engineio_play.go), which keeps
// an ack answer back until the client's emit even past a step or a seek,
// and follows the ack ids of every pass of a looped replay. The echo only
// holds each reply, with the rest of the session behind it, until its
// request has come, and for its recorded delay after it; rewrite and
// rewritePart leave the replies as recorded.
func newHoldingEcho(det *protocol.Detector, wait bool) *echo {
	x := newEcho(det, wait)
	if x != nil {
		x.ownIDs = true
	}
	return x
}

// found sets up what the profile p allows, and feeds the pairing the
// client's messages kept until then. x.mu held (or x not shared yet).
func (x *echo) found(p protocol.Profile) {
	x.det, x.prof, x.guess, x.guessE = nil, p, nil, nil
	early := x.early
	x.early, x.earlyN = nil, 0
	e, ok := p.(protocol.Echoer)
	if !ok {
		return
	}
	x.e, x.pairing = e, protocol.NewPairing(e)
	if x.wait {
		x.content = newContentLog()
	}
	for i, l := range early {
		// The first client messages were paired by count while the
		// profile was not known: the content log does not take them.
		x.liveOne(l.m, l.at, i >= x.passedN)
	}
}

// profile returns the session's profile, nil while none is known (and
// of a nil echo, and with the generic rule).
func (x *echo) profile() protocol.Profile {
	if x == nil {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.prof
}

// learn makes the generic rule's guess the session's protocol: a JSON
// protocol no profile knows. Its pairing has seen every message already.
// x.mu held.
func (x *echo) learn() {
	x.det, x.early, x.earlyN = nil, nil, 0
	x.e, x.pairing, x.generic = x.guessE, x.guess, true
	x.guess, x.guessE = nil, nil
}

// notJSON gives up following ids: the session's messages are not all JSON
// and no profile knows them. x.mu held.
func (x *echo) notJSON() {
	x.det, x.early, x.earlyN, x.guess, x.guessE = nil, nil, 0, nil, nil
}

// looped notes that the replay starts the session again (Server.Loop):
// the client, subscribed once, makes no new requests, so from now on no
// reply is held, and the ids learned on the first pass are kept (feeding
// the recorded requests again would unlearn them).
func (x *echo) looped() {
	if x == nil {
		return
	}
	x.mu.Lock()
	x.again = true
	x.mu.Unlock()
}

// reach notes a recorded message the player has reached (before it waits
// for it): the detector sees the first ones. For a server message it
// returns the reply the player holds until its requests have come, or nil
// when it answers none.
// c is e's cut when the profile is a Framer: the parts it holds then
// say what it answers.
func (x *echo) reach(e *format.Event, off time.Duration, c *frameCut) *reply {
	if x == nil {
		return nil
	}
	m := protocol.MessageOf(e)
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.det != nil {
		x.fed++
		switch p := x.det.Message(m); {
		case p != nil:
			x.found(p)
		case e.Opcode == format.Binary || !json.Valid(e.Data):
			x.notJSON()
		case x.fed >= protocol.MaxFirst || e.Dir == format.Receive && len(x.guessE.Echoes(m)) > 0:
			x.learn() // a JSON protocol no profile knows: the generic rule
		}
	}
	if x.e == nil || e.Dir != format.Receive {
		return nil
	}
	var ids []protocol.ID
	if c == nil {
		ids = x.e.Echoes(m)
	} else {
		for _, part := range c.kept() {
			ids = append(ids, x.e.Echoes(part)...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return &reply{m: m, off: off, ids: ids, bounded: x.generic}
}

// passed notes a recorded client message the player has passed, at
// recorded offset off; c is its cut when the profile is a Framer.
func (x *echo) passed(e *format.Event, off time.Duration, c *frameCut) {
	if x == nil {
		return
	}
	parts := []protocol.Message{protocol.MessageOf(e)}
	if c != nil {
		parts = c.kept()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.det != nil {
		x.passedN++
	}
	if x.again {
		return
	}
	pairing, ec := x.pairing, x.e
	if x.guess != nil {
		pairing, ec = x.guess, x.guessE
	}
	if ec == nil {
		return
	}
	for _, m := range parts {
		pairing.Recorded(m)
		if r, ok := ec.Request(m); ok {
			for _, id := range r.IDs {
				x.recOff.put(id, off)
			}
		}
	}
}

// live notes a message the client sent at at.
func (x *echo) live(m protocol.Message, at came) {
	if x == nil {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case x.det != nil:
		if len(x.early) < maxEarly && x.earlyN+len(m.Data) <= maxEarlyBytes {
			m.Data = append([]byte(nil), m.Data...) // the reader's buffer is its own
			x.early, x.earlyN = append(x.early, liveMsg{m: m, at: at}), x.earlyN+len(m.Data)
		}
		if x.guess != nil {
			x.guess.Live(m)
			x.noteLive(x.guessE, m, at)
		}
		return
	case x.e == nil:
		return
	}
	x.liveOne(m, at, true)
	close(x.changed)
	x.changed = make(chan struct{})
}

// liveOne feeds the pairing, and the content log if toContent, a client
// message. x.mu held.
func (x *echo) liveOne(m protocol.Message, at came, toContent bool) {
	x.pairing.Live(m)
	x.noteLive(x.e, m, at)
	if x.content != nil && toContent {
		x.content.add(x.key(m), at.at)
	}
}

// noteLive notes when the ids e reads in the client's message m came.
// x.mu held.
func (x *echo) noteLive(e protocol.Echoer, m protocol.Message, at came) {
	if r, ok := e.Request(m); ok {
		for _, id := range r.IDs {
			x.liveAt.put(id, at)
		}
	}
}

// reply is a recorded server message that echoes ids of requests, as the
// player holds it.
type reply struct {
	m       protocol.Message
	off     time.Duration // recorded offset
	ids     []protocol.ID
	bounded bool // held at most genericHold (the generic rule's guess)
}

// genericHold is the longest the generic rule holds a reply past its
// recorded time for a request the live client has not made.
const genericHold = 5 * time.Second

// check reports whether r may go: not before every request it answers
// has come (ready is false until then; held is closed at the client's next
// message), and then not before at, the latest of its requests' arrivals
// plus their recorded delays to r scaled by speed and shifted by the time
// paused since (heldNow is control.heldFor now).
func (x *echo) check(r *reply, speed float64, heldNow time.Duration) (at time.Time, ready bool, held <-chan struct{}) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.again {
		return time.Time{}, true, nil
	}
	for _, id := range r.ids {
		if x.pairing.Waits(id) {
			return time.Time{}, false, x.changed
		}
	}
	for _, id := range r.ids {
		v, ok := x.pairing.Counterpart(id)
		if !ok {
			continue
		}
		c, ok1 := x.liveAt.get(protocol.ID{Scope: id.Scope, Value: v})
		recAt, ok2 := x.recOff.get(id)
		if !ok1 || !ok2 {
			continue
		}
		t := c.at.Add(heldNow - c.held).Add(saturate(float64(r.off-recAt) / speed))
		if t.After(at) {
			at = t
		}
	}
	return at, true, nil
}

// rewrite returns e as it goes to the client: with the live client's ids
// in place of the recorded ones r echoes (a copy; e is shared with other
// replays and never changed), or e itself when there are none yet or the
// engine gives the ids itself (newHoldingEcho).
func (x *echo) rewrite(r *reply, e *format.Event) *format.Event {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.ownIDs {
		return e
	}
	differs := false
	for _, id := range r.ids {
		if v, ok := x.pairing.Counterpart(id); ok && v != id.Value {
			differs = true
		}
	}
	if !differs {
		return e // the profile would return e.Data itself: not asked
	}
	data := x.pairing.Rewrite(r.m)
	if len(data) == len(e.Data) && (len(data) == 0 || &data[0] == &e.Data[0]) {
		return e
	}
	out := *e
	out.Data = data
	return &out
}

// rewritePart returns a part of a recorded server message with the live
// client's ids in place of the recorded ones it echoes (framing.go); its
// own bytes when there is nothing to replace. A nil *echo replaces
// nothing.
func (x *echo) rewritePart(m protocol.Message) []byte {
	if x == nil {
		return m.Data
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.pairing == nil || x.ownIDs {
		return m.Data
	}
	return x.pairing.Rewrite(m)
}

// byContent reports whether Server.Wait pairs the client's messages by
// content: the session's profile is known and has an Echoer.
func (x *echo) byContent() bool {
	if x == nil {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.content != nil
}

// key is what makes two client messages the same for Server.Wait: the
// protocol's "same request" for a request; the kind, channel and name the
// profile reads for another message; the bytes of one it cannot read. It
// is "" for a heartbeat, which is never waited for. x.mu held.
func (x *echo) key(m protocol.Message) string {
	if r, ok := x.e.Request(m); ok {
		return "r\x00" + r.Same
	}
	d := x.prof.Describe(m)
	switch {
	case d.Heartbeat:
		return ""
	case d.Kind != "":
		return "d\x00" + d.Kind + "\x00" + d.Channel + "\x00" + d.Name
	}
	h := maphash.Bytes(x.content.seed, m.Data)
	return "b\x00" + string([]byte{byte(h), byte(h >> 8), byte(h >> 16), byte(h >> 24), byte(h >> 32), byte(h >> 40), byte(h >> 48), byte(h >> 56)})
}

// keyOf is key of the recorded client message e, whose cut is c when the
// profile is a Framer: of the first part it completes that is not a
// heartbeat; "" (never waited for) for a piece that completes none.
// x.mu held.
func (x *echo) keyOf(e *format.Event, c *frameCut) string {
	if c == nil {
		return x.key(protocol.MessageOf(e))
	}
	for _, part := range c.kept() {
		return x.key(part)
	}
	return ""
}

// counterpart returns when the live counterpart of the recorded client
// message e (cut c, nil if not cut) came, and takes it: ok is false while
// it has not come (held is closed at the client's next message). wait is
// false for a message that is never waited for (a heartbeat).
func (x *echo) counterpart(e *format.Event, c *frameCut) (at time.Time, ok, wait bool, held <-chan struct{}) {
	x.mu.Lock()
	defer x.mu.Unlock()
	key := x.keyOf(e, c)
	if key == "" {
		return time.Time{}, true, false, nil
	}
	if at, ok := x.content.take(key); ok {
		return at, true, true, nil
	}
	return time.Time{}, false, true, x.changed
}

// skip notes that the recorded client message e was passed without its
// live counterpart (a step or a seek): the client's next such message is
// its counterpart all the same.
func (x *echo) skip(e *format.Event, c *frameCut) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if key := x.keyOf(e, c); key != "" {
		x.content.skip(key)
	}
}
