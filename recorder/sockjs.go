package recorder

import (
	"net/http"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file records a SockJS session (sockjs-protocol 0.3) as one
// format.KindSockJS session, whichever transports carry it: the requests
// <base>/<server>/<session>/websocket, xhr_streaming, xhr (polling) and
// xhr_send of one <server>/<session> (sockjs_http.go watches the HTTP
// ones, sjSocket the WebSocket). The server's frames are read as they are
// relayed: the open frame "o" writes the session line, each string of an
// a[...] frame is a receive message, c[code,"reason"] is the close line,
// and the heartbeats "h" are left out; each string the client sends is a
// send message. Nothing is held up or changed on the way.

// sjQuiet ends a session that only HTTP transports carried once no request
// of it has been in flight for this long: the client stopped asking
// (sockjs-node forgets such a session after its disconnect_delay, 5 s).
const sjQuiet = 10 * time.Second

// sjSession is one SockJS session being recorded. Its methods are safe for
// concurrent use: its transports' requests overlap (an xhr_send during an
// xhr_streaming), and its lines are handed to the sink in order under mu.
type sjSession struct {
	sessionRecord
	key    string // "<base>/<server>/<session>", as the client asked for it
	reg    *sjRegistry
	line   format.Event // the session line, written at the open frame
	mu     sync.Mutex   // guards what follows, and the order of lines
	opened bool         // the session line is written
	ended  bool         // the close line is written (or it never opened and is forgotten)
	busy   int          // transport requests in flight
	socket bool         // a WebSocket carries it: the socket's end is the session's
	via    string       // the transport that last carried the server's frames, which xhr_send serves

	queue workQueue[sjWork] // what waits to be recorded (sockjs_queue.go)
	timer *time.Timer       // ends a session whose client went quiet
}

// sjRegistry lists the SockJS sessions being recorded by key. Its zero
// value is empty and ready; once endAll has run it lists no more.
type sjRegistry struct {
	mu     sync.Mutex
	m      map[string]*sjSession
	closed bool
}

// sockJS returns the SockJS session a transport request r (made at start)
// belongs to, and its transport's path part: the one listed under its key,
// or a new one when create and none is; nil when r is no SockJS transport
// request, when the built-in profiles are off, or when it is not recorded
// (no Sink, the Filter, no room, Shutdown).
func (p *Proxy) sockJS(r *http.Request, start time.Time, create bool) (*sjSession, string) {
	base, sid, transport, ok := protocol.SockJSPath(r.URL.Path)
	if !ok || p.protocols().Lookup(protocol.SockJS{}.Name()) == nil {
		return nil, ""
	}
	key := base + "/" + sid
	g := &p.sockjs
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.m[key]; s != nil || !create || g.closed {
		return s, transport
	}
	s := &sjSession{sessionRecord: p.newRecord(p.redactURL(r.URL), format.KindSockJS, start), key: key, reg: g}
	if s.sink = p.sinkFor(r, s.log); s.sink == nil {
		return nil, transport
	}
	s.line = format.Event{Type: format.TypeSession, Version: format.Version, Session: s.id, Time: start,
		URL: p.redactURL(r.URL), Upstream: p.redactURL(p.upstreamURL(r)),
		RequestHeaders: p.Redaction.headers(r.Header), Kind: format.KindSockJS}
	if g.m == nil {
		g.m = map[string]*sjSession{}
	}
	g.m[key] = s
	return s, transport
}

func (g *sjRegistry) remove(s *sjSession) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m[s.key] == s {
		delete(g.m, s.key)
	}
}

// endAll ends every session, and refuses new ones, for Proxy.Shutdown.
func (g *sjRegistry) endAll() {
	g.mu.Lock()
	g.closed = true
	all := make([]*sjSession, 0, len(g.m))
	for _, s := range g.m {
		all = append(all, s)
	}
	g.mu.Unlock()
	for _, s := range all {
		s.ending(format.ByProxy, 1001, "proxy shutting down", true)
	}
}

// serverFrame records a frame the server sent over transport, which
// passed at at.
func (s *sjSession) serverFrame(transport string, frame []byte, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || len(frame) == 0 {
		return
	}
	s.via = transport
	switch frame[0] {
	case 'o':
		if !s.opened && len(frame) == 1 {
			s.opened = true
			line := s.line
			s.queued(s.sink.Add(&line))
			logStarted(s.log, s.line.Upstream, true, "transport", transport)
		}
	case 'a':
		if msgs, ok := protocol.SockJSFrames(frame); ok && s.opened {
			s.messages(format.Receive, transport, msgs, at)
		}
	case 'c':
		if code, reason, ok := protocol.SockJSClose(frame); ok && s.opened {
			s.endLocked(format.ByServer, code, reason, true)
		}
	}
}

// clientSent records what the client sent over transport: a JSON array
// of strings (or, on the WebSocket, one string). An xhr_send ("") is
// recorded as carried by the transport it serves (xhr-streaming,
// xhr-polling).
func (s *sjSession) clientSent(transport string, data []byte, at time.Time) {
	msgs, ok := protocol.SockJSSent(data)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if transport == "" {
		transport = s.via
	}
	if !s.ended && s.opened {
		s.messages(format.Send, transport, msgs, at)
	}
}

