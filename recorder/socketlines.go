package recorder

import (
	"bytes"
	"log/slog"
	"sync/atomic"

	"github.com/wsreplay/wsreplay/format"
)

// socketLines is where a WebSocket session's messages are recorded: its
// own recording (socketRecord), or the Engine.IO session whose packets it
// carries (eioSocket). The pumps call recorded, message, control and lose
// from their goroutines; the session calls ended once both are done.
type socketLines interface {
	// recorded reports whether messages are kept to be recorded.
	recorded() bool
	// message records a whole message, which it takes.
	message(dir format.Dir, text bool, data []byte)
	// control records a ping or pong frame's payload, which it copies.
	control(typ format.Type, dir format.Dir, payload []byte)
	// lose counts a message relayed but not recorded: messages being
	// received held all of Proxy.PartialBudget (logged when it happened,
	// by pump.abandon).
	lose()
	// ended records how the WebSocket ended, as its close line end says.
	ended(end format.Event)
}

// socketRecord is a WebSocket's own recording: a session of kind websocket,
// whose messages each way the relay counts (sent, received).
type socketRecord struct {
	r              *sessionRecord
	sent, received *atomic.Int64
}

func (l socketRecord) recorded() bool { return l.r.sink != nil }

func (l socketRecord) message(dir format.Dir, text bool, data []byte) {
	e := &format.Event{Time: l.r.now(), Dir: dir, Opcode: format.Binary, Data: data}
	if text {
		e.Opcode = format.Text
	}
	l.r.message(e)
}

func (l socketRecord) control(typ format.Type, dir format.Dir, payload []byte) {
	l.r.add(&format.Event{Type: typ, Session: l.r.id, Time: l.r.now(), Dir: dir, Data: bytes.Clone(payload)})
}

func (l socketRecord) lose() { l.r.lost.Add(1) }

func (l socketRecord) ended(end format.Event) {
	l.r.counts[0].Store(l.sent.Load())
	l.r.counts[1].Store(l.received.Load())
	l.r.close(end)
}

// eioSocket is the WebSocket of an Engine.IO session: its packets are the
// session's lines (es nil: the session is not recorded), its pings are
// not recorded, and its end ends the session if it is the transport the
// session upgraded to, or the one it began on (carried).
type eioSocket struct {
	es      *eioSession
	carried bool
	log     *slog.Logger
}

func (l *eioSocket) recorded() bool { return l.es != nil }

func (l *eioSocket) message(dir format.Dir, text bool, data []byte) {
	if l.es != nil {
		l.es.fromSocket(dir, text, data)
	}
}

func (l *eioSocket) control(format.Type, format.Dir, []byte) {}

func (l *eioSocket) lose() {
	if l.es != nil {
		l.es.lost.Add(1)
	}
}

func (l *eioSocket) ended(end format.Event) {
	l.log.Info("WebSocket ended", "by", end.By, "code", end.Code, "clean", end.Clean)
	if l.es != nil {
		l.es.socketEnded(end, l.carried)
	}
}
