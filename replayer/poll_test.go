package replayer

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// pollRecording holds one poller's session on /poll: an answer at 10 ms,
// an empty one after a hold of 200 ms, a POST answered at once, an answer
// at 300 ms; and a second poller's session.
func pollRecording(tb testing.TB) string {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	req := func(id string, at int, method, url string) *format.Event {
		return &format.Event{Type: format.TypeMessage, Session: id, Time: ms(at), Dir: format.Send, Opcode: format.Text,
			Data: []byte{}, HTTP: &format.HTTP{Method: method, URL: url}}
	}
	resp := func(id string, at, status int, body string) *format.Event {
		return &format.Event{Type: format.TypeMessage, Session: id, Time: ms(at), Dir: format.Receive, Opcode: format.Text,
			Data: []byte(body), HTTP: &format.HTTP{Status: status, Headers: map[string][]string{
				"Content-Type": {"application/json"}, "X-Batch": {"yes"}, "Content-Length": {"99"}}}}
	}
	return writeRecording(tb,
		&format.Event{Type: format.TypeSession, Version: 1, Session: "p1", Time: t0, URL: "/poll?since=0&_=1", Kind: format.KindPoll},
		req("p1", 0, "GET", "/poll?since=0&_=1"), resp("p1", 10, 200, `[1,2]`),
		req("p1", 20, "GET", "/poll?since=2&_=2"), resp("p1", 220, 204, ""),
		req("p1", 230, "POST", "/poll?send"), resp("p1", 235, 202, `ok`),
		req("p1", 240, "GET", "/poll?since=2&_=3"), resp("p1", 300, 200, `[3]`),
		&format.Event{Type: format.TypeClose, Session: "p1", Time: ms(400), By: format.ByClient, Code: 1000, Clean: true},
		&format.Event{Type: format.TypeSession, Version: 1, Session: "p2", Time: ms(500), URL: "/poll", Kind: format.KindPoll},
		req("p2", 500, "GET", "/poll"), resp("p2", 510, 200, `["second poller"]`),
	)
}

type pollSeen struct {
	at     time.Duration
	status int
	body   string
}

func poll(tb testing.TB, ts *httptest.Server, method, path, ua string, start time.Time) (pollSeen, *http.Response) {
	tb.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader("client body"))
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Origin", "http://127.0.0.1:3000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return pollSeen{time.Since(start), resp.StatusCode, string(body)}, resp
}

// A poller's k-th request gets the k-th recorded response at its recorded
// offset from the poller's first request (the held one still held), matched
// by order whatever the query; past the last, the idle server's answer
// after the longest hold; another poller gets the next session.
func TestPollReplay(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/poll"}}, File(pollRecording(t)))
	// The connection is opened first: the first poll is timed from its
	// request, not from a dial.
	if resp, err := http.Get(ts.URL + "/"); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	start := time.Now()
	var got []pollSeen
	first, resp := poll(t, ts, "GET", "/poll?since=0&_=9001", "A", start)
	got = append(got, first)
	if h := resp.Header; h.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" || h.Get("X-Batch") != "yes" ||
		!strings.Contains(h.Get("Access-Control-Expose-Headers"), "X-Batch") {
		t.Errorf("headers %v: want the recorded ones, CORS for the page's origin", h)
	}
	for _, r := range []struct{ method, path string }{{"GET", "/poll?since=2&_=9002"}, {"POST", "/poll"}, {"GET", "/poll?_=9003"}} {
		s, _ := poll(t, ts, r.method, r.path, "A", start)
		got = append(got, s)
	}
	other, _ := poll(t, ts, "GET", "/poll", "B", time.Now())
	idleStart := time.Now()
	idle, _ := poll(t, ts, "GET", "/poll?_=9004", "A", idleStart)
	idle.at = time.Since(idleStart)

	want := []pollSeen{{10 * time.Millisecond, 200, "[1,2]"}, {220 * time.Millisecond, 204, ""},
		{235 * time.Millisecond, 202, "ok"}, {300 * time.Millisecond, 200, "[3]"}}
	for i, w := range want {
		late := got[i].at - w.at
		if got[i].status != w.status || got[i].body != w.body || late < -5*time.Millisecond || late > maxLate {
			t.Errorf("answer %d: %+v, want %+v", i, got[i], w)
		}
	}
	if other.status != 200 || other.body != `["second poller"]` {
		t.Errorf("second poller got %+v, want the second session", other)
	}
	if idle.status != 204 || idle.at < 190*time.Millisecond || idle.at > 2*time.Second { // upper bound loose: a loaded machine is late
		t.Errorf("after the last answer: %+v, want a 204 after the longest hold (200ms)", idle)
	}
}

