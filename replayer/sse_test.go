package replayer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
)

func sseSession(id, url string, at time.Time) *format.Event {
	return &format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: at, URL: url, Kind: format.KindSSE}
}

func sseEvent(id string, at time.Time, data string, f format.SSE) *format.Event {
	return &format.Event{Type: format.TypeMessage, Session: id, Time: at, Dir: format.Receive, Opcode: format.Text,
		Data: []byte(data), SSE: &f}
}

// sseRecording holds two event streams recorded on /events (the first
// ended by the server, the second cut) and a WebSocket session.
func sseRecording(tb testing.TB) string {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	return writeRecording(tb,
		sessionLine("ws", "/events", "", t0),
		message("ws", ms(5), format.Receive, format.Text, []byte("not for event streams")),
		sseSession("a", "/events", t0),
		sseEvent("a", ms(0), "", format.SSE{Retry: 50, NoData: true}),
		sseEvent("a", ms(100), "one\ntwo", format.SSE{ID: "1", HasID: true, Event: "tick"}),
		sseEvent("a", ms(200), `{"n":2}`, format.SSE{ID: "2", HasID: true}),
		&format.Event{Type: format.TypeClose, Session: "a", Time: ms(250), By: format.ByServer, Code: 1000, Clean: true},
		sseSession("b", "/events", ms(400)),
		sseEvent("b", ms(450), "after reconnecting", format.SSE{ID: "3", HasID: true}),
		&format.Event{Type: format.TypeClose, Session: "b", Time: ms(500), By: format.ByServer, Code: 1006},
	)
}

type sseSeen struct {
	at    time.Duration
	block string
}

// readStream reads an event stream's blocks, timed from start, until it
// ends; err is the reading's error (nil at a clean end).
func readStream(tb testing.TB, resp *http.Response, start time.Time) ([]sseSeen, error) {
	tb.Helper()
	var out []sseSeen
	var block []string
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return out, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line != "" {
			block = append(block, line)
			continue
		}
		out = append(out, sseSeen{time.Since(start), strings.Join(block, "|")})
		block = nil
	}
}

func getStream(tb testing.TB, ts *httptest.Server, path, origin string) (*http.Response, time.Time) {
	tb.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp, start
}

// An event stream is replayed at its recorded pace with its fields, and
// ends as the server ended it; the reconnection gets the next stream
// recorded on the path, cut as it was.
func TestSSEReplay(t *testing.T) {
	ts := startServer(t, &Server{}, File(sseRecording(t)))
	resp, start := getStream(t, ts, "/events", "http://localhost:5173")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type %q", ct)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:5173" {
		t.Errorf("Access-Control-Allow-Origin %q, want the page's origin", got)
	}
	seen, err := readStream(t, resp, start)
	if err != nil {
		t.Errorf("first stream: %v, want a clean end", err)
	}
	want := []sseSeen{{0, "retry: 50"}, {100 * time.Millisecond, "event: tick|data: one|data: two|id: 1"},
		{200 * time.Millisecond, `data: {"n":2}|id: 2`}}
	checkSeen(t, seen, want)

	resp, start = getStream(t, ts, "/events", "")
	seen, err = readStream(t, resp, start)
	if err == nil {
		t.Error("second stream ended cleanly, want it cut")
	}
	checkSeen(t, seen, []sseSeen{{50 * time.Millisecond, "data: after reconnecting|id: 3"}})
}

// maxLate bounds how late an event or an answer may come over loopback in
// these tests, which check what is sent, in which order, and never early:
// how late is what a loaded machine's scheduling adds. The pacing itself is
// TestPollSchedule's (fake time) and BenchmarkSSETiming's, and 50 ms is the
// e2e tests' bound.
const maxLate = time.Second

func checkSeen(tb testing.TB, got, want []sseSeen) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d events %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		late := got[i].at - want[i].at
		if got[i].block != want[i].block || late < -5*time.Millisecond || late > maxLate {
			tb.Errorf("event %d: %q at %v, want %q at %v", i, got[i].block, got[i].at, want[i].block, want[i].at)
		}
	}
}

// Timing options apply to event streams as to WebSockets.
func TestSSEReplaySpeedAndFrom(t *testing.T) {
	ts := startServer(t, &Server{Speed: 2, From: 150 * time.Millisecond}, File(sseRecording(t)))
	resp, start := getStream(t, ts, "/events", "")
	seen, _ := readStream(t, resp, start)
	checkSeen(t, seen, []sseSeen{{0, "retry: 50"}, {0, "event: tick|data: one|data: two|id: 1"},
		{25 * time.Millisecond, `data: {"n":2}|id: 2`}})
}

