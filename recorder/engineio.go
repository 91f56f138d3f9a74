package recorder

import (
	"net/http"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// This file holds one recorded Engine.IO (Socket.IO) session: every packet
// of one sid, whichever transport carries it (the polling requests of
// engineio_poll.go, the WebSocket of session.go), as one format.KindSocketIO
// session, and the three ways it ends: a close packet, the end of the
// upgraded WebSocket, or a poller that stopped polling.

// eioSession is one Engine.IO sid being recorded. Its methods are safe
// for concurrent use: the polling requests of one sid may overlap.
type eioSession struct {
	sessionRecord // started at the handshake's arrival; counts are packets
	version       int
	line          format.Event  // the session line, written once the open packet is seen
	mu            sync.Mutex    // guards what follows, and the order of lines
	sid           string        // "" until the open packet
	opened        bool          // the session line is written
	ended         bool          // the close line is written (or the session was never opened)
	endLine       *format.Event // the close line, when it waits for the packets queued before it (engineio_queue.go)
	upgrade       bool          // the WebSocket took over (the client sent "5" on it)
	busy          int           // polling requests in flight
	silence       time.Duration // pingInterval + pingTimeout
	timer         *time.Timer   // ends a session whose poller went quiet
	reg           *eioRegistry  // where the sid is listed

	queue workQueue[pollWork] // what waits to be recorded (engineio_queue.go)
}

// eioRegistry lists the Engine.IO sessions being recorded by sid. Its zero
// value is empty and ready; once endAll has run it lists no more.
type eioRegistry struct {
	mu     sync.Mutex
	m      map[string]*eioSession
	closed bool // endAll has run: Shutdown would not end a session put now
}

func (g *eioRegistry) get(sid string) *eioSession {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[sid]
}

// put lists es under sid, or reports false once endAll has run: es is then
// not to be recorded.
func (g *eioRegistry) put(sid string, es *eioSession) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if g.m == nil {
		g.m = map[string]*eioSession{}
	}
	g.m[sid] = es
	return true
}

func (g *eioRegistry) remove(sid string, es *eioSession) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m[sid] == es {
		delete(g.m, sid)
	}
}

// endAll ends every session, and those opened from now on, for
// Proxy.Shutdown.
func (g *eioRegistry) endAll() {
	g.mu.Lock()
	g.closed = true
	all := make([]*eioSession, 0, len(g.m))
	for _, es := range g.m {
		all = append(all, es)
	}
	g.mu.Unlock()
	for _, es := range all {
		es.end(format.ByProxy, 1001, "proxy shutting down", true)
	}
}

// engineIO reports whether r is an Engine.IO request to record as one
// (its query has EIO= and transport=), unless Proxy.NoEngineIO.
func (p *Proxy) engineIO(r *http.Request) (engineio.Query, bool) {
	if p.NoEngineIO {
		return engineio.Query{}, false
	}
	return engineio.ParseQuery(r.URL.Query())
}

// newEIOSession starts recording an Engine.IO handshake made by r at
// start, or returns nil when it is not to be recorded (no Sink, the
// Filter, no room).
func (p *Proxy) newEIOSession(r *http.Request, q engineio.Query, start time.Time) *eioSession {
	es := &eioSession{sessionRecord: p.newRecord(p.redactURL(r.URL), format.KindSocketIO, start),
		version: q.Version, reg: &p.eio}
	if es.sink = p.sinkFor(r, es.log); es.sink == nil {
		return nil
	}
	es.line = format.Event{Type: format.TypeSession, Version: format.Version, Session: es.id, Time: start,
		URL: p.redactURL(r.URL), Upstream: p.redactURL(p.upstreamURL(r)),
		RequestHeaders: p.Redaction.headers(r.Header), Kind: format.KindSocketIO}
	return es
}

// recordResult says what became of a packet offered to record.
type recordResult int

const (
	lineTaken   recordResult = iota // recorded, or lost before the session opened
	lineRefused                     // the sink was full: lost, and counted
	sessionOver                     // the session has ended: nothing more is recorded
)

// record writes one packet carried by transport, which came at at. The
// open packet, the first the server sends, writes the session line first; a
// packet before it has no session to go in and is lost.
func (es *eioSession) record(dir format.Dir, transport string, pk engineio.Packet, at time.Time) recordResult {
	return es.recordAs(dir, transport, pk, at, false)
}

