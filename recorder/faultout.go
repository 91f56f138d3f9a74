package recorder

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

// faultOut relays what the upstream sends a client through a session's
// faults (faultPlan): the pump hands it each whole message and control
// frame as it is read (put), and its goroutine (run) writes each as one
// frame to the client when the link and the message faults say, and
// records the messages as the client received them. What it holds is
// bounded (heldBytes, faulthold.go): past faultOutBytes, put waits, which
// holds the pump's reads, and so the upstream, as a slow link does.
//
// A panic in the faults' schedule ends only this session, as a drop
// (recoverPanic). Once the proxy closes the session or the client has
// gone (abandon), what is still pending is dropped, unrecorded: it never
// reached the client.
type faultOut struct {
	s     *session
	dst   *leg
	plan  *faultPlan
	clock linkClock // nil: no link faults
	match *fault.Matcher
	rec   faultLines // nil: not recorded

	in       chan outItem
	done     chan struct{} // closed when run has returned
	quit     chan struct{} // closed by abandon
	stopOnce sync.Once
	quitOnce sync.Once
	held     heldBytes

	// run's alone:
	pending []outItem // by the time they are due
	swapped *outItem  // reorder: goes with the next message
	seq     int
	broken  bool // a write failed: the client is gone
	// lastWrite is when the last frame went to the client, on the
	// session's clock; read once run is done.
	lastWrite time.Time
}

// outItem is a message or control frame on its way to the client.
type outItem struct {
	op   byte
	data []byte
	// orig is, for a corrupted message, what the server sent: its line
	// is the corruption of its redacted text (faultLines.corrupted).
	orig    []byte
	charged int64     // what it holds of heldBytes
	at      time.Time // when the pump read it
	due     time.Time // when it goes; set by place
}

// outQueue bounds the items the pump may hand over before run takes them.
const outQueue = 256

// linkClock times messages over a session's link: a *fault.Clock.
type linkClock interface {
	Arrival(seq, size int, due time.Time) time.Time
	Sent(seq int, now time.Time)
}

// newLinkClock returns the clock of a session's link, opened at start.
// A variable so that a test can make a schedule fail.
var newLinkClock = func(l fault.Link, start time.Time) linkClock { return fault.NewClock(l, start) }

// newFaultOut returns the writer of s's faults, running, or nil when s has
// none. Its goroutine is the session's: pump.finishOut waits for it.
func (s *session) newFaultOut() *faultOut {
	if s.faults == nil {
		return nil
	}
	o := &faultOut{s: s, dst: s.client, plan: s.faults, in: make(chan outItem, outQueue),
		done: make(chan struct{}), quit: make(chan struct{})}
	o.held.init(faultOutBytes)
	if rec, ok := s.lines.(faultLines); ok && s.lines.recorded() {
		o.rec = rec
	}
	if l := s.faults.link; l != nil {
		o.clock = newLinkClock(*l, s.start)
		o.note(l.String(), "link")
	}
	if len(s.faults.rules) > 0 {
		o.match = fault.NewMatcher(s.faults.rules)
	}
	go o.run()
	return o
}

func (o *faultOut) note(spec, action string) {
	if spec == "" {
		spec = "latency 0s" // a link that delays nothing, still a link
	}
	o.s.log.Info("fault applied", "fault", spec, "action", action)
	if o.rec != nil {
		o.rec.faulted(format.Receive, spec, action)
	}
}

// put hands over a message (op text or binary, data taken) or a control
// frame (payload copied). It waits while what is held is over its bound,
// and returns at once, handing nothing, once run has returned. It is
// called from one goroutine, the pump's.
func (o *faultOut) put(op byte, data []byte) {
	if op >= opClose {
		data = bytes.Clone(data)
	}
	n := int64(len(data))
	if !o.held.take(n, o.done) {
		return
	}
	select {
	case o.in <- outItem{op: op, data: data, charged: n, at: time.Now()}:
	case <-o.done:
	}
}

// finish waits until everything handed over has been written, or dropped
// if abandon was called.
func (o *faultOut) finish() {
	o.stopOnce.Do(func() { close(o.in) })
	<-o.done
}

// abandon makes run drop what is pending and return at once: the proxy is
// closing the session, or the client is gone. It is safe to call from any
// goroutine, more than once, and on a nil faultOut.
func (o *faultOut) abandon() {
	if o != nil {
		o.quitOnce.Do(func() { close(o.quit) })
	}
}

// run writes what is handed over when it is due, until finish or abandon.
func (o *faultOut) run() {
	defer close(o.done)
	defer o.recoverPanic()
	in := o.in
	for in != nil || len(o.pending) > 0 || o.swapped != nil {
		if in == nil && len(o.pending) == 0 {
			o.flushSwapped() // nothing came after it
		}
		var wake <-chan time.Time
		var t *time.Timer
		if len(o.pending) > 0 {
			d := time.Until(o.pending[0].due)
			if d <= 0 {
				o.write(o.pending[0])
				o.pending = o.pending[1:]
				continue
			}
			t = time.NewTimer(d)
			wake = t.C
		}
		select {
		case it, ok := <-in:
			if !ok {
				in = nil
			} else {
				o.place(it)
			}
		case <-wake:
		case <-o.quit:
			o.dropPending()
			return
		}
		if t != nil {
			t.Stop()
		}
	}
}