// A page on a foreign origin gets 403, and so does a drop fault's client
// see its stream cut at the fault.
func TestSSEGuardAndFault(t *testing.T) {
	ts := startServer(t, &Server{DropAt: 150 * time.Millisecond}, File(sseRecording(t)))
	req, _ := http.NewRequest("GET", ts.URL+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin: %d, ACAO %q; want 403 without CORS", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, start := getStream(t, ts, "/events", "")
	seen, err := readStream(t, resp, start)
	if err == nil || errors.Is(err, io.EOF) {
		t.Errorf("stream with --drop-at: %v, want it cut", err)
	}
	checkSeen(t, seen, []sseSeen{{0, "retry: 50"}, {100 * time.Millisecond, "event: tick|data: one|data: two|id: 1"}})
}

// An event stream converted to HAR is served from it as from the recording.
func TestSSEFromHAR(t *testing.T) {
	buf := asHAR(t, sseRecording(t))
	ts := startServer(t, &Server{Speed: 10}, Bytes("rec.har", buf.Bytes()))
	resp, start := getStream(t, ts, "/events", "")
	seen, err := readStream(t, resp, start)
	if err != nil {
		t.Errorf("stream from HAR: %v, want a clean end", err)
	}
	checkSeen(t, seen, []sseSeen{{0, "retry: 50"}, {10 * time.Millisecond, "event: tick|data: one|data: two|id: 1"},
		{20 * time.Millisecond, `data: {"n":2}|id: 2`}})
}

// The page at / gives an event stream's address with http://, a
// WebSocket session's with ws://, and the API says each session's kind.
func TestPageAddressesByKind(t *testing.T) {
	ts := startServer(t, &Server{}, File(sseRecording(t)))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	host := strings.TrimPrefix(ts.URL, "http://")
	for _, want := range []string{"http://" + host + "/events", "ws://" + host + "/events"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
	if strings.Count(string(page), "ws://"+host+"/events") != 1 {
		t.Errorf("page gives ws:// for the event streams too:\n%s", page)
	}
}

// An event stream's replay is steered like a WebSocket's: listed by the
// API, paused with --paused, and a step delivers exactly one event.
func TestSSEUnderLiveControl(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(sseRecording(t)))
	resp, _ := getStream(t, ts, "/events", "")
	v := waitReplay(t, ts, "r1")
	if v["state"] != "paused" || v["session"] != "a" {
		t.Fatalf("replay %v, want paused, of a", v)
	}
	lines := make(chan string, 16)
	go func() {
		br := bufio.NewReader(resp.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- strings.TrimSpace(line)
		}
	}()
	quiet := func() {
		select {
		case l := <-lines:
			t.Fatalf("got %q while paused", l)
		case <-time.After(300 * time.Millisecond):
		}
	}
	quiet()
	mustCall(t, ts, "POST", "replays/r1/step", "")
	if l := <-lines; l != "retry: 50" {
		t.Errorf("first line after a step: %q, want the first event's retry", l)
	}
	<-lines // the blank line that ends the event
	quiet()
}

// With --wait, an event stream whose session holds a client message (a
// crafted one, or a session of another kind chosen through the API) does
// not stop the server: the stream waits there, as a WebSocket replay
// would, and the events before it arrive.
func TestSSEWaitWithClientMessage(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	rec := writeRecording(t, sseSession("a", "/events", t0),
		sseEvent("a", t0.Add(time.Millisecond), "before", format.SSE{}),
		message("a", t0.Add(2*time.Millisecond), format.Send, format.Text, []byte("from the client")),
		sseEvent("a", t0.Add(3*time.Millisecond), "after", format.SSE{}))
	ts := startServer(t, &Server{Wait: true}, File(rec))
	resp, _ := getStream(t, ts, "/events", "")
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || strings.TrimSpace(line) != "data: before" {
		t.Fatalf("first line %q, %v; want the first event", line, err)
	}
	if st, _ := call(t, ts, "GET", "replays/r1", ""); st != http.StatusOK {
		t.Errorf("the replay is not listed: %d", st)
	}
}

// A session the control API chose for the next connection is played only to
// a connection of its kind: an event stream never gets a WebSocket session.
func TestNextOfAnotherKind(t *testing.T) {
	ts := startServer(t, &Server{}, File(sseRecording(t)))
	mustCall(t, ts, "PUT", "next", `{"session": "ws"}`)
	resp, start := getStream(t, ts, "/events", "")
	seen, _ := readStream(t, resp, start)
	if len(seen) == 0 || seen[0].block != "retry: 50" {
		t.Errorf("the event stream got %+v, want its own first session", seen)
	}
}

// asHAR returns the recording at path converted to HAR.
func asHAR(tb testing.TB, path string) *bytes.Buffer {
	tb.Helper()
	rec, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	r := format.NewReader(bytes.NewReader(rec), nil)
	defer r.Close()
	var evs []*format.Event
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		evs = append(evs, e)
	}
	var buf bytes.Buffer
	if err := har.Write(&buf, evs, nil); err != nil {
		tb.Fatal(err)
	}
	return &buf
}