// recordAs is record; queued says the packet was queued before the
// session ended (engineio_queue.go), so it goes in before the close line.
func (es *eioSession) recordAs(dir format.Dir, transport string, pk engineio.Packet, at time.Time, queued bool) recordResult {
	es.mu.Lock()
	defer es.mu.Unlock()
	// Once ended, only packets that came before the end still go in
	// (queued behind bodies): one that came after it would follow the
	// close line in time.
	if es.ended && !(queued && es.endLine != nil && !at.After(es.endLine.Time)) {
		return sessionOver
	}
	if !es.opened && !es.open(dir, pk) {
		if es.ended { // opened after Shutdown ended the sessions: not recorded
			return sessionOver
		}
		es.queued(false)
		return lineTaken
	}
	e := &format.Event{Time: at, Dir: dir, Opcode: format.Text, Data: pk.Data, Transport: transport}
	if pk.Binary {
		e.Opcode = format.Binary
	}
	es.counts[dirIndex(dir)].Add(1)
	if transport == "polling" { // the WebSocket's are counted by its pumps
		es.p.stats.message(dir, int64(len(pk.Data)), true)
	}
	ok := es.message(e)
	if !pk.Binary && len(pk.Data) == 1 && pk.Data[0] == engineio.Close {
		by := format.ByClient
		if dir == format.Receive {
			by = format.ByServer
		}
		es.endLocked(by, 1000, "", true)
	}
	if !ok {
		return lineRefused
	}
	return lineTaken
}

// open reads the open packet and writes the session line. es.mu is held.
// A session that opens once Shutdown has ended the others is over at once
// and writes nothing.
func (es *eioSession) open(dir format.Dir, pk engineio.Packet) bool {
	o, ok := engineio.ParseOpen(pk.Data)
	if dir != format.Receive || pk.Binary || !ok {
		return false
	}
	if !es.reg.put(o.SID, es) {
		es.ended = true
		return false
	}
	es.sid, es.opened = o.SID, true
	es.line.EngineIO = &format.EngineIO{Version: es.version, SID: o.SID, PingInterval: o.PingInterval,
		PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, Upgrades: o.Upgrades}
	line := es.line
	es.queued(es.sink.Add(&line))
	es.silence = time.Duration(o.PingInterval+o.PingTimeout) * time.Millisecond
	logStarted(es.log, es.line.Upstream, true, "eio_version", es.version)
	return true
}

// polling notes a polling request beginning (+1) or ending (-1). A
// session that no request keeps busy for pingInterval + pingTimeout, and
// that has not upgraded, is over: the client stopped polling.
func (es *eioSession) polling(delta int) {
	es.mu.Lock()
	defer es.mu.Unlock()
	es.busy += delta
	if es.timer != nil {
		es.timer.Stop()
	}
	if es.busy > 0 || es.ended || es.upgrade || es.silence <= 0 {
		return
	}
	es.timer = time.AfterFunc(es.silence, es.quiet)
}

func (es *eioSession) quiet() {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.busy == 0 && !es.upgrade {
		es.endLocked(format.ByClient, format.CodeAbnormal, "", false)
	}
}

// upgraded notes the client's "5" on the WebSocket: from now on the
// WebSocket's end is the session's.
func (es *eioSession) upgraded() {
	es.mu.Lock()
	defer es.mu.Unlock()
	es.upgrade = true
	if es.timer != nil {
		es.timer.Stop()
	}
}

// socketEnded notes the end of a WebSocket of the session, as its close
// line e says. Only the WebSocket the session upgraded to, or the one it
// began on, ends it; a probe that failed does not.
func (es *eioSession) socketEnded(e format.Event, carried bool) {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.upgrade || carried {
		es.endLocked(e.By, e.Code, e.Reason, e.Clean)
	}
}

func (es *eioSession) end(by string, code int, reason string, clean bool) {
	es.mu.Lock()
	defer es.mu.Unlock()
	es.endLocked(by, code, reason, clean)
}

// endLocked writes the close line, once. es.mu is held.
func (es *eioSession) endLocked(by string, code int, reason string, clean bool) {
	if es.ended {
		return
	}
	es.ended = true
	if es.timer != nil {
		es.timer.Stop()
	}
	if !es.opened {
		return
	}
	es.reg.remove(es.sid, es)
	end := format.Event{Time: es.now(), By: by, Code: code, Reason: reason, Clean: clean}
	if es.recordingQueued() {
		// Packets relayed before the end wait for the recording
		// goroutine: it writes the close line after them.
		es.endLine = &end
		return
	}
	es.close(end) // never waits
}

// socketEngineIO returns the Engine.IO session a WebSocket request r,
// accepted at start, carries packets of: the one its sid names (an
// upgrade), or a new one when it has no sid (a client on the WebSocket
// transport alone). only reports the latter, even when it is not recorded
// (es nil). A sid the proxy does not know (a recorder started after the
// handshake) makes the WebSocket a session of its own.
func (p *Proxy) socketEngineIO(r *http.Request, start time.Time) (es *eioSession, only bool) {
	q, ok := p.engineIO(r)
	if !ok {
		return nil, false
	}
	if q.SID != "" {
		return p.eio.get(q.SID), false
	}
	return p.newEIOSession(r, q, start), true
}

// fromSocket records a packet the WebSocket carried, behind the polling
// bodies that wait to be recorded if any do; the client's "5" (upgrade)
// makes the WebSocket the session's transport.
func (es *eioSession) fromSocket(dir format.Dir, text bool, data []byte) {
	if !es.queueSocket(dir, text, data) {
		es.record(dir, "websocket", engineio.Packet{Data: data, Binary: !text}, es.now())
	}
	if text && dir == format.Send && len(data) == 1 && data[0] == engineio.Upgrade {
		es.upgraded()
	}
}
