package replayer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// socketIORecording is a Socket.IO 4 session: the open packet, CONNECT,
// an event, an emit with an ack and its answer, a recorded ping (never
// replayed), a binary event and an event of a namespace the client has
// yet to join.
func socketIORecording(tb testing.TB) string {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	s := sessionLine("sio", "/socket.io/?EIO=4&transport=polling&t=a", "", rec0)
	s.Kind = format.KindSocketIO
	s.EngineIO = &format.EngineIO{Version: 4, SID: "REC", PingInterval: 100, PingTimeout: 5000, MaxPayload: 1e6, Upgrades: []string{"websocket"}}
	text := func(ms int, dir format.Dir, t string) *format.Event {
		e := message("sio", at(ms), dir, format.Text, []byte(t))
		e.Transport = "polling"
		return e
	}
	return writeRecording(tb, s,
		text(0, format.Receive, `0{"sid":"REC","upgrades":["websocket"],"pingInterval":100,"pingTimeout":5000,"maxPayload":1000000}`),
		text(1, format.Send, `40`),
		text(2, format.Receive, `40{"sid":"recorded"}`),
		text(3, format.Receive, `42["hi",1]`),
		text(4, format.Send, `420["ask",1]`),
		text(5, format.Receive, `2`),
		text(6, format.Receive, `430[2]`),
		text(7, format.Receive, `451-["bin",{"_placeholder":true,"num":0}]`),
		message("sio", at(7), format.Receive, format.Binary, []byte{0, 1, 2}),
		text(8, format.Receive, `42/admin,["x"]`),
	)
}

func eioDo(tb testing.TB, method, url, origin, body string) (*http.Response, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// pollUntil polls until a packet satisfies done, and returns every packet
// and the payloads they came in.
func pollUntil(tb testing.TB, url string, done func(engineio.Packet) bool) (all []engineio.Packet, payloads [][]engineio.Packet) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		resp, body := eioDo(tb, "GET", url, "", "")
		if resp.StatusCode != 200 {
			tb.Fatalf("poll: %s %s", resp.Status, body)
		}
		pks, err := engineio.DecodePayload(4, body, false)
		if err != nil {
			tb.Fatal(err)
		}
		payloads = append(payloads, pks)
		for _, pk := range pks {
			all = append(all, pk)
			if done(pk) {
				return all, payloads
			}
		}
	}
	tb.Fatalf("gave up polling; got %v", all)
	return nil, nil
}

// Wait keeps the recorded order against the client's emit: without it the
// ack answer may come after the binary event recorded after it, when the
// client's POST is late (never before the emit).
func TestEngineIOPolling(t *testing.T) {
	ts := startServer(t, &Server{Wait: true}, File(socketIORecording(t)))
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"

	resp, body := eioDo(t, "GET", base+"&t=1", "http://localhost:5173", "")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:5173" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS for a page on this machine: %q", got)
	}
	open, ok := engineio.ParseOpen(body)
	if !ok || open.SID == "REC" || open.PingInterval != 100 || open.PingTimeout != 5000 || open.MaxPayload != 1e6 || len(open.Upgrades) != 1 {
		t.Fatalf("handshake answered %q", body)
	}
	sid := base + "&sid=" + open.SID
	if _, b := eioDo(t, "POST", sid, "", "40\x1e427[\"ask\",1]"); string(b) != "ok" {
		t.Fatalf("POST answered %q", b)
	}
	pings := 0
	all, payloads := pollUntil(t, sid, func(pk engineio.Packet) bool {
		if string(pk.Data) == "2" {
			pings++
		}
		return pings >= 2
	})
	var texts []string
	for _, pk := range all {
		if !pk.Binary && string(pk.Data) != "2" {
			texts = append(texts, string(pk.Data))
		}
	}
	if len(texts) < 4 || !strings.HasPrefix(texts[0], `40{"sid":"`) || texts[0] == `40{"sid":"recorded"}` ||
		texts[1] != `42["hi",1]` || texts[2] != `437[2]` || !strings.HasPrefix(texts[3], "451-") || len(texts) != 4 {
		t.Errorf("packets %q: want a fresh CONNECT answer, the event, the ack under the client's id 7, the binary event, and nothing of /admin", texts)
	}
	for _, pks := range payloads {
		for i, pk := range pks {
			if strings.HasPrefix(string(pk.Data), "451-") && (i+1 >= len(pks) || !bytes.Equal(pks[i+1].Data, []byte{0, 1, 2})) {
				t.Errorf("binary event without its attachment in the same payload: %v", pks)
			}
		}
	}

	eioDo(t, "POST", sid, "", "40/admin,")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `42/admin,["x"]` })

	resp, body = eioDo(t, "GET", base+"&t=2", "https://evil.example", "")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign page: %s, CORS %q", resp.Status, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, body = eioDo(t, "OPTIONS", sid, "http://127.0.0.1:3000", "")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:3000" {
		t.Errorf("preflight: %s, CORS %q", resp.Status, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, body = eioDo(t, "GET", base+"&sid=nope", "", "")
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e); resp.StatusCode != 400 || e.Code != 1 || e.Message != "Session ID unknown" {
		t.Errorf("unknown sid: %s %s", resp.Status, body)
	}
}