// A preflight is answered for an accepted origin, and a foreign page gets
// 403.
func TestPollCORS(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/po*"}}, File(pollRecording(t)))
	for _, tt := range []struct {
		origin string
		status int
	}{{"http://localhost:5173", 204}, {"https://evil.example", 403}} {
		t.Run(tt.origin, func(t *testing.T) {
			req, _ := http.NewRequest("OPTIONS", ts.URL+"/poll", nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != tt.status || (tt.status == 204) != (acao == tt.origin) {
				t.Errorf("%s: %d, ACAO %q", tt.origin, resp.StatusCode, acao)
			}
			if tt.status == 204 && resp.Header.Get("Access-Control-Allow-Headers") != "content-type" {
				t.Errorf("Access-Control-Allow-Headers %q", resp.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
}

// A poller's k-th answer is due at its recorded offset from the first
// request, scaled by Speed and with gaps capped by MaxGap, counted from the
// poller's own first request, whenever its request comes; past the last,
// the idle answer is held as long as the longest recorded hold.
func TestPollSchedule(t *testing.T) {
	cat, err := Open(File(pollRecording(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	cat.Wait(t.Context())
	var sess *Session
	for _, s := range cat.Sessions() {
		if s.ID == "p1" {
			sess = s
		}
	}
	tape, err := loadPollTape(sess)
	if err != nil {
		t.Fatal(err)
	}
	const ms = time.Millisecond
	for _, tt := range []struct {
		name string
		srv  *Server
		want []time.Duration // when each answer is due, then the idle one
	}{
		{"speed 1", &Server{}, []time.Duration{10 * ms, 220 * ms, 235 * ms, 300 * ms, (500 + 200) * ms}},
		{"speed 2", &Server{Speed: 2}, []time.Duration{5 * ms, 110 * ms, 117500 * time.Microsecond, 150 * ms, (500 + 100) * ms}},
		{"max gap", &Server{MaxGap: 50 * ms}, []time.Duration{10 * ms, 60 * ms, 75 * ms, 125 * ms, (500 + 50) * ms}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				pr := &pollReplay{tape: tape, sched: newSchedule(tt.srv.timing(), start)}
				for k, want := range tt.want {
					if k == len(tt.want)-1 {
						time.Sleep(500 * time.Millisecond) // the idle answer is held from its request
					}
					ans, due := pr.answer(tt.srv, k)
					if k < len(tape.exchanges) && ans.resp != tape.exchanges[k].resp {
						t.Errorf("answer %d is not the recorded one", k)
					}
					if got := due.Sub(start); got != want {
						t.Errorf("answer %d due at %v, want %v", k, got, want)
					}
				}
			})
		})
	}
}

// A poll session written to HAR (an entry per exchange) is served from the
// HAR as from the recording: the HAR reader reads it in parts, and the
// catalog holds them as one session.
func TestPollFromHAR(t *testing.T) {
	buf := asHAR(t, pollRecording(t))
	ts := startServer(t, &Server{Poll: []string{"/poll"}, Speed: 10}, Bytes("rec.har", buf.Bytes()))
	var got []string
	for _, path := range []string{"/poll?since=0", "/poll?since=2", "/poll"} {
		s, _ := poll(t, ts, "GET", path, "A", time.Now())
		got = append(got, fmt.Sprintf("%d %s", s.status, s.body))
	}
	if want := "200 [1,2]|204 |202 ok"; strings.Join(got, "|") != want {
		t.Errorf("answers from the HAR: %q, want %q", strings.Join(got, "|"), want)
	}
	other, _ := poll(t, ts, "GET", "/poll", "B", time.Now())
	if other.status != 200 || other.body != `["second poller"]` {
		t.Errorf("second poller got %+v, want the second session", other)
	}
}

// A recorded status no HTTP response can have is answered with 502, not a
// panic in net/http.
func TestStatusOutOfRange(t *testing.T) {
	for _, tt := range []struct{ rec, want int }{{0, 200}, {42, 502}, {1000, 502}, {204, 204}, {599, 599}} {
		t.Run(fmt.Sprint(tt.rec), func(t *testing.T) {
			if got := statusOf(&format.Event{HTTP: &format.HTTP{Status: tt.rec}}); got != tt.want {
				t.Errorf("recorded %d: answered %d, want %d", tt.rec, got, tt.want)
			}
		})
	}
}

// Behind a dev server's proxy every poller comes from one address: the
// first X-Forwarded-For address tells them apart, as the recorder's does,
// so a second browser starts a session of its own instead of taking the
// first one's next answer.
func TestPollersBehindAProxy(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/poll"}}, File(pollRecording(t)))
	get := func(forwarded string) (int, string) {
		req, _ := http.NewRequest("GET", ts.URL+"/poll?since=0&_=1", nil)
		req.Header.Set("User-Agent", "same browser")
		req.Header.Set("X-Forwarded-For", forwarded)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if status, body := get("192.0.2.1"); status != 200 || body != "[1,2]" {
		t.Fatalf("first poller's first answer %d %q, want 200 [1,2]", status, body)
	}
	if status, body := get("192.0.2.2, 10.0.0.1"); status != 200 || body != "[1,2]" {
		t.Errorf("a second client behind the same proxy got %d %q, want a session's first answer (200 [1,2]), not the first poller's next (204)", status, body)
	}
}