// messages records the application's messages, one line each. s.mu is
// held.
func (s *sjSession) messages(dir format.Dir, transport string, msgs []string, at time.Time) {
	for _, m := range msgs {
		s.counts[dirIndex(dir)].Add(1)
		s.message(&format.Event{Time: s.at(at), Dir: dir, Opcode: format.Text, Data: []byte(m), Transport: transport})
	}
}

// request notes a transport request beginning (+1) or ending (-1). A
// session no request keeps busy for sjQuiet, and no WebSocket carries, is
// over: the client stopped asking.
func (s *sjSession) request(delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy += delta
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.busy > 0 || s.ended || s.socket {
		return
	}
	s.timer = time.AfterFunc(sjQuiet, s.quiet)
}

func (s *sjSession) quiet() {
	s.mu.Lock()
	quiet := s.busy == 0 && !s.socket && !s.ended
	s.mu.Unlock()
	if quiet {
		s.ending(format.ByClient, format.CodeAbnormal, "", false)
	}
}

// socketEnded ends the session as its WebSocket ended, unless a close
// frame ended it before.
func (s *sjSession) socketEnded(e format.Event) {
	s.ending(e.By, e.Code, e.Reason, e.Clean)
}

func (s *sjSession) end(by string, code int, reason string, clean bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(by, code, reason, clean)
}

// endLocked writes the close line, once, and forgets the session. s.mu is
// held.
func (s *sjSession) endLocked(by string, code int, reason string, clean bool) {
	if s.ended {
		return
	}
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.reg.remove(s)
	if s.opened {
		s.close(format.Event{By: by, Code: code, Reason: reason, Clean: clean})
	}
}

// sjSocket is the WebSocket transport of a SockJS session: each message
// the server sends is one frame, each the client sends an array of
// strings (or one). s nil: the session is not recorded. A WebSocket whose
// first message is not the server's open frame "o" is no SockJS session
// after all (an application's own /api/1/room/websocket): it is recorded
// as a session of its own (own), and so is one that ends before any
// message.
type sjSocket struct {
	s       *sjSession
	own     func() socketLines
	mu      sync.Mutex  // guards what follows; the two pumps call in
	decided bool        // the first message (or the end) has told
	alt     socketLines // own's lines, once decided; nil: SockJS
}

// decide tells, at the first message (or the end), whether the socket is
// SockJS's; it returns the lines of its own recording when it is not.
func (l *sjSocket) decide(open bool) socketLines {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.decided {
		l.decided = true
		if !open {
			if l.s != nil {
				l.s.forget()
			}
			l.alt = l.own()
		}
	}
	return l.alt
}

// current returns own's lines if the socket was told not SockJS's.
func (l *sjSocket) current() socketLines {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.alt
}

func (l *sjSocket) recorded() bool {
	if alt := l.current(); alt != nil {
		return alt.recorded()
	}
	return l.s != nil
}

func (l *sjSocket) message(dir format.Dir, text bool, data []byte) {
	if alt := l.decide(dir == format.Receive && text && string(data) == "o"); alt != nil {
		alt.message(dir, text, data)
		return
	}
	if !text || l.s == nil {
		return
	}
	n := int64(len(data))
	if !l.s.p.reserve(n) { // waiting to be recorded, it is charged as it was being received
		l.s.unrecorded(&heldBody{over: true, overBudget: true})
		return
	}
	l.s.enqueue(sjWork{at: time.Now(), transport: "websocket", server: dir == format.Receive, data: data, charged: n})
}

func (l *sjSocket) control(typ format.Type, dir format.Dir, payload []byte) {
	if alt := l.current(); alt != nil {
		alt.control(typ, dir, payload)
	}
}

func (l *sjSocket) lose() {
	if alt := l.current(); alt != nil {
		alt.lose()
	} else if l.s != nil {
		l.s.lost.Add(1)
	}
}

func (l *sjSocket) ended(end format.Event) {
	// A socket that ends before its first message is no SockJS
	// session's (unrecorded: nothing to tell); decide keeps what the
	// first message told.
	if alt := l.decide(l.s == nil); alt != nil {
		alt.ended(end)
	} else if l.s != nil {
		l.s.socketEnded(end)
	}
}

// forget lets a session that never opened go: its WebSocket was no
// SockJS session's.
func (s *sjSession) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opened {
		s.ended = true
		s.reg.remove(s)
	}
}

// socketSockJS returns the session a WebSocket request r on a SockJS
// session's websocket path, accepted at start, carries (nil: not
// recorded); ok false when r is none.
func (p *Proxy) socketSockJS(r *http.Request, start time.Time) (s *sjSession, ok bool) {
	s, transport := p.sockJS(r, start, true)
	if transport != "websocket" {
		return nil, false
	}
	if s != nil {
		s.mu.Lock()
		s.socket = true
		s.mu.Unlock()
	}
	return s, true
}