// A client on the WebSocket transport alone gets the open packet on it,
// without upgrades, and live pings, at --speed 0.1 as at any speed.
func TestEngineIOWebSocket(t *testing.T) {
	ts := startServer(t, &Server{Speed: 0.1}, File(socketIORecording(t)))
	c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket")
	ctx := t.Context()
	_, data, err := c.Read(ctx)
	open, ok := engineio.ParseOpen(data)
	if err != nil || !ok || len(open.Upgrades) != 0 || open.PingInterval != 100 {
		t.Fatalf("open packet %q, %v", data, err)
	}
	c.Write(ctx, websocket.MessageText, []byte("40"))
	start := time.Now()
	var pings []time.Duration
	var got []string
	for len(pings) < 3 {
		typ, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) == "2" {
			pings = append(pings, time.Since(start))
			c.Write(ctx, websocket.MessageText, []byte("3"))
			continue
		}
		if typ == websocket.MessageText {
			got = append(got, string(data)[:2])
		}
	}
	if pings[2] > 600*time.Millisecond {
		t.Errorf("pings at %v: not every 100ms of the replay's own clock", pings)
	}
	if len(got) == 0 || got[0] != "40" {
		t.Errorf("first packets %q, want the CONNECT answer first", got)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// A Chrome HAR of a Socket.IO page replays as a recording of it does.
func TestEngineIOFromHAR(t *testing.T) {
	ts := startServer(t, &Server{Wait: true}, File("../testdata/har/socketio.har"))
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	_, body := eioDo(t, "GET", base, "", "")
	open, ok := engineio.ParseOpen(body)
	if !ok || open.PingInterval != 300 {
		t.Fatalf("handshake answered %q", body)
	}
	sid := base + "&sid=" + open.SID
	eioDo(t, "POST", sid, "", "40\x1e423[\"ask\",21]")
	all, _ := pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), `42["late"`) })
	var got []string
	for _, pk := range all {
		if string(pk.Data) != "2" {
			got = append(got, string(pk.Data))
		}
	}
	if len(got) != 5 || got[1] != `42["hi",{"n":1}]` || got[2] != "\x00\x01\x02" || got[3] != `433[{"answer":42}]` {
		t.Errorf("packets %q", got)
	}
}

