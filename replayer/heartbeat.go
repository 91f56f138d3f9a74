package replayer

import (
	"bytes"
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file makes a replay's heartbeats live. The client's heartbeats are
// answered at once, whatever the player does (paused, waiting, past the
// recording's end): Server.Heartbeats' pairs, and for a WebSocket replay
// what its profile answers (protocol.HeartbeatReplier). A profile's server
// beats (protocol.HeartbeatSender) are sent every interval on the real
// clock, from the accept (or from the recorded message that made the beat
// known) until the replay ends, whatever its speed or pause. The recorded
// heartbeats made live are left out of the replay, and out of Wait's
// counting. The ending a client caused waits for the client: endcause.go.

// minBeatInterval bounds how often a profile's beat is sent: an interval
// read from a recording (STOMP's negotiated heart-beat) could be 1 ms.
const minBeatInterval = 10 * time.Millisecond

// minLearnedInterval bounds an interval read from two recorded beats, which
// may happen to have come close together.
const minLearnedInterval = 100 * time.Millisecond

// liveBeats is one replay's live heartbeats. Get one from newLiveBeats
// (Server.Heartbeats only) or Server.liveBeats (with the session's
// profile); the zero value is not usable.
//
// Its methods are safe for concurrent use: the player notes the recorded
// messages (recorded), the connection's reader asks what to answer
// (fromClient), and send sends the beats. The fields marked "player" are
// the player's goroutine's alone.
type liveBeats struct {
	fixed []Heartbeat // Server.Heartbeats: shared, never changed

	det     *protocol.Detector // player; nil: no profile is looked for
	opening protocol.Opening   // player: for SendHeartbeat, with the first recorded messages
	asks    int                // player: SendHeartbeat asked so many times
	learn   *protocol.Beat     // player: a beat whose interval the recording shows (Interval 0)
	sess    *Session           // player: read ahead for learn's interval (scanBeat); nil: not
	lastAt  time.Time          // player: when the last recorded beat of learn was
	cause   clientCause        // player: what the recorded ending waits for (endcause.go)

	mu      sync.Mutex
	profile protocol.Profile
	replier protocol.HeartbeatReplier
	answers []beatShape    // the shapes of the profile's answers met in the recording
	beat    *protocol.Beat // the server's beat, once known
	known   chan struct{}  // closed when beat is set
	quiet   bool           // the replay hangs or is over: no beats, no answers
	clients clientCount    // the client's messages that are not heartbeats
}

// beatShape is what a recorded heartbeat is recognised by: the kind the
// profile gives it (Description.Kind), or else its bytes.
type beatShape struct {
	dir  format.Dir
	kind string
	data []byte
}

// clientCount counts the client's messages that are not heartbeats, for an
// ending that waits for one (endcause.go).
type clientCount struct {
	n       int
	lastAt  time.Time     // when the n-th arrived
	changed chan struct{} // closed and replaced at each
}

// newLiveBeats returns the live heartbeats of fixed alone: a replay with
// no profile.
func newLiveBeats(fixed []Heartbeat) *liveBeats {
	return &liveBeats{fixed: fixed, known: make(chan struct{}), clients: clientCount{changed: make(chan struct{})}}
}

// liveBeats returns the live heartbeats of a WebSocket replay of sess,
// whose client asked for u and got subprotocol: Server.Heartbeats, and the
// session's profile's (see detector), found now or from the recorded
// messages the player notes.
func (s *Server) liveBeats(sess *Session, u *url.URL, subprotocol string) *liveBeats {
	b := newLiveBeats(s.Heartbeats)
	b.opening = s.opening(sess, u, subprotocol)
	b.det = s.Protocols.Detector(b.opening)
	b.sess = sess
	b.found(b.det.Profile())
	b.askBeat()
	return b
}

// maxBeatScan bounds how many events of a session scanBeat reads.
const maxBeatScan = 4096

// scanBeat learns the interval of a beat the profile leaves to the
// recording (learn) from the start of the session, at once: the beats are
// then live from the accept, though the player may be held (a paused
// replay, a reply that waits) before it meets two recorded beats. If the
// first maxBeatScan events hold fewer than two, the player learns it as it
// goes (learnBeat). It reports whether it learned it. Player.
func (b *liveBeats) scanBeat() bool {
	b.mu.Lock()
	p := b.profile
	b.mu.Unlock()
	if b.learn == nil || b.sess == nil || p == nil {
		return false
	}
	st, err := b.sess.scanStream()
	if err != nil {
		return false
	}
	defer st.Close()
	for range maxBeatScan {
		e, err := st.Next()
		if err != nil {
			break
		}
		if e.Type == format.TypeMessage {
			b.learnBeat(p, protocol.MessageOf(e), e.Time)
		}
		st.Release(e)
		if b.learn == nil {
			return true
		}
	}
	b.lastAt = time.Time{} // the player starts again from the first
	return false
}

// found takes p (nil: none yet) as the replay's profile. Player.
func (b *liveBeats) found(p protocol.Profile) {
	if p == nil {
		return
	}
	b.mu.Lock()
	if b.profile == nil {
		b.profile = p
		b.replier, _ = p.(protocol.HeartbeatReplier)
	}
	b.mu.Unlock()
}

// askBeat asks the profile for the server's beat, with the first recorded
// messages met so far, until it gives one or MaxFirst messages have passed
// (STOMP's is negotiated in its first frames). Player.
func (b *liveBeats) askBeat() {
	b.mu.Lock()
	p, have := b.profile, b.beat != nil
	b.mu.Unlock()
	sender, ok := p.(protocol.HeartbeatSender)
	if !ok || have || b.asks > protocol.MaxFirst {
		return
	}
	b.asks++
	beat, ok := sender.SendHeartbeat(b.opening)
	switch {
	case !ok || beat.Interval < 0:
		return
	case beat.Interval == 0 || beat.Learn:
		if b.learn == nil {
			beat.Message.Data = bytes.Clone(beat.Message.Data)
			b.learn = &beat // its interval comes from the recording (learnBeat)
			if !b.scanBeat() && beat.Interval > 0 {
				b.learn = nil // the recording shows none: the default
				b.know(beat)
			}
		}
		return
	}
	b.know(beat)
}

// know makes beat the server's beat, sent live from now on. Player.
func (b *liveBeats) know(beat protocol.Beat) {
	beat.Interval = max(beat.Interval, minBeatInterval)
	beat.Message.Data = bytes.Clone(beat.Message.Data)
	b.mu.Lock()
	b.beat = &beat
	close(b.known)
	b.mu.Unlock()
}

// learnBeat reads the interval of a beat the profile leaves to the
// recording from the recorded message m of p at t: the first two recorded
// beats play as recorded; at the second the interval between them is
// known, and from then on the beat is live (later recorded ones are left
// out: leftOut). It reports whether m is to be left out: never. Player.
func (b *liveBeats) learnBeat(p protocol.Profile, m protocol.Message, t time.Time) bool {
	if b.learn == nil || m.Dir != format.Receive || !shapeOf(p, m).is(shapeOf(p, b.learn.Message)) {
		return false
	}
	if gap := t.Sub(b.lastAt); !b.lastAt.IsZero() && gap > 0 {
		beat := *b.learn
		beat.Interval, b.learn = max(gap, minLearnedInterval), nil
		b.know(beat)
		return false
	}
	b.lastAt = t
	return false
}

// recorded notes the recorded message e, the next one the player meets,
// and reports whether it is a heartbeat made live, to leave out of the
// replay. c is e's cut when the profile is a Framer (nil: e is one
// message of its protocol): it marks there the parts that are heartbeats
// made live. Player.
func (b *liveBeats) recorded(e *format.Event, c *frameCut) bool {
	m := protocol.MessageOf(e)
	b.noteFirst(m)
	for _, hb := range b.fixed {
		if e.Opcode == format.Text && (e.Dir == format.Send && string(e.Data) == hb.Ping ||
			e.Dir == format.Receive && string(e.Data) == hb.Pong) {
			return true
		}
	}
	b.mu.Lock()
	p := b.profile
	b.mu.Unlock()
	if c == nil {
		if p != nil && (b.learnBeat(p, m, e.Time) || b.leftOut(p, m)) {
			return true
		}
		b.cause.note(p, e.Dir, []protocol.Message{m}, e.Time)
		return false
	}
	for i, part := range c.parts {
		c.beat[i] = p != nil && (b.learnBeat(p, part, e.Time) || b.leftOut(p, part))
	}
	if c.leftOut(e.Dir) {
		return true
	}
	b.cause.note(p, e.Dir, c.kept(), e.Time)
	return false
}

// noteFirst gives the detector, and the opening the beat is asked with,
// the session's first messages. Player.
func (b *liveBeats) noteFirst(m protocol.Message) {
	if b.det == nil || len(b.opening.First) >= protocol.MaxFirst {
		return
	}
	m.Data = bytes.Clone(m.Data[:min(len(m.Data), 64<<10)]) // kept past the stream's buffer
	b.opening.First = append(b.opening.First, m)
	b.found(b.det.Message(m))
	b.askBeat()
}

// leftOut reports whether the recorded message m of a session of profile
// p is a heartbeat made live: a client's heartbeat p answers, the answer
// to one, or the server's beat. Player.
func (b *liveBeats) leftOut(p protocol.Profile, m protocol.Message) bool {
	b.mu.Lock()
	replier, beat := b.replier, b.beat
	b.mu.Unlock()
	if m.Dir == format.Send {
		if replier == nil {
			return false
		}
		reply, ok := replier.ReplyHeartbeat(m)
		if ok {
			b.noteAnswer(shapeOf(p, reply))
		}
		return ok
	}
	if beat == nil && len(b.answers) == 0 {
		return false // no Describe per message where nothing is made live
	}
	shape := shapeOf(p, m)
	if beat != nil && shape.is(shapeOf(p, beat.Message)) {
		return true
	}
	for _, a := range b.answers {
		if shape.is(a) {
			return true
		}
	}
	return false
}

// noteAnswer keeps the shape of an answer the profile gives, so that the
// recorded ones are recognised. Player.
func (b *liveBeats) noteAnswer(s beatShape) {
	for _, a := range b.answers {
		if s.is(a) {
			return
		}
	}
	if len(b.answers) < 8 { // a profile answers in a few shapes; a bound all the same
		b.answers = append(b.answers, s)
	}
}

// shapeOf is what m is recognised by among the heartbeats of p: its kind,
// when p reads it as a heartbeat; else its bytes.
func shapeOf(p protocol.Profile, m protocol.Message) beatShape {
	if d := p.Describe(m); d.Heartbeat && d.Kind != "" {
		return beatShape{dir: m.Dir, kind: d.Kind}
	}
	return beatShape{dir: m.Dir, data: m.Data}
}

func (s beatShape) is(o beatShape) bool {
	if s.dir != o.dir {
		return false
	}
	if s.kind != "" || o.kind != "" {
		return s.kind == o.kind
	}
	return bytes.Equal(s.data, o.data)
}

// fromClient reads the client's message, cut into parts (one part when
// the profile is not a Framer): replies are the answers to send now to the
// parts that are heartbeats the replay answers (none once the replay
// hangs), rest the other parts. The message is a heartbeat (beat) when it
// completes parts and all are; the other parts are counted, but for those
// the profile reads as heartbeats (countCause). The reader.
func (b *liveBeats) fromClient(parts []protocol.Message) (replies, rest []protocol.Message, beat bool) {
	for _, m := range parts {
		if reply, ok := b.answer(m); ok {
			replies = append(replies, reply)
		} else {
			rest = append(rest, m)
		}
	}
	b.mu.Lock()
	p := b.profile
	b.mu.Unlock()
	counted := countCause(p, rest)
	b.mu.Lock()
	defer b.mu.Unlock()
	if counted > 0 {
		// The protocol's messages, heartbeats left out, as clientCause
		// counts the recorded ones (a piece of a packet is none).
		c := &b.clients
		c.n, c.lastAt = c.n+counted, time.Now()
		close(c.changed)
		c.changed = make(chan struct{})
	}
	if b.quiet {
		replies = nil
	}
	return replies, rest, len(parts) > 0 && len(rest) == 0
}

// answer returns the answer to m and true when m is a heartbeat the
// replay answers.
func (b *liveBeats) answer(m protocol.Message) (protocol.Message, bool) {
	if !m.Binary {
		for _, hb := range b.fixed {
			if string(m.Data) == hb.Ping {
				return protocol.Message{Dir: format.Receive, Data: []byte(hb.Pong)}, true
			}
		}
	}
	b.mu.Lock()
	replier := b.replier
	b.mu.Unlock()
	if replier == nil {
		return protocol.Message{}, false
	}
	return replier.ReplyHeartbeat(m)
}

// live reports whether the replay's profile makes heartbeats live: only
// then does a recorded ending wait for the client that caused it.
func (b *liveBeats) live() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.replier != nil || b.beat != nil
}

