package replayer

import (
	"net/http"
	"strings"
	"testing"
)

// The control routes answer a method a path does not take with a JSON 405
// naming the methods it takes, an unknown API path with a JSON 404, and a
// page path that is none with 404 (405 for other methods than GET).
func TestControlRoutes(t *testing.T) {
	ts := startServer(t, &Server{}, File(tenMessages(t)))
	for _, c := range []struct {
		method, path string
		status       int
		allow, ctype string
	}{
		{"GET", "/_wsreplay/api/replays/r1/pause", 405, "POST", "application/json"},
		{"POST", "/_wsreplay/api/replays", 405, "GET", "application/json"},
		{"PATCH", "/_wsreplay/api/next", 405, "GET, PUT, DELETE", "application/json"},
		{"POST", "/_wsreplay/api/events", 405, "GET", "application/json"},
		{"POST", "/_wsreplay/api/sessions/s1/messages/1", 405, "GET", "application/json"},
		{"GET", "/_wsreplay/api/nothing", 404, "", "application/json"},
		{"GET", "/_wsreplay/api/sessions/s1/messages/1/more", 404, "", "application/json"},
		{"GET", "/_wsreplay/api/sessions/nope", 404, "", "application/json"},
		{"GET", "/_wsreplay/api/sessions/s1/messages/1", 200, "", "application/json"},
		{"HEAD", "/_wsreplay/api/sessions", 200, "", "application/json"},
		{"GET", "/_wsreplay/ui/timeline.css", 200, "", "text/css; charset=utf-8"},
		{"GET", "/_wsreplay/ui/other.js", 404, "", "text/plain; charset=utf-8"},
		{"GET", "/_wsreplay/s/s1", 200, "", "text/html; charset=utf-8"},
		{"POST", "/_wsreplay/s/s1", 405, "GET", "application/json"},
		{"GET", "/_wsreplay/nothing", 404, "", "text/plain; charset=utf-8"},
	} {
		t.Run(c.method+" "+strings.TrimPrefix(c.path, "/_wsreplay/"), func(t *testing.T) {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow || resp.Header.Get("Content-Type") != c.ctype {
				t.Errorf("got %d, Allow %q, Content-Type %q; want %d, %q, %q", resp.StatusCode, resp.Header.Get("Allow"),
					resp.Header.Get("Content-Type"), c.status, c.allow, c.ctype)
			}
		})
	}
}
