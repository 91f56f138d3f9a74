package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// A redacted query value shows as [redacted] on the page, not as the
// percent-encoding the recording holds.
func TestPageShowsRedactedPlainly(t *testing.T) {
	path := writePlain(t,
		sessionLine("s", "/live?room=1&token=%5Bredacted%5D", "", rec0),
		message("s", rec0, format.Receive, format.Text, []byte("hi")),
	)
	ts := startServer(t, &Server{}, File(path))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "token=[redacted]") || strings.Contains(string(body), "%5B") {
		t.Errorf("page:\n%s", body)
	}
}

// The list page, which shows recorded ids and URLs, carries a policy that
// runs no script but its own (no inline script: escaping is its first
// defence, not its only one) and cannot be framed, as the timeline does;
// where the control is apart, the replay port's list runs none at all.
func TestPageHeaders(t *testing.T) {
	path := writePlain(t, sessionLine("s", "/live", "", rec0), message("s", rec0, format.Receive, format.Text, []byte("hi")))
	for _, c := range []struct {
		name   string
		srv    *Server
		script string // the policy's script-src, "" for none
	}{
		{"control here", &Server{}, "'self'"},
		{"control apart", &Server{ControlURL: "http://127.0.0.1:1"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, c.srv, File(path))
			resp, err := http.Get(ts.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy %q: no %q", csp, want)
				}
			}
			script := ""
			for _, d := range strings.Split(csp, ";") {
				if v, ok := strings.CutPrefix(strings.TrimSpace(d), "script-src "); ok {
					script = v
				}
			}
			if script != c.script || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("script-src %q, want %q; headers %v", script, c.script, resp.Header)
			}
			if got := strings.Contains(string(body), `<script src="/_wsreplay/ui/index.js">`); got != (c.script != "") {
				t.Errorf("the page loads its script: %v, want %v", got, c.script != "")
			}
		})
	}
}

// The list's script is served with the timeline's assets, and it listens
// to the events stream and reads the page again.
func TestListScriptServed(t *testing.T) {
	ts := startServer(t, &Server{}, File(writePlain(t, sessionLine("s", "/live", "", rec0))))
	resp, err := http.Get(ts.URL + "/_wsreplay/ui/index.js")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(string(body), "new EventSource(API + 'events')") {
		t.Errorf("GET index.js: %d %q %.80q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