// hush stops the beats and the answers: the replay hangs, or is over.
func (b *liveBeats) hush() {
	b.mu.Lock()
	b.quiet = true
	b.mu.Unlock()
}

// send sends the server's beat with write every interval, on the real
// clock, from when it is known until stop is closed, ctx ends, the replay
// is hushed, or a write fails.
func (b *liveBeats) send(ctx context.Context, stop <-chan struct{}, write func(protocol.Message) error) {
	select {
	case <-b.known:
	case <-stop:
		return
	case <-ctx.Done():
		return
	}
	b.mu.Lock()
	beat := *b.beat
	b.mu.Unlock()
	t := time.NewTicker(beat.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
		b.mu.Lock()
		quiet := b.quiet
		b.mu.Unlock()
		if quiet || write(beat.Message) != nil {
			return
		}
	}
}

// beatLive starts sending the profile's beats to c; stop stops them and
// waits until they have stopped. It may be called more than once.
func (c *replayConn) beatLive(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { c.beats.send(ctx, done, c.writeBeat) })
	var once sync.Once
	return func() {
		once.Do(func() {
			c.beats.hush()
			close(done)
		})
		wg.Wait()
	}
}

// writeBeat writes a heartbeat, a beat or an answer, to the client: one
// whole frame, between the player's batches; and, when the recorded
// server messages written so far end inside a protocol message (a piece of
// an MQTT packet), once that message is whole (see writeDeferred), or it
// would land in the middle of it.
func (c *replayConn) writeBeat(m protocol.Message) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.wireOpen {
		if len(c.deferred) < maxDeferred {
			c.deferred = append(c.deferred, m)
		}
		return nil
	}
	return c.conn.Write(c.ioCtx, messageType(m), m.Data)
}

// maxDeferred bounds the heartbeats held while a protocol message is
// incomplete on the wire: a client sends one at a time.
const maxDeferred = 8

func messageType(m protocol.Message) websocket.MessageType {
	if m.Binary {
		return websocket.MessageBinary
	}
	return websocket.MessageText
}

// writeDeferred writes the heartbeats held while a protocol message was
// incomplete on the wire, now that it is not. c.writeMu held.
func (c *replayConn) writeDeferred() error {
	for len(c.deferred) > 0 && !c.wireOpen {
		m := c.deferred[0]
		c.deferred = c.deferred[1:]
		if err := c.conn.Write(c.ioCtx, messageType(m), m.Data); err != nil {
			return err
		}
	}
	return nil
}

// stopBeatsAt stops the beats of a replay whose player ended with end or
// err, unless it stays open as the session left it: then the beats go on
// until the client leaves.
func stopBeatsAt(end ending, err error, stop func()) {
	if err != nil || end.kind != endOpen {
		stop()
	}
}
