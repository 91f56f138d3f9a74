package recorder

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/ws"
)

// session is one relayed WebSocket connection. Its messages are recorded
// into lines: its own recording (a session of kind websocket), or the
// Engine.IO session it carries.
type session struct {
	p        *Proxy
	id       string
	start    time.Time // with its monotonic reading: line times are start + elapsed
	limit    int64     // largest message relayed
	client   *leg
	upstream *leg
	log      *slog.Logger
	lines    socketLines // where its messages are recorded
	faults   *faultPlan  // what the server sends goes through them (faults.go); nil: none
	out      *faultOut   // the writer of faults, made before run registers the session; nil: none
	outEnd   time.Time   // with faults: when the last frame to the client went (run's goroutine)

	sent, received atomic.Int64 // messages relayed each way
	budgetLogged   atomic.Bool  // a message over Proxy.PartialBudget was logged

	endOnce      sync.Once
	end          format.Event // the close line, decided by whatever ends the session first
	proxyClosing atomic.Bool  // the proxy has sent close frames of its own: relay no more
	timerOnce    sync.Once
	timer        *time.Timer // closes both legs closeTimeout after the first close frame
	closing      sync.WaitGroup
	// closingMu orders proxyClose's closing.Add before run's closing.Wait
	// (a WaitGroup's first Add must not race its Wait); relayed is set
	// once run waits: both pumps are done, and no close frame is sent.
	closingMu sync.Mutex
	relayed   bool
}

// relay dials the upstream and accepts the client, then returns, leaving
// the session to goroutines of its own. The handler's goroutine, whose
// stack grew in the handshakes, and net/http's state for the connection
// (its buffers among it) are then let go: that is much of what an idle
// session would otherwise cost. p.wg is done when the session is.
func (p *Proxy) relay(w http.ResponseWriter, r *http.Request) {
	s := p.open(w, r)
	if s == nil {
		p.wg.Done()
		return
	}
	go func() {
		defer p.wg.Done()
		s.run()
	}()
}

// open makes both handshakes and records the session line. It returns nil
// if the session could not start (the client has had its answer). It is a
// function of its own so that nothing of the handshakes (requests,
// responses, headers) stays reachable while a session runs for hours.
func (p *Proxy) open(w http.ResponseWriter, r *http.Request) *session {
	s := &session{p: p, id: newSessionID(), limit: p.MaxMessageSize}
	s.log = p.logger().With("session", s.id, "path", p.redactURL(r.URL))
	if s.limit <= 0 {
		s.limit = DefaultMaxMessageSize
	}
	s.limit = min(s.limit, format.MaxMessageSize)
	if status, msg := checkClientHandshake(r); status != 0 {
		s.log.Warn("bad client handshake", "status", status, "err", msg)
		if status == http.StatusUpgradeRequired {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, "wsreplay: "+msg, status)
		p.stats.failedWith(status)
		return nil
	}
	up := p.upstreamURL(r)
	timeout := p.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}

	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	upstream, resp, err := p.dialUpstream(ctx, up, forwardHeaders(r), ws.Subprotocols(r))
	cancel()
	if err != nil {
		ue := &upstreamError{http.StatusBadGateway, "upstream unreachable", err}
		errors.As(err, &ue)
		// The client learns what failed, not where: the upstream's
		// address and the dial error stay in the log.
		s.log.Warn("upstream handshake failed", "upstream", p.redactURL(up), "status", ue.status, "err", err)
		http.Error(w, "wsreplay: "+ue.msg, ue.status)
		p.stats.failedWith(ue.status)
		return nil
	}
	subprotocol := resp.Header.Get("Sec-WebSocket-Protocol")
	client, err := acceptClient(w, r, subprotocol)
	if err != nil {
		s.log.Warn("client handshake failed", "err", err)
		upstream.sendClose(1001, "client handshake failed")
		upstream.conn.Close()
		return nil
	}
	s.start = time.Now()
	s.client, s.upstream = client, upstream
	if es, only := p.socketEngineIO(r, s.start); es != nil || only {
		// Logged under the Engine.IO session's id, as it is recorded.
		if es != nil {
			s.log = es.log.With("transport", "websocket")
		} else {
			s.log = s.log.With("kind", format.KindSocketIO.String(), "transport", "websocket")
		}
		s.lines = &eioSocket{es: es, carried: only, log: s.log}
		s.log.Info("WebSocket of an Engine.IO session", "upstream", p.redactURL(up), "recorded", es != nil)
		return s
	}
	own := p.ownRecording(s, r, resp, up, subprotocol)
	if sj, ok := p.socketSockJS(r, s.start); ok { // sockjs.go
		s.log = s.log.With("kind", format.KindSockJS.String(), "transport", "websocket")
		if sj != nil {
			s.log = sj.log.With("transport", "websocket")
		}
		s.lines = &sjSocket{s: sj, own: own}
		return s
	}
	s.lines = own()
	s.faults = p.faultsFor(r.URL.Path)
	return s
}

