package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exportHTTP records the realtime HTTP fallbacks of http-server.mjs (a
// poll session with a held empty answer and cache-busters; two event
// streams, named events, ids, a retry, a server-side end and a
// reconnection) from Chromium, and exports the recordings' directory with
// --to to into a directory below this one (where the modules find msw).
// It returns what the live page saw and the index.mjs written.
func exportHTTP(t *testing.T, to string) (live []pollAnswer, liveSSE sseSeen, index string) {
	t.Helper()
	_, port := startNode(t, "http-server.mjs")
	url, stop := record(t, port, "--poll", "/poll")
	base := "http" + strings.TrimPrefix(url, "ws")
	runNode(t, &live, "http-browser.mjs", "poll", base)
	runNode(t, &liveSSE, "http-browser.mjs", "sse", base)
	dir := stop()
	out, err := os.MkdirTemp(".", ".export-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(out) })
	b, err := exec.Command(wsreplayBin, "export", "--to", to, dir, "--out", out).CombinedOutput()
	if err != nil {
		t.Fatalf("wsreplay export: %v\n%s", err, b)
	}
	modules, _ := filepath.Glob(filepath.Join(out, "*-*.mjs"))
	var kinds []string
	for _, m := range modules {
		kinds = append(kinds, strings.SplitN(filepath.Base(m), "-", 3)[1])
	}
	if got := strings.Join(kinds, " "); strings.Count(got, "sse") != 2 || strings.Count(got, "poll") != 1 || len(kinds) != 3 {
		t.Fatalf("modules written: %s (%s), want a poll and two sse", got, b)
	}
	return live, liveSSE, filepath.Join(out, "index.mjs")
}

// checkExportedHTTP compares a replay of the exported modules with the live
// run: the same answers (status, exposed header, body) in the same order,
// the 300 ms hold of the empty answer kept (a lower bound only: a loaded
// machine makes it later, never sooner), and the same events, with their
// types, ids and data, on the same connections (the reconnection answered
// by the second recorded stream).
func checkExportedHTTP(t *testing.T, live, replay []pollAnswer, liveSSE, replaySSE sseSeen) {
	t.Helper()
	if len(replay) != len(live) || len(live) != 5 {
		t.Fatalf("poll: %d answers replayed, %d live\nreplay %+v\nlive %+v", len(replay), len(live), replay, live)
	}
	for i := range live {
		l, r := live[i], replay[i]
		if l.Status != r.Status || l.Batch != r.Batch || l.Body != r.Body {
			t.Errorf("poll answer %d: replayed %+v, live %+v", i, r, l)
		}
	}
	// The empty answer is due 300 ms (recorded) after the first request
	// reached the mock, which is after the client's first request: it
	// cannot come sooner than that (the one before may come late).
	if live[1].Status != 204 || replay[1].At < 250 {
		t.Errorf("the held answer came %d ms after the first request, want at least 250 ms (300 recorded)", replay[1].At)
	}
	strip := func(s sseSeen) sseSeen {
		s.Events = slices.Clone(s.Events)
		for i := range s.Events {
			s.Events[i].At, s.Events[i].Since = 0, 0
		}
		return s
	}
	sameJSON(t, "events", strip(liveSSE), strip(replaySSE))
}

// The directory's sessions exported for Playwright: the page's fetch loop
// and EventSource in Chromium, routed by index.mjs, see what they saw
// live, with no server (page.route delivers a stream's events at once: the
// events' times are not compared).
func TestExportHTTPPlaywright(t *testing.T) {
	need(t, true)
	live, liveSSE, index := exportHTTP(t, "playwright")
	var replay []pollAnswer
	var replaySSE sseSeen
	runNode(t, &replay, "http-browser.mjs", "poll", "http://127.0.0.1:1", "{}", index)
	runNode(t, &replaySSE, "http-browser.mjs", "sse", "http://127.0.0.1:1", "{}", index)
	checkExportedHTTP(t, live, replay, liveSSE, replaySSE)
}

// The same exported for MSW: Node's fetch under setupServer (a poll loop,
// and an event-stream reader that reconnects as an EventSource does) sees
// what the page saw live; MSW paces the events (at a quarter speed here).
func TestExportHTTPMSW(t *testing.T) {
	need(t, true)
	needPackage(t, "msw")
	live, liveSSE, index := exportHTTP(t, "msw")
	var replay []pollAnswer
	var replaySSE sseSeen
	// At a quarter speed, so that the pace shows through a loaded machine.
	runNode(t, &replay, "http-client.mjs", "poll", "http://127.0.0.1:1", `{"speed":0.25}`, index)
	runNode(t, &replaySSE, "http-client.mjs", "sse", "http://127.0.0.1:1", `{"speed":0.25}`, index)
	checkExportedHTTP(t, live, replay, liveSSE, replaySSE)
	// Lower bounds only, which no load can break: the empty answer,
	// recorded 300 ms after the first request, is due 1200 ms after it at a
	// quarter speed; the first stream's last event, recorded 250 ms into the
	// stream, 1000 ms after the client's first request.
	if replay[1].At < 1150 {
		t.Errorf("at a quarter speed, the held answer came %d ms after the first request, want 1200", replay[1].At)
	}
	if ev := replaySSE.Events; len(ev) == 5 && ev[2].Since < 950 {
		t.Errorf("at a quarter speed, the event recorded 250 ms into the stream came %d ms after the request, want 1000", ev[2].Since)
	}
}
