package recorder

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/sse"
)

// This file records SignalR's HTTP transports (TransportProtocols.md of
// dotnet/aspnetcore): Server-Sent Events (GET <hub>?id=<token>, Accept:
// text/event-stream) and long polling (GET <hub>?id=<token> polled), the
// client's sends in POSTs to the same URL, DELETE to end. One connection
// token is one session, of the default kind, with "protocol":"signalr" and
// "transport" naming the transport, whose messages are the JSON hub
// protocol's records as a WebSocket would carry them: request and response
// bodies, and the event stream's data, split after each 0x1e. A request is
// one of these when its id= is a token a recorded negotiate handed out
// (bootstrap.go): the client presents it only once the negotiate's answer
// has passed, and the answer's end, where the token is noted, comes with
// its last bytes. Like every exchange, they are relayed untouched; the
// bodies are copied as they pass, within PartialBudget.

// signalRSep ends every record of the JSON hub protocol.
const signalRSep = 0x1e

// signalRConns lists the SignalR connections on HTTP transports being
// recorded by connection token, and the tokens recorded negotiates handed
// out (the newest maxBootTokens). Its zero value is empty and ready; safe
// for concurrent use. Once endAll has run it starts no more.
type signalRConns struct {
	mu     sync.Mutex
	tokens BootstrapTokens
	m      map[string]*signalRConn
	closed bool
}

// expect notes the connection token of a recorded negotiate's answer
// (connectionToken, or connectionId before negotiateVersion 1).
func (g *signalRConns) expect(answer []byte) {
	var n struct {
		ID    string `json:"connectionId"`
		Token string `json:"connectionToken"`
	}
	if json.Unmarshal(answer, &n) != nil {
		return
	}
	if n.Token == "" {
		n.Token = n.ID
	}
	if n.Token != "" {
		g.tokens.add(n.Token)
	}
}

// signalRConnOf returns the connection a request of SignalR's HTTP
// transports belongs to, opening it at the first GET of a token a
// negotiate handed out; nil for any other request.
func (p *Proxy) signalRConnOf(r *http.Request) *signalRConn {
	id := r.URL.Query().Get("id")
	if id == "" || strings.HasSuffix(r.URL.Path, "/negotiate") ||
		r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodDelete {
		return nil
	}
	g := &p.signalR
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.m[id]; c != nil || g.closed || r.Method != http.MethodGet || !g.tokens.has(id) {
		return c
	}
	c := p.openSignalR(r, id)
	if g.m == nil {
		g.m = map[string]*signalRConn{}
	}
	g.m[id] = c
	return c
}

// endAll ends every connection being recorded, for Proxy.Shutdown.
func (g *signalRConns) endAll() {
	g.mu.Lock()
	g.closed = true
	all := make([]*signalRConn, 0, len(g.m))
	for _, c := range g.m {
		all = append(all, c)
	}
	g.mu.Unlock()
	for _, c := range all {
		c.end(format.Event{By: format.ByProxy, Code: 1001, Reason: "proxy shutting down", Clean: true})
	}
}

// signalRConn is one SignalR connection token being recorded. Its methods
// are safe for concurrent use: a poll or a stream and a send overlap, and
// its lines are handed over in the order its lock is taken.
type signalRConn struct {
	httpSession
	token string
	sse   bool // Server-Sent Events; else long polling
	reg   *signalRConns
	idle  time.Duration

	mu    sync.Mutex
	ended bool
	busy  int         // requests in flight
	timer *time.Timer // ends a long-polling connection whose client went quiet
}

// openSignalR starts recording the connection whose first GET is r. g.mu
// is held.
func (p *Proxy) openSignalR(r *http.Request, token string) *signalRConn {
	c := &signalRConn{token: token, sse: isEventStreamAccepted(r.Header), reg: &p.signalR, idle: p.PollIdle}
	if c.idle <= 0 {
		c.idle = DefaultPollIdle
	}
	transport := "LongPolling"
	if c.sse {
		transport = "ServerSentEvents"
	}
	c.httpSession = httpSession{p.newRecord(p.redactURL(r.URL), format.KindWebSocket, time.Now())}
	c.sink = p.sinkFor(r, c.log)
	up := p.upstreamURL(r)
	up.Scheme = httpScheme(up.Scheme)
	c.add(&format.Event{Type: format.TypeSession, Version: format.Version, Session: c.id, Time: c.start,
		URL: p.redactURL(r.URL), Upstream: p.redactURL(up), RequestHeaders: p.Redaction.headers(endToEnd(r.Header)),
		Protocol: "signalr", Transport: transport})
	p.stats.open.Add(1)
	c.log = c.log.With("protocol", "signalr", "transport", transport)
	logStarted(c.log, p.redactURL(up), c.sink != nil)
	return c
}

// isEventStreamAccepted reports whether a request asks for an event stream.
func isEventStreamAccepted(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		if strings.Contains(v, "text/event-stream") {
			return true
		}
	}
	return false
}

// records records the hub protocol's records in body, sent in dir: the
// JSON protocol's split after each 0x1e, a binary body whole.
func (c *signalRConn) records(dir format.Dir, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	if !utf8.Valid(body) {
		// The MessagePack hub protocol's (binary, its records
		// length-prefixed): the body is kept whole, as a WebSocket
		// message would carry it.
		c.message(&format.Event{Time: c.now(), Dir: dir, Opcode: format.Binary, Data: bytes.Clone(body)})
		return
	}
	for len(body) > 0 {
		n := bytes.IndexByte(body, signalRSep) + 1
		if n == 0 {
			n = len(body)
		}
		e := &format.Event{Time: c.now(), Dir: dir, Data: bytes.Clone(body[:n])}
		e.Opcode = bodyOpcode(e.Data)
		c.message(e)
		body = body[n:]
	}
}