// --hang-at stops the pings; --drop-at cuts a waiting polling GET off (or
// the next GET finds the sid unknown), so that the client makes a new
// handshake.
func TestEngineIOFaults(t *testing.T) {
	t.Run("hang", func(t *testing.T) {
		ts := startServer(t, &Server{HangAt: 250 * time.Millisecond}, File(socketIORecording(t)))
		c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket")
		ctx := t.Context()
		c.Write(ctx, websocket.MessageText, []byte("40"))
		start := time.Now()
		var last time.Duration
		for {
			rctx, cancel := context.WithTimeout(ctx, 600*time.Millisecond)
			_, data, err := c.Read(rctx)
			cancel()
			if err != nil {
				break // silence: the hang
			}
			if string(data) == "2" {
				last = time.Since(start)
				c.Write(ctx, websocket.MessageText, []byte("3"))
			}
			if time.Since(start) > 3*time.Second {
				t.Fatal("pings go on after --hang-at")
			}
		}
		if last == 0 || last > 400*time.Millisecond {
			t.Errorf("last ping at %v: want pings until the hang at 250ms, none after", last)
		}
	})
	t.Run("drop on polling", func(t *testing.T) {
		ts := startServer(t, &Server{DropAt: 200 * time.Millisecond}, File(socketIORecording(t)))
		base := ts.URL + "/socket.io/?EIO=4&transport=polling"
		start := time.Now() // before the handshake, which starts the replay's clock: a slow handshake is not an early drop
		_, body := eioDo(t, "GET", base, "", "")
		open, _ := engineio.ParseOpen(body)
		sid := base + "&sid=" + open.SID
		for time.Since(start) < 5*time.Second {
			resp, err := http.Get(sid)
			if err != nil {
				break // the waiting GET cut off: the drop
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusBadRequest {
				break // the drop came between two GETs
			}
		}
		if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
			t.Errorf("the polling ended after %v, want about 200ms", d)
		}
		status := 0
		for range 20 { // cut off until the replay is gone
			if resp, err := http.Get(sid); err == nil {
				resp.Body.Close()
				status = resp.StatusCode
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if status != http.StatusBadRequest {
			t.Errorf("after the drop the sid answers %d, want 400", status)
		}
	})
}

// A recording's ping parameters past what a timer holds are capped, not
// passed to a ticker that would stop the server.
func TestOpenParamsCapped(t *testing.T) {
	o := openParams(&format.EngineIO{Version: 4, PingInterval: 1e13, PingTimeout: 1e13}, false)
	if o.PingInterval != maxPingMillis || o.PingTimeout != maxPingMillis {
		t.Errorf("open params %+v, want both capped at %d ms", o, maxPingMillis)
	}
	if d := time.Duration(o.PingInterval+o.PingTimeout) * time.Millisecond; d <= 0 {
		t.Errorf("pingInterval + pingTimeout overflows: %v", d)
	}
}

// A Socket.IO replay is a live replay: --paused holds its events (its
// pings go on) until the API resumes it.
func TestEngineIOUnderLiveControl(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40")
	if v := waitReplay(t, ts, "r1"); v["state"] != "paused" {
		t.Fatalf("replay %v, want paused", v)
	}
	pings := 0
	all, _ := pollUntil(t, sid, func(pk engineio.Packet) bool {
		if string(pk.Data) == "2" {
			pings++
		}
		return pings >= 2
	})
	for _, pk := range all {
		if strings.HasPrefix(string(pk.Data), "42") {
			t.Fatalf("an event while paused: %q", pk.Data)
		}
	}
	mustCall(t, ts, "POST", "replays/r1/resume", "")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `42["hi",1]` })
}

// With --loop, the recorded ack answer of each pass goes out under the ack
// id of the client's emit in that pass.
func TestEngineIOLoopAcks(t *testing.T) {
	ts := startServer(t, &Server{Loop: true}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40\x1e427[\"ask\",1]")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `437[2]` })
	eioDo(t, "POST", sid, "", "428[\"ask\",1]")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `438[2]` })
}

// openPolling makes an Engine.IO 4 polling handshake and returns the URL
// of its sid's polls.
func openPolling(tb testing.TB, ts *httptest.Server) string {
	tb.Helper()
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	_, body := eioDo(tb, "GET", base+"&t=1", "", "")
	open, ok := engineio.ParseOpen(body)
	if !ok {
		tb.Fatalf("handshake answered %q", body)
	}
	return base + "&sid=" + open.SID
}
