package replayer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// call makes an API request and decodes its JSON answer.
func call(tb testing.TB, ts *httptest.Server, method, path, body string, hdr ...string) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+apiPrefix+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		tb.Fatalf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, v
}

// mustCall is call that expects 200.
func mustCall(tb testing.TB, ts *httptest.Server, method, path, body string) map[string]any {
	tb.Helper()
	st, v := call(tb, ts, method, path, body)
	if st != http.StatusOK {
		tb.Fatalf("%s %s %s: %d %v", method, path, body, st, v)
	}
	return v
}

// tenMessages is a session of ten messages m1..m10 to the client, 100ms
// apart, then a clean close.
func tenMessages(tb testing.TB) string {
	tb.Helper()
	evs := []*format.Event{sessionLine("s1", "/ws", "", rec0)}
	for i := 1; i <= 10; i++ {
		evs = append(evs, message("s1", rec0.Add(time.Duration(i)*100*time.Millisecond), format.Receive, format.Text, fmt.Appendf(nil, "m%d", i)))
	}
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: "s1", Time: rec0.Add(1200 * time.Millisecond),
		By: format.ByServer, Code: 1000, Clean: true})
	return writePlain(tb, evs...)
}

// expect reads the next message and checks it.
func expect(tb testing.TB, c *websocket.Conn, want string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil || string(data) != want {
		tb.Fatalf("read %q, %v; want %q", data, err, want)
	}
}

// expectNothing checks that nothing arrives for d. The connection is not
// usable afterwards if the read timed out (coder/websocket closes it), so
// the caller gives a connection it is done with, or reads with a Reader.
func expectQuiet(tb testing.TB, msgs <-chan string, d time.Duration) {
	tb.Helper()
	select {
	case m := <-msgs:
		tb.Fatalf("got %q while paused, want nothing", m)
	case <-time.After(d):
	}
}

// reader reads c in a goroutine, into a channel.
func reader(c *websocket.Conn) (<-chan string, <-chan error) {
	msgs, errc := make(chan string, 100), make(chan error, 1)
	go func() {
		for {
			_, data, err := c.Read(context.Background())
			if err != nil {
				errc <- err
				return
			}
			msgs <- string(data)
		}
	}()
	return msgs, errc
}

func next(tb testing.TB, msgs <-chan string, want string) {
	tb.Helper()
	select {
	case m := <-msgs:
		if m != want {
			tb.Fatalf("got %q, want %q", m, want)
		}
	case <-time.After(5 * time.Second):
		tb.Fatalf("nothing came, want %q", want)
	}
}

