package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// An event stream recorded on a path that ends in /info: EventSource asks
// for it with Accept: text/event-stream.
func TestEventStreamOnAnInfoPath(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	rec := writeRecording(t,
		sseSession("a", "/api/info", t0),
		sseEvent("a", t0.Add(10*time.Millisecond), "hello", format.SSE{ID: "1", HasID: true}),
		&format.Event{Type: format.TypeClose, Session: "a", Time: t0.Add(50 * time.Millisecond), By: format.ByServer, Code: 1000, Clean: true},
	)
	ts := startServer(t, &Server{}, File(rec))
	req, _ := http.NewRequest("GET", ts.URL+"/api/info", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.Logf("%d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") || !strings.Contains(string(body), "data: hello") {
		t.Errorf("not the recorded event stream")
	}
}
