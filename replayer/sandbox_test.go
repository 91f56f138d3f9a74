package replayer

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// hostileRecording holds poll sessions whose answers a browser could run
// (HTML, JavaScript, SVG, no type at all) with headers that would give them
// authority, and an event stream.
func hostileRecording(tb testing.TB) string {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []*format.Event
	for i, c := range []struct{ path, ct string }{
		{"/html", "text/html; charset=utf-8"}, {"/js", "application/javascript"},
		{"/svg", "image/svg+xml"}, {"/none", ""}, {"/json", "application/json"},
	} {
		id, at := c.path[1:], t0.Add(time.Duration(i)*time.Second)
		hdr := map[string][]string{
			"Set-Cookie": {"sid=attacker"}, "Service-Worker-Allowed": {"/"}, "Clear-Site-Data": {`"*"`},
			"Content-Security-Policy": {"script-src *"}, "Access-Control-Allow-Origin": {"*"},
			"Refresh": {"0;url=javascript:alert(1)"}, "Link": {"</x.js>; rel=serviceworker"},
			"X-Content-Type-Options": {"sniff"}, "X-Batch": {"7"}, "Cache-Control": {"no-cache"},
		}
		if c.ct != "" {
			hdr["Content-Type"] = []string{c.ct}
		}
		evs = append(evs, &format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: at, URL: c.path, Kind: format.KindPoll},
			&format.Event{Type: format.TypeMessage, Session: id, Time: at, Dir: format.Send, Data: []byte{}, HTTP: &format.HTTP{Method: "GET", URL: c.path}},
			&format.Event{Type: format.TypeMessage, Session: id, Time: at, Dir: format.Receive, Data: []byte("<script>alert(1)</script>"),
				HTTP: &format.HTTP{Status: 200, Headers: hdr}})
	}
	evs = append(evs, sseSession("sse", "/events", t0), sseEvent("sse", t0, "<script>alert(1)</script>", format.SSE{}))
	return writeRecording(tb, evs...)
}

// Every kind of replayed HTTP response (poll answers, event streams,
// Engine.IO polling answers and errors) is sandboxed: a CSP sandbox
// without scripts, nosniff, a Content-Type a browser never runs, and none
// of the recorded headers that give a response authority.
func TestReplayedHTTPIsSandboxed(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/html", "/js", "/svg", "/none", "/json"}, Speed: 100},
		File(hostileRecording(t)))
	eio := startServer(t, &Server{}, File(socketIORecording(t)))
	get := func(url string, hdr ...string) *http.Response {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	json := get(ts.URL + "/json")
	sid := openPolling(t, eio)
	post, _ := eioDo(t, "POST", sid, "", "40")
	cases := []struct {
		name   string
		resp   *http.Response
		wantCT string
	}{
		{"poll text/html", get(ts.URL + "/html"), "text/plain; charset=utf-8"},
		{"poll application/javascript", get(ts.URL + "/js"), "application/octet-stream"},
		{"poll image/svg+xml", get(ts.URL + "/svg"), "application/octet-stream"},
		{"poll without a type", get(ts.URL + "/none"), "application/octet-stream"},
		{"poll application/json", json, "application/json"},
		{"event stream", get(ts.URL+"/events", "Accept", "text/event-stream"), "text/event-stream; charset=utf-8"},
		{"Engine.IO polling GET", get(sid), "text/plain; charset=UTF-8"},
		{"Engine.IO polling POST", post, "text/plain; charset=UTF-8"},
		{"Engine.IO error", get(eio.URL + "/socket.io/?EIO=4&transport=polling&sid=nope"), "application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := c.resp.Header
			if got := h.Get("Content-Security-Policy"); got != "sandbox; default-src 'none'" {
				t.Errorf("Content-Security-Policy %q, want a sandbox without scripts", got)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if got := h.Values("Content-Type"); len(got) != 1 || got[0] != c.wantCT {
				t.Errorf("Content-Type %q, want %q", got, c.wantCT)
			}
			for _, name := range []string{"Set-Cookie", "Service-Worker-Allowed", "Clear-Site-Data", "Refresh", "Link", "Access-Control-Allow-Origin"} {
				if v := h.Values(name); v != nil {
					t.Errorf("%s: %q passed through from the recording", name, v)
				}
			}
		})
	}
	if json.Header.Get("X-Batch") != "7" || json.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("application headers not repeated: %v", json.Header)
	}
}

func TestServedType(t *testing.T) {
	for recorded, want := range map[string]string{
		"":                                  "application/octet-stream",
		"application/json; charset=utf-8":   "application/json; charset=utf-8",
		"application/problem+json":          "application/problem+json",
		"text/plain":                        "text/plain",
		"TEXT/HTML":                         "text/plain",
		"text/html; charset=ISO-8859-1":     "text/plain; charset=ISO-8859-1",
		"text/javascript":                   "text/plain",
		"application/xhtml+xml":             "application/octet-stream",
		"application/ecmascript":            "application/octet-stream",
		"image/svg+xml":                     "application/octet-stream",
		"text/html; charset=\"a\r\nb\"":     "application/octet-stream",
		"application/x-www-form-urlencoded": "application/x-www-form-urlencoded",
	} {
		t.Run(fmt.Sprintf("%q", recorded), func(t *testing.T) {
			if got := servedType(recorded); got != want {
				t.Errorf("servedType(%q) = %q, want %q", recorded, got, want)
			}
		})
	}
}

// No answer of the server can become a service worker: a browser's fetch
// of a worker script gets 403 on every path, the server's own scripts
// included; the pages a developer opens clear what another server left.
func TestNoServiceWorker(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/json"}}, File(hostileRecording(t)))
	for _, path := range []string{"/json", "/events", "/_wsreplay/ui/timeline.js", "/", "/socket.io/?EIO=4&transport=polling"} {
		t.Run(path, func(t *testing.T) {
			for _, hdr := range [][2]string{{"Service-Worker", "script"}, {"Sec-Fetch-Dest", "serviceworker"}} {
				t.Run(hdr[0], func(t *testing.T) {
					req, _ := http.NewRequest("GET", ts.URL+path, nil)
					req.Header.Set(hdr[0], hdr[1])
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusForbidden {
						t.Errorf("GET %s with %s: %s: %d, want 403", path, hdr[0], hdr[1], resp.StatusCode)
					}
				})
			}
		})
	}
	for _, path := range []string{"/", "/_wsreplay/s/json"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Clear-Site-Data"); resp.StatusCode != 200 || got != `"storage"` {
				t.Errorf("GET %s: %d, Clear-Site-Data %q, want 200 and \"storage\"", path, resp.StatusCode, got)
			}
		})
	}
}
