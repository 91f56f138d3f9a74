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
// runs no script and cannot be framed, as the timeline does: escaping is
// its first defence, not its only one.
func TestPageHeaders(t *testing.T) {
	path := writePlain(t, sessionLine("s", "/live", "", rec0), message("s", rec0, format.Receive, format.Text, []byte("hi")))
	ts := startServer(t, &Server{}, File(path))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q: no %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
}
