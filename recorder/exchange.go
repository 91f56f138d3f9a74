package recorder

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// An exchange is one plain HTTP request and its response that belong to a
// recorded session: a long-poll (poll.go), a Server-Sent Events stream
// (sse.go), an Engine.IO polling request. The passthru ReverseProxy relays
// it as it relays every plain request; the exchange only watches the bytes
// go by, as they go by: it never buffers a streaming response before passing
// it on, never holds the bytes up and never changes them. A recording
// problem is logged and counted, never passed on to the client.
//
// Proxy.observe gives each plain request its exchange before the round
// trip, its hooks set by classify for what the request is (an Engine.IO
// query, a --poll path);
// a request no kind claims still gets one whose Response hook looks for
// text/event-stream. The exchange rides in the request's context to
// ModifyResponse and the ErrorHandler, which call its hooks.
//
// The hooks are called on the goroutine relaying the exchange, and must not
// block: they hand lines to a Sink, which never blocks, or a body to its
// session's recording goroutine (Engine.IO); a session's close line waits
// for room off that goroutine (Proxy.writeClose).
type exchange struct {
	req   *http.Request // the client's request, as the handler got it
	start time.Time     // when the request arrived

	// RequestBody, if set, gets the request body as it is read by the
	// round trip, a chunk at a time; each chunk is valid only during the
	// call. Nil: the body is not watched.
	RequestBody func(chunk []byte)
	// RequestEnd, if set, is called once the request has been sent on:
	// with nil when its body was read to the end (at once for a request
	// without a body), else with the error that stopped it.
	RequestEnd func(err error)
	// Response, if set, is called with the upstream's response before its
	// body is relayed. It returns the hooks that watch the body (nil, nil:
	// not watched).
	Response func(resp *http.Response) (chunk func([]byte), end func(error))
	// Failed, if set, is called when the round trip failed: the client
	// gets 502 (or 499 when it left).
	Failed func(err error)

	ctx    context.Context         // the round trip's: the request's, and Proxy.Shutdown
	cancel context.CancelCauseFunc // ends ctx with a cause
}

// errShutdown is the cause a stream's context ends with when the proxy
// shuts down.
var errShutdown = errors.New("proxy shutting down")

type exchangeKey struct{}

// observe returns r carrying its exchange, with its body watched.
func (p *Proxy) observe(r *http.Request) *http.Request {
	ctx, cancel := context.WithCancelCause(r.Context())
	x := &exchange{req: r, start: time.Now(), ctx: ctx, cancel: cancel}
	p.classify(x)
	r = r.WithContext(context.WithValue(ctx, exchangeKey{}, x))
	x.ctx = r.Context()
	switch {
	case x.RequestBody == nil && x.RequestEnd == nil:
	case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
		// ReverseProxy sends no body for these: nothing will read it.
		if x.RequestEnd != nil {
			x.RequestEnd(nil)
		}
	default:
		r.Body = &tapBody{rc: r.Body, chunk: x.RequestBody, end: x.RequestEnd}
	}
	return r
}

// classify sets the hooks of the kind of session x belongs to, if any: an
// Engine.IO poll (engineio_poll.go), a --poll path's (poll.go), a SignalR
// connection on an HTTP transport (signalr.go), a bootstrap
// (bootstrap.go), or any other, whose response may be an event stream
// (sse.go).
func (p *Proxy) classify(x *exchange) {
	if q, ok := p.engineIO(x.req); ok {
		p.watchEngineIO(x, q)
		return
	}
	if p.pollPath(x.req.URL.Path) {
		p.pollers.watch(p, x)
		return
	}
	if p.watchSockJS(x) { // sockjs_http.go
		return
	}
	if c := p.signalRConnOf(x.req); c != nil {
		p.watchSignalR(x, c) // signalr.go
		return
	}
	if b := p.protocols().Bootstrap(x.req); b != nil {
		p.watchBootstrap(x, b) // bootstrap.go
		return
	}
	x.Response = func(resp *http.Response) (func([]byte), func(error)) { return p.watchSSE(x, resp) }
}

// exchangeOf returns the exchange of a request observe made, or nil.
func exchangeOf(r *http.Request) *exchange {
	x, _ := r.Context().Value(exchangeKey{}).(*exchange)
	return x
}

// modifyResponse is the passthru's ModifyResponse: it lets the exchange
// watch the response body.
func (p *Proxy) modifyResponse(resp *http.Response) error {
	x := exchangeOf(resp.Request)
	if x == nil || x.Response == nil {
		return nil
	}
	chunk, end := x.Response(resp)
	if chunk != nil || end != nil {
		resp.Body = &tapBody{rc: resp.Body, chunk: chunk, end: end}
	}
	return nil
}

// tapBody passes an io.ReadCloser's bytes on unchanged and shows each
// chunk read to chunk, and the end, once, to end: nil at io.EOF, the read
// error, or errClosedEarly when it is closed before either.
type tapBody struct {
	rc    io.ReadCloser
	chunk func([]byte)
	end   func(error)
	once  sync.Once
}

// errClosedEarly: a body was closed before its end was read (the client
// left, or the copy failed).
var errClosedEarly = errors.New("body closed before its end")

func (t *tapBody) Read(b []byte) (int, error) {
	n, err := t.rc.Read(b)
	if n > 0 && t.chunk != nil {
		t.chunk(b[:n])
	}
	if err != nil {
		if err == io.EOF {
			t.ended(nil)
		} else {
			t.ended(err)
		}
	}
	return n, err
}

func (t *tapBody) Close() error {
	t.ended(errClosedEarly)
	return t.rc.Close()
}

func (t *tapBody) ended(err error) {
	t.once.Do(func() {
		if t.end != nil {
			t.end(err)
		}
	})
}

// streams are the exchanges whose responses stream for as long as the
// upstream sends (Server-Sent Events): Proxy.Shutdown ends them, and waits
// for their close lines, which http.Server.Shutdown would wait for in vain.
type streams struct {
	mu       sync.Mutex
	live     map[*exchange]struct{}
	shutdown bool
	wg       sync.WaitGroup
}

// add registers x until done is called. If the proxy is shutting down, x
// is ended at once and not registered: add returns nil, and x is not to be
// recorded. (Shutdown may be waiting on wg, whose Add from zero must come
// before its Wait: end sets shutdown under mu before Shutdown waits.)
func (s *streams) add(x *exchange) (done func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		x.cancel(errShutdown)
		return nil
	}
	if s.live == nil {
		s.live = map[*exchange]struct{}{}
	}
	s.live[x] = struct{}{}
	s.wg.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.live, x)
			s.mu.Unlock()
			s.wg.Done()
		})
	}
}

// end ends every stream, and those added from now on.
func (s *streams) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdown = true
	for x := range s.live {
		x.cancel(errShutdown)
	}
}
