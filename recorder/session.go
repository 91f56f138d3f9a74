package recorder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/handshake"
)

// session is one relayed and recorded WebSocket connection.
type session struct {
	p        *Proxy
	id       string
	start    time.Time // with its monotonic reading: line times are start + elapsed
	client   *websocket.Conn
	upstream *websocket.Conn
	log      *slog.Logger

	sent, received atomic.Int64
	lost           atomic.Int64
	lostLogged     atomic.Bool

	endOnce sync.Once
	end     format.Event // the close line, decided by the first leg to end
	closing sync.WaitGroup
}

// relay dials the upstream, accepts the client, and relays until one side
// ends the connection.
func (p *Proxy) relay(w http.ResponseWriter, r *http.Request) {
	if s := p.open(w, r); s != nil {
		s.run()
	}
}

// open makes both handshakes and records the session line. It returns nil
// if the session could not start (the client has had its answer). It is a
// function of its own so that nothing of the handshakes (requests,
// responses, headers) stays reachable while a session runs for hours.
func (p *Proxy) open(w http.ResponseWriter, r *http.Request) *session {
	s := &session{p: p, id: newSessionID()}
	s.log = p.logger().With("session", s.id, "path", r.URL.RequestURI())
	up := p.upstreamURL(r)
	limit := p.MaxMessageSize
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	timeout := p.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}

	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	upstream, resp, err := websocket.Dial(ctx, up.String(), &websocket.DialOptions{
		HTTPClient:     p.client,
		HTTPHeader:     forwardHeaders(r),
		Subprotocols:   handshake.Subprotocols(r),
		OnPingReceived: s.observe(format.TypePing, format.Receive),
		OnPongReceived: func(ctx context.Context, b []byte) { s.observe(format.TypePong, format.Receive)(ctx, b) },
	})
	cancel()
	if err != nil {
		status, msg := dialError(err, resp)
		s.log.Warn("upstream handshake failed", "upstream", p.Redaction.url(up), "status", status, "err", err)
		http.Error(w, "wsreplay: "+msg, status)
		return nil
	}
	var protos []string
	if sp := upstream.Subprotocol(); sp != "" {
		protos = []string{sp}
	}
	client, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols: protos,
		// Browsers send the page's Origin; checking it is the
		// backend's business, and it gets the header.
		InsecureSkipVerify: true,
		OnPingReceived:     s.observe(format.TypePing, format.Send),
		OnPongReceived:     func(ctx context.Context, b []byte) { s.observe(format.TypePong, format.Send)(ctx, b) },
	})
	if err != nil {
		s.log.Warn("client handshake failed", "err", err)
		upstream.Close(websocket.StatusGoingAway, "client handshake failed")
		return nil
	}
	s.start = time.Now()
	s.client, s.upstream = client, upstream
	client.SetReadLimit(limit)
	upstream.SetReadLimit(limit)

	respHeaders := http.Header{}
	if resp != nil {
		respHeaders = resp.Header
	}
	s.add(&format.Event{Type: format.TypeSession, Version: format.Version, Session: s.id, Time: s.start,
		URL: p.Redaction.url(r.URL), Upstream: p.Redaction.url(up), Subprotocol: upstream.Subprotocol(),
		Extensions:     respHeaders.Get("Sec-WebSocket-Extensions"),
		RequestHeaders: p.Redaction.headers(r.Header), ResponseHeaders: p.Redaction.headers(respHeaders)})
	s.log.Info("session started", "upstream", p.Redaction.url(up), "subprotocol", upstream.Subprotocol())
	return s
}

// run relays until the session ends, then records how it ended.
func (s *session) run() {
	p := s.p
	p.mu.Lock()
	shutdown := p.shutdown
	p.sessions[s] = struct{}{}
	p.mu.Unlock()
	if shutdown {
		s.goingAway()
	}

	// One pump gets a goroutine; the other runs in this one, which would
	// otherwise only wait: a goroutine stack is a good part of what an
	// idle session costs.
	toUpstream := make(chan struct{})
	go func() { defer close(toUpstream); s.pumpToUpstream() }()
	s.pumpToClient()
	<-toUpstream
	s.closing.Wait()
	// A leg that ended with a read error is not closed by coder/websocket:
	// without this its socket would sit in CLOSE_WAIT until a finalizer.
	s.client.CloseNow()
	s.upstream.CloseNow()

	p.mu.Lock()
	delete(p.sessions, s)
	p.mu.Unlock()
	s.finish()
}

// pumpToUpstream relays client messages to the upstream.
func (s *session) pumpToUpstream() {
	for {
		typ, data, err := s.client.Read(context.Background())
		if err != nil {
			s.ended(format.ByClient, err, s.upstream)
			return
		}
		s.sent.Add(1)
		s.record(format.Send, typ, data)
		if err := s.upstream.Write(context.Background(), typ, data); err != nil {
			return // the upstream's reader reports how it ended
		}
	}
}

