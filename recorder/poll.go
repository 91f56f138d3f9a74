package recorder

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/longpoll"
)

// DefaultPollIdle ends a poller's session when Proxy.PollIdle is zero: no
// request of it for this long after its last exchange ended.
const DefaultPollIdle = 30 * time.Second

// pollPath reports whether a request path is one of Proxy.Poll's.
func (p *Proxy) pollPath(path string) bool { return longpoll.Match(p.Poll, path) != "" }

// pollers are the pollers of Proxy.Poll's paths, each recording its own
// session. A poller is told apart by longpoll.Key; since a poller waits
// for each answer before it asks again, a request whose poller has one in
// flight comes from another poller with the same key (a second tab), which
// gets a session of its own.
type pollers struct {
	mu       sync.Mutex
	byKey    map[string][]*poller
	shutdown bool
	wg       sync.WaitGroup // one per poller, until its close line is queued
}

// poller is one client polling one pattern: its session, and whether it
// has a request in flight.
type poller struct {
	key      string
	s        *httpSession
	inFlight bool
	closing  bool        // the proxy shuts down: end at the end of the exchange in flight
	ended    bool        // its close line is recorded, or about to be
	idle     *time.Timer // ends the session after PollIdle without a request
}

// watch records x in its poller's session, opening one if needed.
func (ps *pollers) watch(p *Proxy, x *exchange) {
	pl := ps.take(p, x)
	if pl == nil {
		return // the proxy is shutting down: relayed unrecorded
	}
	body := p.holdBody(p.maxMessageSize())
	// The request line is recorded once, and before the response line:
	// when the request body has been read, or when the answer comes first.
	var once sync.Once
	request := func() { once.Do(func() { pl.request(p, x, body) }) }
	x.RequestBody = body.write
	x.RequestEnd = func(error) { request() }
	x.Response = func(resp *http.Response) (func([]byte), func(error)) {
		request()
		at := pl.s.now()
		rbody := p.holdBody(p.maxMessageSize())
		return rbody.write, func(error) {
			pl.response(p, x.req, at, resp.StatusCode, resp.Header, rbody)
			ps.release(p, pl)
		}
	}
	x.Failed = func(error) {
		request()
		status := http.StatusBadGateway
		if x.req.Context().Err() != nil {
			status = 499 // the client left, as passthruError answers
		}
		pl.response(p, x.req, pl.s.now(), status, nil, &heldBody{})
		ps.release(p, pl)
	}
}

// take returns the poller x comes from, marked in flight, or nil once the
// proxy is shutting down: no session starts then (Shutdown may be waiting
// on wg, whose Add from zero must come before its Wait).
func (ps *pollers) take(p *Proxy, x *exchange) *poller {
	key := longpoll.Key(longpoll.Match(p.Poll, x.req.URL.Path), x.req)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.shutdown {
		return nil
	}
	for _, pl := range ps.byKey[key] {
		if !pl.inFlight && !pl.closing && !pl.ended {
			pl.idle.Stop() // if it has fired, expire finds the poller in flight
			pl.inFlight = true
			return pl
		}
	}
	if ps.byKey == nil {
		ps.byKey = map[string][]*poller{}
	}
	pl := &poller{key: key, s: p.openHTTPSession(x.req, nil, format.KindPoll, x.start, ""), inFlight: true}
	pl.idle = time.AfterFunc(time.Hour, func() { ps.expire(pl) })
	pl.idle.Stop()
	ps.byKey[key] = append(ps.byKey[key], pl)
	ps.wg.Add(1)
	return pl
}

// request records the request line of the exchange in flight.
func (pl *poller) request(p *Proxy, x *exchange, body *heldBody) {
	body.mu.Lock()
	defer body.mu.Unlock()
	defer body.releaseLocked()
	pl.overLimit(body, "request")
	data, h := pl.decoded(p, x.req.Header, bytes.Clone(body.buf))
	e := &format.Event{Time: pl.s.at(x.start), Dir: format.Send, Data: data,
		HTTP: &format.HTTP{Method: x.req.Method, URL: p.redactURL(x.req.URL),
			Headers: p.Redaction.headers(endToEnd(h))}}
	e.Opcode = bodyOpcode(e.Data)
	pl.s.message(e)
}