// waitReplay waits for the replay id to be listed.
func waitReplay(tb testing.TB, ts *httptest.Server, id string) map[string]any {
	tb.Helper()
	for range 200 {
		if st, v := call(tb, ts, "GET", "replays/"+id, ""); st == 200 {
			return v
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("replay %s never appeared", id)
	return nil
}

func TestAPIDrivesAReplay(t *testing.T) {
	ts := startServer(t, &Server{Paused: true, Heartbeats: []Heartbeat{{"PING", "PONG"}}}, File(tenMessages(t)))
	c := dial(t, ts, "/ws")
	msgs, _ := reader(c)
	v := waitReplay(t, ts, "r1")
	if v["state"] != "paused" || v["session"] != "s1" || v["path"] != "/ws" {
		t.Fatalf("replay %v, want paused, of s1 on /ws", v)
	}
	expectQuiet(t, msgs, 300*time.Millisecond)
	// Heartbeats are answered while paused.
	if err := c.Write(context.Background(), websocket.MessageText, []byte("PING")); err != nil {
		t.Fatal(err)
	}
	next(t, msgs, "PONG")

	// The answer comes once the player has acted: the step is done.
	v = mustCall(t, ts, "POST", "replays/r1/step", "")
	if pos := v["pos"].(map[string]any); pos["seq"] != 1.0 || v["next"].(map[string]any)["seq"] != 2.0 {
		t.Errorf("the step's answer: %v; want pos 1, next 2", v)
	}
	next(t, msgs, "m1")
	expectQuiet(t, msgs, 300*time.Millisecond)
	v = mustCall(t, ts, "GET", "replays/r1", "")
	if pos := v["pos"].(map[string]any); pos["seq"] != 1.0 || v["state"] != "paused" || v["total"] != 10.0 {
		t.Errorf("after a step: %v; want pos 1, paused, total 10", v)
	}
	// Forward: the skipped messages at once, still paused.
	mustCall(t, ts, "POST", "replays/r1/seek", `{"seq": 4}`)
	next(t, msgs, "m2")
	next(t, msgs, "m3")
	expectQuiet(t, msgs, 300*time.Millisecond)
	if v = mustCall(t, ts, "POST", "replays/r1/inject", `{"text": "hello from the API"}`); v["injected"] != 1.0 {
		t.Errorf("the injection's answer: %v; want injected 1", v)
	}
	next(t, msgs, "hello from the API")
	for range 100 {
		if v = mustCall(t, ts, "GET", "replays/r1", ""); v["injected"] == 1.0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v["injected"] != 1.0 || v["next"].(map[string]any)["seq"] != 4.0 {
		t.Errorf("after inject: %v; want injected 1, next 4", v)
	}
	mustCall(t, ts, "POST", "replays/r1/speed", `{"speed": "max"}`)
	mustCall(t, ts, "POST", "replays/r1/resume", "")
	for i := 4; i <= 10; i++ {
		next(t, msgs, fmt.Sprintf("m%d", i))
	}
}

func TestAPISeekBackRestarts(t *testing.T) {
	ts := startServer(t, &Server{Speed: 4}, File(tenMessages(t)))
	c := dial(t, ts, "/ws")
	msgs, errc := reader(c)
	waitReplay(t, ts, "r1")
	next(t, msgs, "m1")
	next(t, msgs, "m2")
	next(t, msgs, "m3")
	mustCall(t, ts, "POST", "replays/r1/pause", "")
	st, v := call(t, ts, "POST", "replays/r1/seek", `{"seq": 1}`)
	if st != http.StatusConflict || v["field"] != "restart" {
		t.Errorf("seek back without restart: %d %v; want 409 naming restart", st, v)
	}
	mustCall(t, ts, "POST", "replays/r1/seek", `{"seq": 2, "restart": true}`)
	select {
	case err := <-errc:
		if websocket.CloseStatus(err) != 4000 {
			t.Fatalf("ended with %v, want close 4000", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection was not closed")
	}
	// The next connection starts at message 2, paused as the first was:
	// message 1 at once, as a seek forward sends it, then nothing.
	c2 := dial(t, ts, "/ws")
	msgs2, _ := reader(c2)
	if v := waitReplay(t, ts, "r2"); v["state"] != "paused" {
		t.Errorf("restarted replay %v, want paused", v)
	}
	next(t, msgs2, "m1")
	expectQuiet(t, msgs2, 300*time.Millisecond)
	mustCall(t, ts, "POST", "replays/r2/step", "")
	next(t, msgs2, "m2")
	if st, v := call(t, ts, "GET", "next", ""); st != 200 || len(v) != 0 {
		t.Errorf("next after the restart: %d %v, want {} (it was for one connection)", st, v)
	}
}

func TestAPIEndings(t *testing.T) {
	tests := []struct {
		action, body string
		check        func(error) bool
	}{
		{"drop", "", func(err error) bool { return err != nil && websocket.CloseStatus(err) == -1 }},
		{"close", `{"code": 4000, "reason": "from the API"}`, func(err error) bool {
			var ce websocket.CloseError
			return errors.As(err, &ce) && ce.Code == 4000 && ce.Reason == "from the API"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
			c := dial(t, ts, "/ws")
			_, errc := reader(c)
			waitReplay(t, ts, "r1")
			mustCall(t, ts, "POST", "replays/r1/"+tt.action, tt.body)
			select {
			case err := <-errc:
				if !tt.check(err) {
					t.Errorf("ended with %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("not ended")
			}
			var v map[string]any
			for range 100 {
				if v = mustCall(t, ts, "GET", "replays/r1", ""); v["state"] == "ended" {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if v["state"] != "ended" || v["ended"] == nil {
				t.Errorf("replay %v, want ended", v)
			}
			if st, v := call(t, ts, "POST", "replays/r1/resume", ""); st != http.StatusConflict {
				t.Errorf("resume after the end: %d %v, want 409", st, v)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	defer func(old int64) { maxBody = old }(maxBody)
	maxBody = 1000
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	dial(t, ts, "/ws")
	waitReplay(t, ts, "r1")
	tests := []struct {
		method, path, body string
		hdr                []string
		status             int
		field              string
	}{
		{"GET", "replays/r9", "", nil, 404, ""},
		{"POST", "replays/r9/pause", "", nil, 404, ""},
		{"POST", "replays/r1/fly", "", nil, 404, ""},
		{"GET", "replays/r1/pause", "", nil, 405, ""},
		{"POST", "replays", "", nil, 405, ""},
		{"PATCH", "next", "{}", nil, 405, ""},
		{"GET", "nowhere", "", nil, 404, ""},
		{"POST", "replays/r1/step", "{", nil, 400, ""},
		{"POST", "replays/r1/step", `{"cont": 2}`, nil, 400, "cont"},
		{"POST", "replays/r1/step", `{"count": "two"}`, nil, 400, "count"},
		{"POST", "replays/r1/step", `{"dir": "up"}`, nil, 400, "dir"},
		{"POST", "replays/r1/step", `{"until": "("}`, nil, 400, "until"},
		{"POST", "replays/r1/step", `{"count": 1}`, []string{"Content-Type", "text/plain"}, 415, ""},
		{"POST", "replays/r1/inject", `{"text": "` + strings.Repeat("x", 2000) + `"}`, nil, 413, ""},
		{"POST", "replays/r1/inject", `{}`, nil, 400, "text"},
		{"POST", "replays/r1/seek", `{}`, nil, 400, "seq"},
		{"POST", "replays/r1/seek", `{"seq": 11}`, nil, 400, "seq"},
		{"POST", "replays/r1/seek", `{"percent": 140}`, nil, 400, "percent"},
		{"POST", "replays/r1/seek", `{"offset": "soon"}`, nil, 400, "offset"},
		{"POST", "replays/r1/speed", `{"speed": -1}`, nil, 400, "speed"},
		{"POST", "replays/r1/speed", `{}`, nil, 400, "speed"},
		{"POST", "replays/r1/close", `{"code": 1005}`, nil, 400, "code"},
		{"POST", "replays/r1/close", `{"code": 1000, "reason": "` + strings.Repeat("r", 124) + `"}`, nil, 400, "reason"},
		{"PUT", "next", `{"session": "nope"}`, nil, 400, "session"},
		{"GET", "sessions/nope", "", nil, 404, ""},
		{"GET", "sessions/s1/messages/11", "", nil, 404, ""},
		{"GET", "sessions/s1/messages?limit=501", "", nil, 400, "limit"},
		{"GET", "sessions/s1/messages?from=0", "", nil, 400, "from"},
		{"GET", "sessions/s1/search?q=(&regex=1", "", nil, 400, "q"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body[:min(len(tt.body), 20)], func(t *testing.T) {
			st, v := call(t, ts, tt.method, tt.path, tt.body, tt.hdr...)
			if st != tt.status {
				t.Errorf("status %d %v, want %d", st, v, tt.status)
			}
			if msg, _ := v["error"].(string); msg == "" {
				t.Errorf("answer %v has no error message", v)
			}
			if f, _ := v["field"].(string); f != tt.field {
				t.Errorf("field %q, want %q (%v)", f, tt.field, v)
			}
		})
	}
	if v := mustCall(t, ts, "GET", "replays/r1", ""); v["state"] != "paused" || v["pos"].(map[string]any)["seq"] != 0.0 {
		t.Errorf("after the bad requests: %v, want it untouched", v)
	}
}

// A web page the developer visits cannot steer a replay or read the
// events: no Origin (curl, scripts) and the server's own are taken.
func TestAPIOrigins(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	dial(t, ts, "/ws")
	waitReplay(t, ts, "r1")
	for _, origin := range []string{"http://evil.example", "http://localhost:5173", "null"} {
		t.Run(origin, func(t *testing.T) {
			st, v := call(t, ts, "POST", "replays/r1/resume", "", "Origin", origin)
			if st != http.StatusForbidden {
				t.Errorf("POST from %s: %d %v, want 403", origin, st, v)
			}
			st, v = call(t, ts, "GET", "events", "", "Origin", origin)
			if st != http.StatusForbidden {
				t.Errorf("events from %s: %d %v, want 403", origin, st, v)
			}
		})
	}
	if v := mustCall(t, ts, "GET", "replays/r1", ""); v["state"] != "paused" {
		t.Errorf("after the refused requests: %v, want still paused", v)
	}
	st, v := call(t, ts, "POST", "replays/r1/resume", "", "Origin", ts.URL)
	if st != 200 || v["state"] != "playing" {
		t.Errorf("POST from the server's own origin: %d %v, want 200, playing", st, v)
	}
	st, _ = call(t, ts, "GET", "replays", "", "Host", "rebind.example")
	if st != http.StatusForbidden {
		t.Errorf("a DNS name as Host: %d, want 403", st)
	}
}

// Off loopback, the API is not served unless ControlRemote says so.
func TestAPILoopbackOnly(t *testing.T) {
	cat, err := Open(File(tenMessages(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	cat.Wait(context.Background())
	for _, remote := range []bool{false, true} {
		t.Run(fmt.Sprint("ControlRemote=", remote), func(t *testing.T) {
			srv := &Server{Catalog: cat, ControlRemote: remote, ControlToken: "t0k"}
			req := httptest.NewRequest("GET", apiPrefix+"sessions", nil)
			req.Header.Set("Authorization", "Bearer t0k")
			req.Host = "192.168.1.2:8765"
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(192, 168, 1, 2), Port: 8765}))
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if want := map[bool]int{false: 403, true: 200}[remote]; rec.Code != want {
				t.Errorf("ControlRemote %v: %d %s, want %d", remote, rec.Code, rec.Body, want)
			}
		})
	}
	srv := &Server{Catalog: cat, NoControl: true}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", apiPrefix+"sessions", nil)
	req.Host = "127.0.0.1:8765"
	srv.ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Errorf("NoControl: %d, want 404", rec.Code)
	}
}

func TestAPISessions(t *testing.T) {
	evs := []*format.Event{sessionLine("big", "/feed", "", rec0), sessionLine("other", "/x", "", rec0)}
	for i := 1; i <= 1000; i++ {
		dir := format.Receive
		if i%10 == 0 {
			dir = format.Send
		}
		evs = append(evs, message("big", rec0.Add(time.Duration(i)*time.Millisecond), dir, format.Text, fmt.Appendf(nil, `{"n":%d}`, i)))
		if i%100 == 0 {
			evs = append(evs, message("other", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, []byte("noise")))
		}
	}
	evs = append(evs, message("big", rec0.Add(1001*time.Millisecond), format.Receive, format.Binary, []byte{0, 1, 2}))
	for _, path := range []string{writePlain(t, evs...), writeRecording(t, evs...)} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ts := startServer(t, &Server{}, File(path))
			v := mustCall(t, ts, "GET", "sessions/big", "")
			f := v["figures"].(map[string]any)
			if f["messages"] != 1001.0 || f["sent"] != 100.0 || f["received"] != 901.0 || f["duration_ns"] != 1.001e9 || f["ending"] != "open" {
				t.Errorf("figures %v", f)
			}
			v = mustCall(t, ts, "GET", "sessions/big/messages?from=257&limit=3", "")
			rows := v["messages"].([]any)
			if len(rows) != 3 || v["next"] != 260.0 || v["total"] != 1001.0 {
				t.Fatalf("messages from 257: %v", v)
			}
			if r := rows[0].(map[string]any); r["seq"] != 257.0 || r["preview"] != `{"n":257}` || r["offset_ns"] != 257e6 || r["dir"] != "receive" {
				t.Errorf("row 257: %v", r)
			}
			v = mustCall(t, ts, "GET", "sessions/big/messages?from=990&dir=send", "")
			if rows := v["messages"].([]any); len(rows) != 2 || rows[0].(map[string]any)["seq"] != 990.0 || v["next"] != 0.0 {
				t.Errorf("sent from 990: %v", v)
			}
			v = mustCall(t, ts, "GET", "sessions/big/search?q=%22n%22:77", "")
			if hits := fmt.Sprint(v["hits"]); hits != "[77 770 771 772 773 774 775 776 777 778 779]" {
				t.Errorf("search hits %s", hits)
			}
			v = mustCall(t, ts, "GET", "sessions/big/search?q=^.\"n\":5.0}$&regex=1&dir=send", "")
			if hits := fmt.Sprint(v["hits"]); hits != "[500 510 520 530 540 550 560 570 580 590]" {
				t.Errorf("regex hits %s", hits)
			}
			v = mustCall(t, ts, "GET", "sessions/big/messages/1001", "")
			if v["kind"] != "binary" || v["binary"] != "AAEC" {
				t.Errorf("message 1001: %v", v)
			}
			v = mustCall(t, ts, "GET", "sessions", "")
			if list := v["sessions"].([]any); len(list) != 2 {
				t.Errorf("sessions: %v", v)
			}
		})
	}
}

func TestEventsStream(t *testing.T) {
	ts := startServer(t, &Server{Speed: 4}, File(tenMessages(t)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+apiPrefix+"events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- name
			}
		}
		close(events)
	}()
	if e := <-events; e != "hello" {
		t.Fatalf("first event %q, want hello", e)
	}
	readUntilEnd(t, dial(t, ts, "/ws"))
	seen := map[string]int{}
	timeout := time.After(5 * time.Second)
	for seen["replay.ended"] == 0 {
		select {
		case e := <-events:
			seen[e]++
		case <-timeout:
			t.Fatalf("no replay.ended; saw %v", seen)
		}
	}
	if seen["replay.opened"] != 1 || seen["replay.position"] < 1 || seen["replay.position"] > 5 {
		t.Errorf("events %v: want one opened, and positions (at most 10/s over 300ms)", seen)
	}
}

// A session's first rows come without waiting for its index (the total is
// then unknown); later ones come through it.
func TestAPIFirstRowsBeforeIndex(t *testing.T) {
	ts := startServer(t, &Server{}, File(tenMessages(t)))
	v := mustCall(t, ts, "GET", "sessions/s1/messages?from=2&limit=2", "")
	if rows := v["messages"].([]any); len(rows) != 2 || rows[0].(map[string]any)["seq"] != 2.0 || v["total"] != nil || v["next"] != 4.0 {
		t.Errorf("before the index: %v; want rows 2 and 3, total null", v)
	}
	mustCall(t, ts, "GET", "sessions/s1", "")
	if v = mustCall(t, ts, "GET", "sessions/s1/messages?from=2&limit=2", ""); v["total"] != 10.0 {
		t.Errorf("after the index: %v; want total 10", v)
	}
}

// PUT next chooses the session and the state of the next connection, once.
func TestAPINext(t *testing.T) {
	path := writePlain(t,
		sessionLine("a", "/a", "", rec0), message("a", rec0.Add(time.Millisecond), format.Receive, format.Text, []byte("from a")),
		sessionLine("b", "/b", "", rec0), message("b", rec0.Add(time.Millisecond), format.Receive, format.Text, []byte("from b")))
	ts := startServer(t, &Server{Speed: math.Inf(1)}, File(path))
	v := mustCall(t, ts, "PUT", "next", `{"session": "b", "path": "/a", "paused": true, "once": true}`)
	if v["session"] != "b" || v["once"] != true {
		t.Fatalf("PUT next: %v", v)
	}
	c := dial(t, ts, "/a")
	msgs, _ := reader(c)
	if v := waitReplay(t, ts, "r1"); v["session"] != "b" || v["state"] != "paused" {
		t.Errorf("the next connection: %v, want session b, paused", v)
	}
	expectQuiet(t, msgs, 200*time.Millisecond)
	mustCall(t, ts, "POST", "replays/r1/resume", "")
	next(t, msgs, "from b")
	if v := mustCall(t, ts, "GET", "next", ""); len(v) != 0 {
		t.Errorf("next after its one connection: %v, want {}", v)
	}
	msgs2, _ := reader(dial(t, ts, "/a"))
	next(t, msgs2, "from a")
	mustCall(t, ts, "PUT", "next", `{"speed": "max"}`)
	mustCall(t, ts, "DELETE", "next", "")
	if v := mustCall(t, ts, "GET", "next", ""); len(v) != 0 {
		t.Errorf("next after DELETE: %v", v)
	}
}

// A HAR file's sessions, held in memory, are read through the same API.
func TestAPIOnHAR(t *testing.T) {
	ts := startServer(t, &Server{}, File("../testdata/har/chrome.har"))
	list := mustCall(t, ts, "GET", "sessions", "")["sessions"].([]any)
	id := list[0].(map[string]any)["id"].(string)
	v := mustCall(t, ts, "GET", "sessions/"+id+"/messages?from=2&limit=2", "")
	rows := v["messages"].([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["seq"] != 2.0 || v["total"] == nil {
		t.Errorf("HAR messages: %v", v)
	}
	if m := mustCall(t, ts, "GET", "sessions/"+id+"/messages/1", ""); m["text"] == nil {
		t.Errorf("HAR message 1: %v", m)
	}
}

// The client's messages are counted from the first, even one sent as the
// connection opens (the control exists before the reader starts).
func TestAPICountsClientMessages(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	c := dial(t, ts, "/ws")
	for range 3 {
		if err := c.Write(context.Background(), websocket.MessageText, []byte("hi")); err != nil {
			t.Fatal(err)
		}
	}
	var v map[string]any
	for range 200 {
		if v = waitReplay(t, ts, "r1"); v["received"] == 3.0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("replay %v, want received 3", v)
}

// A message injected after the session's last message (the replay then
// idles, open) reaches the client at once: nothing holds it back.
func TestInjectAfterTheEnd(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	rec := writeRecording(t, sessionLine("s1", "/ws", "", t0), message("s1", t0.Add(time.Millisecond), format.Receive, format.Text, []byte("only")))
	ts := startServer(t, &Server{}, File(rec))
	c := dial(t, ts, "/ws")
	msgs, _ := reader(c)
	next(t, msgs, "only")
	waitReplay(t, ts, "r1")
	mustCall(t, ts, "POST", "replays/r1/inject", `{"text": "late"}`)
	next(t, msgs, "late")
}
