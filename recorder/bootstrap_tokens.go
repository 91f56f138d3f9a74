package recorder

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/wsreplay/wsreplay/protocol"
)

// BootstrapAnswered is the reason of a bootstrap session's close line.
const BootstrapAnswered = "bootstrap answered"

// RecognizeBootstrap reports whether an exchange is one of a protocol's
// bootstraps (bootstrap.go), and names the protocol: r is a request a
// profile of ps names as its bootstrap (protocol.Bootstrapper; nil ps:
// the built-in profiles), and body, its answer with status (decoded from
// any Content-Encoding), has the protocol's shape
// (protocol.BootstrapRecognizer). It is the test the Proxy applies, for
// recorders of other packages (a browser's DevTools events) that write
// the lines the Proxy writes.
func RecognizeBootstrap(ps protocol.Set, r *http.Request, status int, body []byte) (string, bool) {
	if ps == nil {
		ps = protocol.Default()
	}
	b := ps.Bootstrap(r)
	if b == nil || !recognized(b, r, status, body) {
		return "", false
	}
	return profileName(b), true
}

// recognized reports whether body, the answer to r with status, has the
// shape of b's bootstrap answers (any answer, when b does not say).
func recognized(b protocol.Bootstrapper, r *http.Request, status int, body []byte) bool {
	rb, ok := b.(protocol.BootstrapRecognizer)
	return !ok || rb.RecognizeBootstrap(r, status, body)
}

// bootstrapSecrets are the members of a bootstrap answer that let their
// holder into the connection (SignalR's connectionToken, a redirect's
// accessToken): recorded hidden, and their values hidden where a later
// URL carries them (?id=<connectionToken>).
var bootstrapSecrets = []string{"connectionToken", "accessToken"}

// BootstrapTokens are the secrets recorded bootstraps handed out (SignalR's
// connectionToken), the newest maxBootTokens, which Answer hides in a
// bootstrap's answer and URL in every later URL that presents one
// (<hub>?id=<token>). A Proxy has its own; a recorder of another package
// keeps one for all it records, and hides every URL it records or logs
// through it. The zero value holds no token and is ready; safe for
// concurrent use.
type BootstrapTokens struct {
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
}

// Answer returns body, the answer of a recognized bootstrap
// (RecognizeBootstrap), as it is recorded: its secret members hidden
// unless red.Off, their values remembered for URL. An answer that is not
// a JSON object is returned as it is (a copy).
func (t *BootstrapTokens) Answer(red *Redaction, body []byte) []byte {
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
		t.add(v)
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

// URL returns u as red.URL does, with the value of a query parameter id=
// hidden too when it is a token a recorded bootstrap handed out
// (SignalR's <hub>?id=<connectionToken>).
func (t *BootstrapTokens) URL(red *Redaction, u *url.URL) string {
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

func (t *BootstrapTokens) add(v string) {
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

func (t *BootstrapTokens) has(v string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.set[v]
	return ok
}

func (t *BootstrapTokens) any() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.set) > 0
}
