package driver

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// secretApp hands out fresh secrets on every request, as a live server
// does: SignalR's negotiate answers with a connectionToken and a
// session cookie, /poll with a password field. version changes the
// negotiate's answer (a new build).
type secretApp struct {
	version atomic.Int64
}

func (a *secretApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	tok := "tok-" + rand.Text()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Set-Cookie", "s="+tok+"; HttpOnly")
	switch r.URL.Path {
	case "/hub/negotiate":
		fmt.Fprintf(w, `{"negotiateVersion":%d,"connectionId":"cid-1","connectionToken":%q,"availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]}`,
			1+a.version.Load(), tok)
	case "/poll":
		fmt.Fprintf(w, `{"user":"a","password":%q}`, tok)
	}
}

// TestRunRedacts: what a run writes to Out and shows in its differences
// passes through the Redactor, as record's recording does: the live
// target's connectionToken, Set-Cookie and --redact-json fields are
// hidden, and, the recording being redacted the same way, a run against
// the same app is equal although every secret differs.
func TestRunRedacts(t *testing.T) {
	red := recorder.Redaction{JSONFields: []string{"password"}}
	scripts := recordHTTP(t, &secretApp{}, func(base string) {
		get(t, "POST", base+"/hub/negotiate?negotiateVersion=1", "")
		get(t, "GET", base+"/poll?t=1", "")
	}, func(p *recorder.Proxy) { p.Redaction = red })
	if len(scripts) != 2 {
		t.Fatalf("recorded %d sessions, want the negotiate and the poll", len(scripts))
	}
	app := &secretApp{}
	out := &memSink{}
	d := &Driver{Target: newHTTPTarget(t, app), Speed: 100, Timeout: 2 * time.Second, Out: out,
		Redactor: &recorder.Redactor{Redaction: red}}
	for _, s := range scripts {
		res := d.Run(t.Context(), s)
		if !res.Same() {
			t.Errorf("%s against the same app: %v\n%s", s.Open.URL, res.Err, hunks(res.Diff))
		}
	}
	if got := dumpLines(t, out.evs); strings.Contains(got, "tok-") || !strings.Contains(got, `\"connectionToken\":\"[redacted]\"`) {
		t.Errorf("Out holds a secret, or not the answer's token hidden:\n%s", got)
	}
	app.version.Store(1)
	res := d.Run(t.Context(), scripts[0])
	if got := hunks(res.Diff); res.Same() || !strings.Contains(got, `"negotiateVersion":2`) || strings.Contains(got, "tok-") {
		t.Errorf("against a changed negotiate: same %v, differences\n%s\nwant the change shown, no secret", res.Same(), got)
	}
}

// TestRedactError: the URLs an error names are redacted as the recorder
// redacts them (an Engine.IO sid, a credential parameter); the error is
// still the one it wraps.
func TestRedactError(t *testing.T) {
	d := &Driver{Redactor: &recorder.Redactor{Redaction: recorder.Redaction{Query: []string{"room"}}}}
	tests := []struct {
		name, text, want string
	}{
		{"engine.io", `engine.io poll http://h:1/socket.io/: Get "http://h:1/socket.io/?EIO=4&sid=tok-SID&transport=polling": EOF`,
			`engine.io poll http://h:1/socket.io/: Get "http://h:1/socket.io/?EIO=4&sid=%5Bredacted%5D&transport=polling": EOF`},
		{"redact-query", `dial ws://h:1/app?room=tok-ROOM&v=1: HTTP 403`, `dial ws://h:1/app?room=%5Bredacted%5D&v=1: HTTP 403`},
		{"user info", `dial ws://u:tok-PW@h:1/app: HTTP 401`, `dial ws://h:1/app: HTTP 401`},
		{"no URL", `send message 2: broken pipe`, `send message 2: broken pipe`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := errors.New(tc.text)
			err := d.redactError(base)
			if err.Error() != tc.want || !errors.Is(err, base) {
				t.Errorf("got %q (wraps the error: %v), want %q", err, errors.Is(err, base), tc.want)
			}
		})
	}
}

// dumpLines writes evs as lines.
func dumpLines(t *testing.T, evs []*format.Event) string {
	t.Helper()
	var b []byte
	for _, e := range evs {
		var err error
		if b, err = format.AppendLine(b, e); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}