// dropPending lets go of what the client will never get, and says how
// much there was.
func (o *faultOut) dropPending() {
	n := 0
	for _, it := range o.pending {
		if it.op < opClose {
			n++
		}
	}
	if o.swapped != nil {
		n++
	}
	o.pending, o.swapped = nil, nil
	if n > 0 {
		o.s.log.Info("server messages held by faults not delivered: the session ended first", "undelivered", n)
	}
}

// recoverPanic turns a panic in run (a fault's schedule) into a drop of
// this session alone: logged, counted (ProxyStats.FaultErrors), both legs
// closed without a close frame, as a dropped connection ends. The proxy
// and its other sessions go on.
func (o *faultOut) recoverPanic() {
	v := recover()
	if v == nil {
		return
	}
	o.s.p.stats.faultErrors.Add(1)
	o.s.log.Error("faults failed on this session: dropping it; other sessions go on", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	o.s.dropped(format.ByProxy)
	o.pending, o.swapped = nil, nil
	o.dst.conn.Close()
	o.s.upstream.conn.Close()
}

// place times it and applies the message faults to it.
func (o *faultOut) place(it outItem) {
	o.seq++
	it.due = it.at
	if o.clock != nil {
		it.due = o.clock.Arrival(o.seq, len(it.data), it.at)
		o.clock.Sent(o.seq, it.due)
	}
	if it.op >= opClose {
		if it.op == opClose {
			// A close frame ends the stream: it comes after every
			// message on its way, delayed ones too.
			o.flushSwapped()
			if n := len(o.pending); n > 0 {
				it.due = later(it.due, o.pending[n-1].due)
			}
		}
		o.insert(it)
		return
	}
	seq := int(o.s.sent.Load() + o.s.received.Load()) // both directions, as a replay numbers them
	var r *fault.Rule
	if o.match != nil {
		e := &format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Binary, Data: it.data}
		if it.op == opText {
			e.Opcode = format.Text
		}
		r = o.match.Match(&fault.Message{Seq: seq, Offset: it.at.Sub(o.s.start), Path: o.plan.path, Event: e})
	}
	if r != nil {
		o.note(r.String(), string(r.Action))
		switch r.Action {
		case fault.Drop:
			o.held.release(it.charged)
			return
		case fault.Duplicate:
			dup := outItem{op: it.op, data: bytes.Clone(it.data), charged: int64(len(it.data)), due: it.due}
			o.held.add(dup.charged)
			o.insert(dup)
		case fault.Corrupt:
			it.orig, it.data = it.data, fault.CorruptData(it.data, it.op == opText)
			it.charged += int64(len(it.data))
			o.held.add(int64(len(it.data)))
		case fault.Delay:
			it.due = it.due.Add(r.Delay)
		case fault.Reorder:
			if o.swapped != nil {
				o.insert(*o.swapped)
			}
			o.swapped = &it
			return
		}
	}
	o.insert(it)
	if sw := o.swapped; sw != nil {
		o.swapped = nil
		sw.due = it.due
		o.insert(*sw)
	}
}

// flushSwapped sends the message a reorder holds with what is pending.
func (o *faultOut) flushSwapped() {
	if sw := o.swapped; sw != nil {
		o.swapped = nil
		if n := len(o.pending); n > 0 {
			sw.due = later(sw.due, o.pending[n-1].due)
		}
		o.insert(*sw)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// insert adds it to the pending items, after those due no later.
func (o *faultOut) insert(it outItem) {
	i, _ := slices.BinarySearchFunc(o.pending, it.due, func(p outItem, t time.Time) int {
		if p.due.After(t) {
			return 1
		}
		return -1 // equal times: after them
	})
	o.pending = slices.Insert(o.pending, i, it)
}

// write sends it to the client as one frame, and records a message as
// the client got it: a corrupted one as the corruption of its redacted
// original, so that corrupting never takes a secret past redaction.
func (o *faultOut) write(it outItem) {
	defer o.held.release(it.charged)
	if o.broken || o.s.proxyClosing.Load() {
		return
	}
	if err := o.dst.write(serverFrame(it.op, it.data), false); err != nil {
		o.broken = true
		o.dst.conn.Close() // the pumps see the end
		return
	}
	o.lastWrite = o.s.now()
	switch {
	case it.op >= opClose || o.rec == nil:
	case it.orig != nil:
		o.rec.corrupted(format.Receive, it.op == opText, it.orig)
	default:
		o.s.lines.message(format.Receive, it.op == opText, it.data)
	}
}

// serverFrame builds one unmasked frame, as servers send them.
func serverFrame(op byte, payload []byte) []byte {
	f := make([]byte, 0, len(payload)+10)
	f = append(f, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		f = append(f, byte(n))
	case n < 1<<16:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, payload...)
}