// end records how the connection ended (By, Code, Reason, Clean of end),
// once.
func (c *signalRConn) end(end format.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.ended = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.reg.mu.Lock()
	if c.reg.m[c.token] == c {
		delete(c.reg.m, c.token)
	}
	c.reg.mu.Unlock()
	c.close(end.By, end.Code, end.Reason, end.Clean)
}

// begin and done bracket a request of the connection: a long-polling
// connection with none in flight for idle has lost its client.
func (c *signalRConn) begin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy++
	if c.timer != nil {
		c.timer.Stop()
	}
}

func (c *signalRConn) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy--; c.busy > 0 || c.ended || c.sse {
		return
	}
	c.timer = time.AfterFunc(c.idle, func() {
		c.end(format.Event{By: format.ByClient, Code: format.CodeAbnormal, Reason: "client stopped polling"})
	})
}

// watchSignalR watches x, a request of c's, as it is relayed.
func (p *Proxy) watchSignalR(x *exchange, c *signalRConn) {
	c.begin()
	var once sync.Once
	done := func() { once.Do(c.done) }
	x.Failed = func(error) { done() }
	switch {
	case x.req.Method == http.MethodDelete:
		x.Response = func(*http.Response) (func([]byte), func(error)) {
			c.end(format.Event{By: format.ByClient, Code: 1000, Clean: true})
			done()
			return nil, nil
		}
	case x.req.Method == http.MethodPost:
		body := p.holdBody(p.maxMessageSize())
		x.RequestBody = body.write
		x.RequestEnd = func(err error) {
			defer body.release()
			p.recordSignalRBody(c, format.Send, body, err, "")
		}
		x.Response = func(*http.Response) (func([]byte), func(error)) { done(); return nil, nil }
	case c.sse:
		x.Response = func(resp *http.Response) (func([]byte), func(error)) { return p.watchSignalRStream(x, c, resp, done) }
	default:
		x.Response = func(resp *http.Response) (func([]byte), func(error)) { return p.watchSignalRPoll(c, resp, done) }
	}
}

// watchSignalRPoll records a poll's answer: its records, or the
// connection's end (204, or an error status).
func (p *Proxy) watchSignalRPoll(c *signalRConn, resp *http.Response, done func()) (func([]byte), func(error)) {
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNoContent:
		c.end(format.Event{By: format.ByServer, Code: 1000, Clean: true})
		done()
		return nil, nil
	default:
		c.end(format.Event{By: format.ByServer, Code: format.CodeAbnormal, Reason: resp.Status})
		done()
		return nil, nil
	}
	body := p.holdBody(p.maxMessageSize())
	enc := resp.Header.Get("Content-Encoding")
	return body.write, func(err error) {
		defer done()
		defer body.release()
		p.recordSignalRBody(c, format.Receive, body, err, enc)
	}
}

// recordSignalRBody records the records of a whole body, or logs why not.
func (p *Proxy) recordSignalRBody(c *signalRConn, dir format.Dir, body *heldBody, err error, enc string) {
	switch {
	case err != nil:
		return // cut: the client or the upstream did not get it whole either
	case body.over:
		c.lost.Add(1)
		p.stats.lost.Add(1)
		if !c.budgetLogged.Swap(true) {
			c.log.Warn("a SignalR body relayed but not recorded: larger than the largest message, or past the memory budget (--partial-budget); traffic is not affected")
		}
		return
	}
	data := body.buf
	if enc != "" && !strings.EqualFold(enc, "identity") {
		held, err := p.decodeBody(enc, data, p.maxMessageSize())
		if err != nil {
			c.log.Info("a SignalR poll answer in a Content-Encoding that cannot be read: not recorded", "encoding", enc)
			return
		}
		defer held.release()
		data = held.buf
	}
	c.records(dir, data)
}

// watchSignalRStream records the Server-Sent Events transport's stream:
// each event's data is records.
func (p *Proxy) watchSignalRStream(x *exchange, c *signalRConn, resp *http.Response, done func()) (func([]byte), func(error)) {
	if !isEventStream(resp.Header) {
		c.end(format.Event{By: format.ByServer, Code: format.CodeAbnormal, Reason: resp.Status})
		done()
		return nil, nil
	}
	unregister := p.streams.add(x)
	if unregister == nil {
		c.end(format.Event{By: format.ByProxy, Code: 1001, Reason: "proxy shutting down", Clean: true})
		done()
		return nil, nil // the proxy is shutting down: x is ended, unrecorded
	}
	var parser sse.Parser
	parser.MaxLine = int(p.maxMessageSize())
	parser.MaxEvent = int(p.maxMessageSize())
	parser.Grow = (&sseStream{s: &c.httpSession}).grow
	event := func(ev sse.Event) { c.records(format.Receive, []byte(ev.Data)) }
	return func(b []byte) { parser.Write(b, event) }, func(err error) {
		defer unregister()
		defer done()
		parser.Release()
		c.end(streamEnding(x, err))
	}
}
