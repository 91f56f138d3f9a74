package recorder

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/protocol"
)

// This file watches a SockJS session's HTTP transports as the plain-HTTP
// reverse proxy relays them (exchange.go): the frames of an xhr_streaming
// or xhr response, one a line, are recorded as each line passes, and an
// xhr_send body once it is whole. What is held meanwhile (the line being
// read, the body) is charged to the PartialBudget; past it, or past the
// largest message, the frame is relayed unrecorded and counted as lost.

// watchSockJS sets the hooks of x, a request of one of a SockJS session's
// HTTP transports, and reports whether it is one. A response in a
// Content-Encoding is relayed unrecorded.
func (p *Proxy) watchSockJS(x *exchange) bool {
	_, _, transport, ok := protocol.SockJSPath(x.req.URL.Path)
	if !ok || x.req.Method != http.MethodPost ||
		transport != "xhr" && transport != "xhr_streaming" && transport != "xhr_send" {
		return false
	}
	s, _ := p.sockJS(x.req, x.start, transport != "xhr_send") // a send opens no session
	switch {
	case s == nil:
		return true
	case transport == "xhr_send":
		p.watchSockJSSend(x, s)
		return true
	}
	s.request(1)
	var once sync.Once
	done := func() { once.Do(func() { s.request(-1) }) }
	x.Failed = func(error) { done() }
	x.Response = func(resp *http.Response) (func([]byte), func(error)) {
		enc := resp.Header.Get("Content-Encoding")
		if resp.StatusCode != http.StatusOK || enc != "" && !strings.EqualFold(enc, "identity") {
			return nil, func(error) { done() }
		}
		l := &sjLines{s: s, transport: protocol.SockJSTransport(transport), limit: p.pollLimit()}
		return l.chunk, func(error) {
			l.release()
			done()
		}
	}
	return true
}

// watchSockJSSend records an xhr_send's body, the client's messages, once
// it has been read whole.
func (p *Proxy) watchSockJSSend(x *exchange, s *sjSession) {
	body := p.holdBody(p.pollLimit())
	x.RequestBody = body.write
	x.RequestEnd = func(err error) {
		switch {
		case err == nil && !body.over:
			s.enqueue(sjWork{at: time.Now(), data: body.buf, held: body}) // released once recorded
		case err == nil:
			s.unrecorded(body)
		default:
			body.release()
		}
	}
}

// sjLines splits a response of an HTTP transport into its frames, one a
// line, as the bytes pass. Its methods are called on the goroutine
// relaying the response, one at a time.
type sjLines struct {
	s         *sjSession
	transport string // "xhr-streaming" or "xhr-polling"
	limit     int64
	line      *heldBody // the frame being read; nil before the first byte
}

func (l *sjLines) chunk(b []byte) {
	for len(b) > 0 {
		if l.line == nil {
			l.line = l.s.p.holdBody(l.limit)
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.line.write(b)
			return
		}
		l.line.write(b[:i])
		b = b[i+1:]
		if l.line.over {
			l.s.unrecorded(l.line)
			l.line = nil
			continue
		}
		l.frame()
	}
}

// frame hands the frame read to the recording goroutine, with its held
// copy; the prelude of xhr_streaming (2048 "h") and the heartbeats are
// none of the session's lines, and their copy is kept for the next.
func (l *sjLines) frame() {
	f := l.line.buf
	if len(f) == 0 || f[0] == 'h' {
		l.line.buf = f[:0] // its room stays charged, for the next
		return
	}
	l.s.enqueue(sjWork{at: time.Now(), transport: l.transport, server: true, data: f, held: l.line})
	l.line = nil
}

func (l *sjLines) release() {
	if l.line != nil {
		l.line.release()
	}
}

// endSockJS is Proxy.Shutdown's: every SockJS session ends, recorded as
// ended by the proxy.
func (p *Proxy) endSockJS() { p.sockjs.endAll() }

// unrecorded counts a frame relayed but not recorded, and logs the first
// the memory budget left out.
func (s *sjSession) unrecorded(b *heldBody) {
	b.release()
	s.lost.Add(1)
	s.p.stats.lost.Add(1)
	if b.overBudget && !s.budgetLogged.Swap(true) {
		s.log.Warn("SockJS frame relayed but not recorded: bodies and messages being received hold the whole memory budget (--partial-budget); traffic is not affected",
			"budget", s.p.partialBudget())
	}
}
