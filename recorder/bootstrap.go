package recorder

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// A bootstrap is the HTTP request a protocol's client makes before its
// socket (SockJS GET <base>/info, SignalR POST <hub>/negotiate), which a
// profile names (protocol.Bootstrapper). It is relayed as every plain
// request is, watched as it goes by, and recorded, once its answer is
// whole and has the protocol's shape (protocol.BootstrapRecognizer), as a
// small session of its own: kind poll, "protocol" the profile's name, one
// request line and one response line, and a close line. The socket it
// opens is the session recorded on the same base URL (<base>/.../websocket,
// <hub>?id=).

// maxBootstrapBody bounds what is held of a bootstrap's bodies: their
// answers are a few hundred bytes; a larger one is relayed unrecorded.
const maxBootstrapBody = 64 << 10

// protocols returns Protocols, or the built-in profiles.
func (p *Proxy) protocols() protocol.Set {
	if p.Protocols == nil {
		return protocol.Default()
	}
	return p.Protocols
}

// watchBootstrap watches x, a bootstrap request of b, and records it.
func (p *Proxy) watchBootstrap(x *exchange, b protocol.Bootstrapper) {
	reqBody := p.holdBody(maxBootstrapBody)
	x.RequestBody = reqBody.write
	x.Failed = func(error) { reqBody.release() }
	x.Response = func(resp *http.Response) (func([]byte), func(error)) {
		at := time.Now()
		body := p.holdBody(maxBootstrapBody)
		return body.write, func(err error) {
			defer reqBody.release()
			defer body.release()
			if err == nil && !body.over && !reqBody.over {
				p.recordBootstrap(x, b, bootstrapAnswer{at: at, status: resp.StatusCode, header: resp.Header, body: body.buf}, reqBody.buf)
			}
		}
	}
}

// bootstrapAnswer is the upstream's answer to a bootstrap request.
type bootstrapAnswer struct {
	at     time.Time // when its headers arrived
	status int
	header http.Header
	body   []byte
}

// recordBootstrap records the exchange as a session of its own, if its
// answer has the protocol's shape. It runs once the answer has been
// relayed, on the relaying goroutine: it only hands lines to the Sink.
func (p *Proxy) recordBootstrap(x *exchange, b protocol.Bootstrapper, a bootstrapAnswer, reqBody []byte) {
	if enc := a.header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		held, err := p.decodeBody(enc, a.body, maxBootstrapBody)
		if err != nil {
			p.logger().Info("a bootstrap answer in a Content-Encoding that cannot be read: not recorded", "path", p.redactURL(x.req.URL), "encoding", enc)
			return
		}
		defer held.release()
		a.body, a.header = held.buf, a.header.Clone()
		a.header.Del("Content-Encoding")
	}
	if !recognized(b, x.req, a.status, a.body) {
		return // an application's own /info or /negotiate: plain HTTP
	}
	if !p.recording.add() {
		return // shutting down: no line after Shutdown returns
	}
	defer p.recording.done()
	if profileName(b) == "signalr" {
		p.signalR.expect(a.body) // its connection on an HTTP transport is recorded (signalr.go)
	}
	s := p.openHTTPSession(x.req, nil, format.KindPoll, x.start, profileName(b))
	req := &format.Event{Time: s.at(x.start), Dir: format.Send, Data: nonNil(bytes.Clone(reqBody)),
		HTTP: &format.HTTP{Method: x.req.Method, URL: p.redactURL(x.req.URL), Headers: p.Redaction.headers(endToEnd(x.req.Header))}}
	req.Opcode = bodyOpcode(req.Data)
	s.message(req)
	resp := &format.Event{Time: s.at(a.at), Dir: format.Receive, Data: nonNil(p.boots.Answer(&p.Redaction, a.body)),
		HTTP: &format.HTTP{Status: a.status, Headers: p.Redaction.headers(endToEnd(a.header))}}
	resp.Opcode = bodyOpcode(resp.Data)
	s.message(resp)
	s.close(format.ByServer, 1000, BootstrapAnswered, true)
}

// redactURL returns u as Redaction.url does, with the tokens recorded
// bootstraps handed out hidden too (BootstrapTokens.URL).
func (p *Proxy) redactURL(u *url.URL) string { return p.boots.URL(&p.Redaction, u) }

func profileName(b protocol.Bootstrapper) string {
	if pr, ok := b.(protocol.Profile); ok {
		return pr.Name()
	}
	return ""
}