// ownRecording returns what records s as a session of kind websocket of
// its own: called, it writes the session line and returns the lines. What
// it needs of the handshake (r, resp) is read now.
func (p *Proxy) ownRecording(s *session, r *http.Request, resp *http.Response, up *url.URL, subprotocol string) func() socketLines {
	log := s.log.With("kind", format.KindWebSocket.String())
	rec := &sessionRecord{p: p, sink: p.sinkFor(r, log), id: s.id, start: s.start, log: log}
	line := &format.Event{Type: format.TypeSession, Version: format.Version, Session: s.id, Time: s.start,
		URL: p.redactURL(r.URL), Upstream: p.redactURL(up), Subprotocol: p.Redaction.subprotocol(subprotocol),
		Extensions: resp.Header.Get("Sec-WebSocket-Extensions"), Protocol: p.sessionProtocol(r, subprotocol),
		RequestHeaders: p.Redaction.headers(r.Header), ResponseHeaders: p.Redaction.headers(resp.Header)}
	return func() socketLines {
		rec.add(line)
		logStarted(log, line.Upstream, rec.sink != nil, "subprotocol", line.Subprotocol)
		return socketRecord{r: rec, sent: &s.sent, received: &s.received}
	}
}

// sinkFor returns where a session on r is recorded: Sink, or nil when the
// Filter or a full disk (Room) leaves it unrecorded.
func (p *Proxy) sinkFor(r *http.Request, log *slog.Logger) Sink {
	if p.Sink == nil {
		return nil
	}
	ok, why := p.Filter.records(r)
	if ok && p.Room != nil && !p.Room() {
		ok, why = false, "no_room"
		log.Warn("relaying unrecorded: too little free space for recordings")
	}
	if !ok {
		p.stats.unrecorded.add(why)
		return nil
	}
	return p.Sink
}

// run relays until the session ends, then records how it ended.
func (s *session) run() {
	p := s.p
	p.stats.open.Add(1)
	defer p.stats.open.Add(-1)
	s.out = s.newFaultOut() // before Shutdown can see s: goingAway abandons it
	p.mu.Lock()
	shutdown := p.shutdown
	p.sessions[s] = struct{}{}
	p.mu.Unlock()
	if shutdown {
		s.goingAway()
	}

	// One pump gets a goroutine; the other runs in this one, which would
	// otherwise only wait.
	toUpstream := make(chan struct{})
	go func() {
		defer close(toUpstream)
		s.pumpToUpstream()
	}()
	s.pumpToClient()
	<-toUpstream
	s.closingMu.Lock()
	s.relayed = true
	s.closingMu.Unlock()
	s.closing.Wait()
	s.client.conn.Close()
	s.upstream.conn.Close()
	s.timerOnce.Do(func() {}) // no timer from now on
	if s.timer != nil {
		s.timer.Stop()
	}

	p.mu.Lock()
	delete(p.sessions, s)
	p.mu.Unlock()
	s.finish()
}

// closeFrame notes a close frame from one side, which the relay passes on
// unchanged; if it is the first end of the session, it is the session's.
func (s *session) closeFrame(by string, code int, reason string) {
	s.endOnce.Do(func() {
		s.end = format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: by,
			Code: code, Reason: reason, Clean: true}
	})
	s.armTimer()
}

// dropped notes a side gone without a close frame.
func (s *session) dropped(by string) {
	s.endOnce.Do(func() {
		s.end = format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: by,
			Code: format.CodeAbnormal, Clean: false}
	})
}

// proxyClose ends the session on the proxy's own account: a close frame with
// code and reason to both sides, and nothing relayed after it.
func (s *session) proxyClose(code int, reason string) {
	s.endOnce.Do(func() {
		s.end = format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: format.ByProxy,
			Code: code, Reason: reason, Clean: true}
		s.proxyClosing.Store(true)
		s.out.abandon() // nothing is relayed after the proxy's close frames
		s.closingMu.Lock()
		defer s.closingMu.Unlock()
		if s.relayed {
			return // both legs are done: nothing to send a close frame on
		}
		for _, l := range []*leg{s.client, s.upstream} {
			s.closing.Add(1)
			go func() {
				defer s.closing.Done()
				l.sendClose(code, reason)
			}()
		}
	})
	s.armTimer()
}

// goingAway ends the session because the proxy is shutting down: a close
// frame (1001) to both sides, unless a side has already gone. A side whose
// end of stream waits in its socket dropped before the shutdown, and its
// pump is about to read that end and drop the other side the same way: the
// session's true ending, which the client then sees as it would have
// without the shutdown (1006). Close frames would instead record the
// proxy's 1001, send it to the client, and wait out closeTimeout for a
// handshake the vanished side cannot answer. The timer still bounds the end.
func (s *session) goingAway() {
	s.out.abandon() // what faults hold is not waited for
	if s.upstream.peerGone() || s.client.peerGone() {
		s.armTimer()
		return
	}
	s.proxyClose(1001, "proxy shutting down")
}

// armTimer bounds the close handshake that has begun.
func (s *session) armTimer() {
	s.timerOnce.Do(func() {
		s.timer = time.AfterFunc(closeTimeout, func() {
			s.client.conn.Close()
			s.upstream.conn.Close()
		})
	})
}

func (s *session) now() time.Time { return s.start.Add(time.Since(s.start)) }

// finish records the close line and logs the end of the session.
func (s *session) finish() {
	end := s.end
	if end.Time.Before(s.outEnd) {
		// Faults held the server's messages, and its close frame after
		// them: the session ended for the client when that went.
		end.Time = s.outEnd
	}
	s.lines.ended(end)
}