// response records the response line to req, timed when its headers
// arrived. A bootstrap's answer polled (--poll on a negotiate path) has
// its secrets hidden as a bootstrap session's has.
func (pl *poller) response(p *Proxy, req *http.Request, at time.Time, status int, h http.Header, body *heldBody) {
	defer body.release() // the sink takes the bytes, within its own bound
	pl.overLimit(body, "response")
	data, h := pl.decoded(p, h, body.buf)
	if _, ok := RecognizeBootstrap(p.protocols(), req, status, data); ok {
		data = p.boots.Answer(&p.Redaction, data)
	}
	e := &format.Event{Time: at, Dir: format.Receive, Data: data,
		HTTP: &format.HTTP{Status: status}}
	if h != nil {
		e.HTTP.Headers = p.Redaction.headers(endToEnd(h))
	}
	e.Opcode = bodyOpcode(e.Data)
	pl.s.message(e)
}

// overLimit logs a body that is recorded without its bytes.
func (pl *poller) overLimit(body *heldBody, what string) {
	switch {
	case body.overBudget:
		pl.s.log.Warn("a "+what+" body relayed but recorded without it: bodies and messages being received hold the whole memory budget (--partial-budget)",
			"budget", pl.s.p.partialBudget())
	case body.over:
		pl.s.log.Warn("a " + what + " body larger than the largest message: recorded without it")
	}
}

// decoded returns a body as it is recorded, with the headers that go with
// it: a body in a Content-Encoding (gzip, deflate) is recorded decoded,
// so that --redact-json reaches it and a replay can send it as it is,
// without its Content-Encoding and Content-Length; one that cannot be
// decoded (br, or damaged) is recorded without its bytes, since they could
// be neither redacted nor read, and a warning says so.
func (pl *poller) decoded(p *Proxy, h http.Header, body []byte) ([]byte, http.Header) {
	enc := h.Get("Content-Encoding")
	if enc == "" || strings.EqualFold(enc, "identity") || len(body) == 0 {
		return nonNil(body), h
	}
	h = h.Clone()
	h.Del("Content-Length")
	held, err := p.decodeBody(enc, body, p.maxMessageSize())
	defer held.release() // the sink takes the bytes, within its own bound
	plain := held.buf
	if err != nil {
		pl.s.log.Warn("a body in a Content-Encoding that cannot be read: recorded without it", "encoding", enc, "err", err)
		return []byte{}, h
	}
	h.Del("Content-Encoding")
	return nonNil(plain), h
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// release ends pl's exchange in flight: its session ends after PollIdle
// without another request, or now if the proxy is shutting down.
func (ps *pollers) release(p *Proxy, pl *poller) {
	ps.mu.Lock()
	pl.inFlight = false
	closing := pl.closing && !pl.ended
	if closing {
		pl.ended = true
	} else {
		idle := p.PollIdle
		if idle <= 0 {
			idle = DefaultPollIdle
		}
		pl.idle.Reset(idle)
	}
	ps.mu.Unlock()
	if closing {
		ps.end(pl, format.ByProxy, 1001, "proxy shutting down")
	}
}

// expire ends a poller that has been idle for PollIdle.
func (ps *pollers) expire(pl *poller) {
	ps.mu.Lock()
	if pl.inFlight || pl.ended {
		ps.mu.Unlock()
		return
	}
	pl.ended = true
	shutdown := pl.closing
	ps.mu.Unlock()
	if shutdown {
		ps.end(pl, format.ByProxy, 1001, "proxy shutting down")
		return
	}
	ps.end(pl, format.ByClient, 1000, "poller idle")
}

// end records pl's close line and forgets it.
func (ps *pollers) end(pl *poller, by string, code int, reason string) {
	ps.mu.Lock()
	list := ps.byKey[pl.key]
	for i, o := range list {
		if o == pl {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(ps.byKey, pl.key)
	} else {
		ps.byKey[pl.key] = list
	}
	ps.mu.Unlock()
	pl.s.close(by, code, reason, true)
	ps.wg.Done()
}

// endAll ends the idle pollers now, and those in flight when their
// exchange ends: the proxy is shutting down.
func (ps *pollers) endAll() {
	ps.mu.Lock()
	ps.shutdown = true
	var now []*poller
	for _, list := range ps.byKey {
		for _, pl := range list {
			pl.closing = true
			if !pl.inFlight && !pl.ended {
				pl.ended = true
				pl.idle.Stop()
				now = append(now, pl)
			}
		}
	}
	ps.mu.Unlock()
	for _, pl := range now {
		ps.end(pl, format.ByProxy, 1001, "proxy shutting down")
	}
}
