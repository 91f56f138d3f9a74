package recorder

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	if rb, ok := b.(protocol.BootstrapRecognizer); ok && !rb.RecognizeBootstrap(x.req, a.status, a.body) {
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
	resp := &format.Event{Time: s.at(a.at), Dir: format.Receive, Data: nonNil(p.redactBootstrap(a.body)),
		HTTP: &format.HTTP{Status: a.status, Headers: p.Redaction.headers(endToEnd(a.header))}}
	resp.Opcode = bodyOpcode(resp.Data)
	s.message(resp)
	s.close(format.ByServer, 1000, "bootstrap answered", true)
}

func profileName(b protocol.Bootstrapper) string {
	if pr, ok := b.(protocol.Profile); ok {
		return pr.Name()
	}
	return ""
}

// bootstrapSecrets are the members of a bootstrap answer that let their
// holder into the connection (SignalR's connectionToken, a redirect's
// accessToken): recorded hidden, and their values hidden where a later
// URL carries them (?id=<connectionToken>).
var bootstrapSecrets = []string{"connectionToken", "accessToken"}

// redactBootstrap returns a bootstrap answer as bootTokens.redactAnswer
// does, remembering its secrets for redactURL.
func (p *Proxy) redactBootstrap(body []byte) []byte {
	return p.bootTokens.redactAnswer(&p.Redaction, body)
}

// redactURL returns u as bootTokens.redactURL does: with the secrets of
// Redaction and the tokens recorded bootstraps handed out hidden.
func (p *Proxy) redactURL(u *url.URL) string {
	return p.bootTokens.redactURL(&p.Redaction, u)
}

// redactAnswer returns a bootstrap answer with its secret members hidden
// (unless red is Off), remembering their values in t for redactURL. An
// answer that is not a JSON object is returned as it is. A member hidden
// already ("[redacted]", a recorded answer) is not remembered.
func (t *bootTokens) redactAnswer(red *Redaction, body []byte) []byte {
	var obj map[string]json.RawMessage
	if red.Off || json.Unmarshal(body, &obj) != nil {
		return bytes.Clone(body)
	}
	hidden := false
	for _, k := range bootstrapSecrets {
		var v string
		if json.Unmarshal(obj[k], &v) != nil || v == "" {
			continue
		}
		if v != Redacted {
			t.add(v)
		}
		obj[k], _ = json.Marshal(Redacted)
		hidden = true
	}
	if !hidden {
		return bytes.Clone(body)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return []byte{}
	}
	return out
}

// redactURL returns u as red.url does, with the value of a query
// parameter id= hidden too when it is a token a bootstrap redacted by t
// handed out (SignalR's <hub>?id=<connectionToken>).
func (t *bootTokens) redactURL(red *Redaction, u *url.URL) string {
	if u.RawQuery == "" || red.Off || !t.any() {
		return red.url(u)
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, part := range parts {
		name, value, ok := strings.Cut(part, "=")
		if !ok || name != "id" {
			continue
		}
		if dec, err := url.QueryUnescape(value); err == nil && t.has(dec) {
			parts[i] = "id=" + url.QueryEscape(Redacted)
		}
	}
	c := *u
	c.RawQuery = strings.Join(parts, "&")
	return red.url(&c)
}

// maxBootTokens bounds the tokens remembered: the newest are kept, and a
// client presents its token within seconds of getting it.
const maxBootTokens = 4096

// bootTokens are the secret values recorded bootstraps handed out, the
// newest maxBootTokens. The zero value is empty; safe for concurrent use.
type bootTokens struct {
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
}

func (t *bootTokens) add(v string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.set == nil {
		t.set = map[string]struct{}{}
	}
	if _, ok := t.set[v]; ok {
		return
	}
	if len(t.order) == maxBootTokens {
		delete(t.set, t.order[0])
		t.order = append(t.order[:0], t.order[1:]...)
	}
	t.set[v] = struct{}{}
	t.order = append(t.order, v)
}

func (t *bootTokens) has(v string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.set[v]
	return ok
}

func (t *bootTokens) any() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.set) > 0
}