// pumpToClient relays upstream messages to the client.
func (s *session) pumpToClient() {
	for {
		typ, data, err := s.upstream.Read(context.Background())
		if err != nil {
			s.ended(format.ByServer, err, s.client)
			return
		}
		s.received.Add(1)
		s.record(format.Receive, typ, data)
		if err := s.client.Write(context.Background(), typ, data); err != nil {
			return // the client's reader reports how it ended
		}
	}
}

// ended handles the end of one leg, by is its side, and mirrors it on the
// other leg. Only the first leg to end decides; the other one ending is the
// consequence.
func (s *session) ended(by string, err error, other *websocket.Conn) {
	s.endOnce.Do(func() {
		s.end = format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: by}
		var ce websocket.CloseError
		switch {
		case errors.As(err, &ce):
			// A close frame: pass its code and reason on unchanged.
			s.end.Code, s.end.Reason, s.end.Clean = int(ce.Code), ce.Reason, true
			s.closeConcurrently(other, ce.Code, ce.Reason)
		case errors.Is(err, websocket.ErrMessageTooBig):
			// coder/websocket has closed the sender's leg with 1009.
			reason := "message too big"
			s.end.By, s.end.Code, s.end.Reason, s.end.Clean = format.ByProxy, int(websocket.StatusMessageTooBig), reason, true
			s.log.Warn("message over the size limit", "from", by)
			s.closeConcurrently(other, websocket.StatusMessageTooBig, reason)
		default:
			// Gone without a close frame: drop the other side the
			// same way, so that a browser sees 1006 as it would have.
			s.end.Code, s.end.Clean = format.CodeAbnormal, false
			other.CloseNow()
		}
	})
}

// goingAway ends the session because the proxy is shutting down.
func (s *session) goingAway() {
	s.endOnce.Do(func() {
		s.end = format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: format.ByProxy,
			Code: int(websocket.StatusGoingAway), Reason: "proxy shutting down", Clean: true}
		s.closeConcurrently(s.client, websocket.StatusGoingAway, s.end.Reason)
		s.closeConcurrently(s.upstream, websocket.StatusGoingAway, s.end.Reason)
	})
}

// closeConcurrently closes a leg with a close handshake, which can take
// seconds, without holding up the caller.
func (s *session) closeConcurrently(c *websocket.Conn, code websocket.StatusCode, reason string) {
	s.closing.Add(1)
	go func() {
		defer s.closing.Done()
		if err := c.Close(code, reason); err != nil {
			c.CloseNow()
		}
	}()
}

func (s *session) now() time.Time { return s.start.Add(time.Since(s.start)) }

// observe returns a ping or pong callback that records the frame.
func (s *session) observe(typ format.Type, dir format.Dir) func(context.Context, []byte) bool {
	return func(_ context.Context, payload []byte) bool {
		if !s.start.IsZero() {
			s.add(&format.Event{Type: typ, Session: s.id, Time: s.now(), Dir: dir, Data: append([]byte(nil), payload...)})
		}
		return true
	}
}

// record queues a message line. It never blocks: if the sink is full, the
// line is counted as lost and the traffic goes on.
func (s *session) record(dir format.Dir, typ websocket.MessageType, data []byte) {
	if s.p.Sink == nil {
		return
	}
	e := &format.Event{Type: format.TypeMessage, Session: s.id, Time: s.now(), Dir: dir, Opcode: format.Binary, Data: data}
	if typ == websocket.MessageText {
		e.Opcode = format.Text
		e.Data = s.p.Redaction.message(data)
	}
	s.add(e)
}

func (s *session) add(e *format.Event) {
	if s.p.Sink == nil || s.p.Sink.Add(e) {
		return
	}
	s.lost.Add(1)
	if !s.lostLogged.Swap(true) {
		s.log.Warn("recording cannot keep up: dropping lines of this session; traffic is not affected")
	}
}

// finish records the close line and logs the end of the session. The
// traffic is over, so the close line may wait a little for room.
func (s *session) finish() {
	end := s.end
	end.Lost = s.lost.Load()
	if s.p.Sink != nil {
		for try := 0; !s.p.Sink.Add(&end); try++ {
			if try == 50 {
				s.log.Error("close line of session lost: recording queue full")
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	ending := fmt.Sprintf("%d clean", end.Code)
	if !end.Clean {
		ending = fmt.Sprintf("%d drop", end.Code)
	}
	s.log.Info("session ended", "by", end.By, "ending", ending, "reason", end.Reason,
		"sent", s.sent.Load(), "received", s.received.Load(), "lost", end.Lost,
		"duration", time.Since(s.start).Round(time.Millisecond))
}
