package recorder

import "time"

// A SockJS session's frames are read by a goroutine of the session's,
// never by the goroutine relaying them: decoding a large a[...] frame
// takes time that the traffic must not wait for. The transports hand over
// what passed (a frame, what the client sent, the end) in the order it
// passed, with its time; the goroutine runs while work waits and records
// it in that order. What waits is charged to the PartialBudget (the
// frame's held copy); past it, the frame is relayed unrecorded and counted
// (sockjs_http.go).

// sjWork is one thing a transport saw, for the recording goroutine.
type sjWork struct {
	at        time.Time
	transport string    // what carried it; "" for an xhr_send (the transport it serves)
	server    bool      // a frame the server sent; else what the client sent
	data      []byte    // the frame, or what the client sent
	held      *heldBody // data's copy, released once recorded; nil: data is the pump's
	charged   int64     // what data, the pump's, holds of the PartialBudget, given back once recorded
	end       *sjEnd    // the session ends, as it says
}

// sjEnd is how a session ended.
type sjEnd struct {
	by     string
	code   int
	reason string
	clean  bool
}

// enqueue hands w to the session's recording goroutine (workqueue.go).
func (s *sjSession) enqueue(w sjWork) {
	s.queue.push(s.p, w, queueFuncs[sjWork]{record: s.recordWork, drop: func(w sjWork) { w.held.release() }})
}

// testHookSockJS, if set (by tests only, before any session), runs before
// each queued item of a SockJS session is recorded: a slow recording, made
// to order.
var testHookSockJS func()

// recordWork records one queued item (workqueue.go calls it, in order),
// and lets go of what it held.
func (s *sjSession) recordWork(w sjWork) {
	if testHookSockJS != nil {
		testHookSockJS()
	}
	s.record(w)
	w.held.release()
	s.p.partial.Add(-w.charged)
}

// record records one piece of work.
func (s *sjSession) record(w sjWork) {
	switch {
	case w.end != nil:
		s.end(w.end.by, w.end.code, w.end.reason, w.end.clean)
	case w.server:
		s.serverFrame(w.transport, w.data, w.at)
	default:
		s.clientSent(w.transport, w.data, w.at)
	}
}

// ending queues the session's end behind what waits.
func (s *sjSession) ending(by string, code int, reason string, clean bool) {
	s.enqueue(sjWork{at: time.Now(), end: &sjEnd{by: by, code: code, reason: reason, clean: clean}})
}
