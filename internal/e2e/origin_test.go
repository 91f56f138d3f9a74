package e2e

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// hostilePage is a recorded poll answer a browser would run as a page of
// the replay server's origin: it reads the control API, changes the next
// connection's defaults, registers a service worker, and tells its opener.
const hostilePage = `<!doctype html><title>ran</title><script>
(async () => {
  const r = {};
  try { const a = await fetch('/_wsreplay/api/sessions'); r.sessions = a.status + ' ' + (await a.text()).slice(0, 80); } catch (e) { r.sessions = String(e); }
  try { const p = await fetch('/_wsreplay/api/next', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"paused":true}' }); r.put = p.status; } catch (e) { r.put = String(e); }
  try { r.sw = (await navigator.serviceWorker.register('/poll/js', { scope: '/poll/' })).scope; } catch (e) { r.sw = String(e); }
  opener.postMessage(r, '*');
})();
</script>`

// hostileWorker is a recorded JavaScript answer, a service worker that
// would answer every page of the origin with its own.
const hostileWorker = `self.addEventListener('fetch', (e) => e.respondWith(new Response('<h1>owned</h1>', { headers: { 'content-type': 'text/html' } })));`

// writeHostile writes poll sessions on /poll/html (text/html) and /poll/js
// (application/javascript, answered thrice: a registration fetches the
// script again to check it).
func writeHostile(t *testing.T, dir string) string {
	t.Helper()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []*format.Event
	add := func(path, ct, body string, n int) {
		id := strings.TrimPrefix(path, "/poll/")
		evs = append(evs, &format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: t0, URL: path, Kind: format.KindPoll})
		for range n {
			evs = append(evs,
				&format.Event{Type: format.TypeMessage, Session: id, Time: t0, Dir: format.Send, Data: []byte{}, HTTP: &format.HTTP{Method: "GET", URL: path}},
				&format.Event{Type: format.TypeMessage, Session: id, Time: t0, Dir: format.Receive, Data: []byte(body),
					HTTP: &format.HTTP{Status: 200, Headers: map[string][]string{"Content-Type": {ct}, "Service-Worker-Allowed": {"/"}}}})
		}
	}
	add("/poll/html", "text/html; charset=utf-8", hostilePage, 1)
	add("/poll/js", "application/javascript", hostileWorker, 3)
	p := filepath.Join(dir, "hostile.ndjson")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := format.NewWriter(f, nil)
	for _, e := range evs {
		w.Write(e)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

type originAttack struct {
	Reports []map[string]any `json:"reports"`
	Answers map[string]struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		CSP    string `json:"csp"`
	} `json:"answers"`
	Register      string   `json:"register"`
	Registrations []string `json:"registrations"`
	Errors        []string `json:"errors"`
}

// A replayed HTTP answer never runs script with the authority of the
// control API: a page of another origin opens a recorded text/html poll
// answer and a recorded JavaScript one with window.open; no script runs,
// nothing is read from the API, PUT /next is not changed, and the
// server's own page cannot register the recorded script as a service
// worker.
func TestChromiumReplayedHTTPIsInert(t *testing.T) {
	need(t, true)
	file := writeHostile(t, t.TempDir())
	_, url := start(t, wsreplayListening, wsreplayBin, "serve", "--listen", "127.0.0.1:0",
		"--poll", "/poll/html", "--poll", "/poll/js", file)
	base := "http" + strings.TrimPrefix(url, "ws")
	var r originAttack
	runNode(t, &r, "origin.mjs", "attack", base)
	if len(r.Errors) > 0 {
		t.Fatalf("the browser run failed: %q", r.Errors)
	}
	for _, p := range []string{"/poll/html", "/poll/js"} {
		if a, ok := r.Answers[p]; !ok || a.Status != 200 {
			t.Errorf("%s: the popup got %+v, want the recorded answer (200)", p, a)
		}
	}
	if len(r.Reports) > 0 {
		t.Errorf("the recorded page's script ran on the server's origin and reported %v", r.Reports)
	}
	resp, err := http.Get(controlOf(t, base) + "/_wsreplay/api/next")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := strings.TrimSpace(string(body)); got != "{}" {
		t.Errorf("GET /next = %s after the attack, want {} (unchanged)", got)
	}
	if !strings.HasPrefix(r.Register, "refused") {
		t.Errorf("registering the recorded script as a service worker: %s, want refused", r.Register)
	}
	if len(r.Registrations) > 0 {
		t.Errorf("service workers registered on the server's origin: %q", r.Registrations)
	}
}

// freePort returns a loopback port free now, for a server the test starts
// there in turn (another server, then wsreplay serve on the same origin).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

type staleWorker struct {
	Before []string `json:"before"`
	After  []string `json:"after"`
	Status int      `json:"status"`
	Title  string   `json:"title"`
	Errors []string `json:"errors"`
}

// A service worker another server left on the origin (host and port) is
// removed when the developer opens the replay server's page there.
func TestChromiumStaleWorkerRemoved(t *testing.T) {
	need(t, true)
	port := freePort(t)
	var r staleWorker
	runNode(t, &r, "origin.mjs", "stale", port, wsreplayBin, writeFeed(t, t.TempDir()))
	if len(r.Errors) > 0 {
		t.Fatalf("the browser run failed: %q", r.Errors)
	}
	if len(r.Before) != 1 {
		t.Fatalf("the other server's worker: %q, want one registration", r.Before)
	}
	if r.Status != 200 || r.Title != "wsreplay" {
		t.Errorf("the replay server's page: %d %q, want 200 \"wsreplay\"", r.Status, r.Title)
	}
	if len(r.After) > 0 {
		t.Errorf("after opening the replay server's page, workers still registered: %q", r.After)
	}
}

type ownedOrigin struct {
	Before []string `json:"before"`
	Worker struct {
		Sessions string `json:"sessions"`
		Put      string `json:"put"`
		Page     string `json:"page"`
	} `json:"worker"`
	Next   string   `json:"next"`
	Errors []string `json:"errors"`
}

// A service worker another server left on the replay port that answers
// every request itself (so Clear-Site-Data never reaches the browser)
// still reads nothing of the control and changes nothing: the timeline
// and the API are on another origin, the control listener's.
func TestChromiumOwnedOriginReachesNoControl(t *testing.T) {
	need(t, true)
	port := freePort(t)
	var r ownedOrigin
	runNode(t, &r, "origin.mjs", "owner", port, wsreplayBin, writeFeed(t, t.TempDir()))
	if len(r.Errors) > 0 {
		t.Fatalf("the browser run failed: %q", r.Errors)
	}
	if len(r.Before) != 1 {
		t.Fatalf("the other server's worker: %q, want one registration", r.Before)
	}
	w := r.Worker
	if strings.HasPrefix(w.Sessions, "200") || strings.Contains(w.Sessions, `"feed"`) {
		t.Errorf("the worker read the sessions: %s", w.Sessions)
	}
	if w.Put == "200" || strings.HasPrefix(w.Page, "200") {
		t.Errorf("the worker reached the control: PUT /next %s, list page %s", w.Put, w.Page)
	}
	if r.Next != "{}" {
		t.Errorf("GET /next on the control listener = %s after the worker ran, want {} (unchanged)", r.Next)
	}
}
