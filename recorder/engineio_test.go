package recorder

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// fakeEngineIO is an Engine.IO server of one sid, "S1", enough to be
// recorded: open on the handshake, one batch of packets on the next GET,
// "ok" to POSTs, and on the WebSocket the probe, the upgrade and one
// event, then a close (1000).
func fakeEngineIO(tb testing.TB, version int) *httptest.Server {
	open := `0{"sid":"S1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}`
	batch := "40{\"sid\":\"N1\"}\x1e42[\"hello\",{\"password\":\"p\"}]\x1ebAAEC"
	if version == 3 {
		open = strings.TrimSuffix(open, `,"maxPayload":1000000}`) + "}"
		open = fmt.Sprintf("%d:%s2:40", len(open), open)
		batch = "2:40" + "6:b4AAEC"
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case q.Get("transport") == "websocket":
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			ctx := r.Context()
			if _, m, _ := c.Read(ctx); string(m) == "2probe" {
				c.Write(ctx, websocket.MessageText, []byte("3probe"))
			}
			c.Read(ctx) // 5
			c.Write(ctx, websocket.MessageText, []byte(`42["after"]`))
			c.Close(websocket.StatusNormalClosure, "")
		case r.Method == http.MethodPost:
			io.Copy(io.Discard, r.Body)
			io.WriteString(w, "ok")
		case q.Get("sid") == "":
			io.WriteString(w, open)
		default:
			io.WriteString(w, batch)
		}
	}
	ts := httptest.NewServer(http.HandlerFunc(h))
	tb.Cleanup(ts.Close)
	return ts
}

func httpDo(tb testing.TB, method, u, body string) string {
	tb.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestEngineIOPollingAndUpgrade: the handshake, the polling requests and
// the upgraded WebSocket of one sid are one session, a line per packet,
// the CONNECT's auth and the events' fields redacted.
func TestEngineIOPollingAndUpgrade(t *testing.T) {
	up := fakeEngineIO(t, 4)
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Redaction.JSONFields = []string{"token", "password"} })
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	if got := httpDo(t, "GET", base+"&t=1", ""); !strings.HasPrefix(got, `0{"sid":"S1"`) {
		t.Fatalf("handshake relayed as %q", got)
	}
	httpDo(t, "POST", base+"&sid=S1", `40{"token":"secret"}`)
	httpDo(t, "GET", base+"&sid=S1", "")
	c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket&sid=S1", nil)
	ctx := t.Context()
	c.Write(ctx, websocket.MessageText, []byte("2probe"))
	if _, m, _ := c.Read(ctx); string(m) != "3probe" {
		t.Fatalf("probe answered %q", m)
	}
	c.Write(ctx, websocket.MessageText, []byte("5"))
	c.Read(ctx)
	_, _, err := c.Read(ctx)
	if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("WebSocket ended with %v", err)
	}
	waitEnded(t, p, "S1")
	stopProxy(t, p, ts, sink)

	evs := onlySession(t, dir)
	s := evs[0]
	if s.Kind != format.KindSocketIO || s.EngineIO == nil || s.EngineIO.SID != "S1" || s.EngineIO.PingInterval != 300 ||
		s.EngineIO.PingTimeout != 200 || s.EngineIO.MaxPayload != 1000000 || s.EngineIO.Version != 4 {
		t.Fatalf("session line %+v, engineio %+v", s, s.EngineIO)
	}
	want := []string{
		"receive polling " + `0{"sid":"S1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}`,
		`send polling 40{"token":"[redacted]"}`,
		`receive polling 40{"sid":"N1"}`,
		`receive polling 42["hello",{"password":"[redacted]"}]`,
		"receive polling \x00\x01\x02",
		"send websocket 2probe",
		"receive websocket 3probe",
		"send websocket 5",
		`receive websocket 42["after"]`,
	}
	var got []string
	for _, e := range evs[1 : len(evs)-1] {
		got = append(got, string(e.Dir)+" "+e.Transport+" "+string(e.Data))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if end := evs[len(evs)-1]; end.Type != format.TypeClose || end.By != format.ByServer || end.Code != 1000 || !end.Clean {
		t.Errorf("close line %+v", end)
	}
}

// TestEngineIOPollerGoesQuiet: a revision 3 session (len: framing) whose
// client stops polling ends after pingInterval + pingTimeout, as a drop
// by the client.
func TestEngineIOPollerGoesQuiet(t *testing.T) {
	up := fakeEngineIO(t, 3)
	p, ts, sink, dir := proxyFor(t, up, nil)
	base := ts.URL + "/socket.io/?EIO=3&transport=polling"
	httpDo(t, "GET", base, "")
	httpDo(t, "GET", base+"&sid=S1", "")
	waitEnded(t, p, "S1")
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	var got []string
	for _, e := range evs[1 : len(evs)-1] {
		got = append(got, string(e.Data))
	}
	want := []string{`0{"sid":"S1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200}`, "40", "40", "\x04\x00\x01\x02"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("packets %q, want %q", got, want)
	}
	if end := evs[len(evs)-1]; end.By != format.ByClient || end.Clean || end.Code != format.CodeAbnormal {
		t.Errorf("close line %+v", end)
	}
	if d := evs[len(evs)-1].Time.Sub(evs[0].Time); d < 500*time.Millisecond {
		t.Errorf("ended after %v, before pingInterval + pingTimeout", d)
	}
}

// TestEngineIODetectionOff: with NoEngineIO the polling is relayed
// unrecorded.
func TestEngineIODetectionOff(t *testing.T) {
	up := fakeEngineIO(t, 4)
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.NoEngineIO = true })
	httpDo(t, "GET", ts.URL+"/socket.io/?EIO=4&transport=polling", "")
	stopProxy(t, p, ts, sink)
	if recs, _ := readRecordings(t, dir); len(recs) != 0 {
		t.Errorf("recorded %d sessions", len(recs))
	}
}

// waitEnded waits for the Engine.IO session of sid to have ended.
func waitEnded(tb testing.TB, p *Proxy, sid string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.eio.get(sid) != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if p.eio.get(sid) != nil {
		tb.Fatalf("session %s still open after 5s", sid)
	}
}

// Engine.IO servers compress large polling responses; what is recorded is
// the packets, not the compressed bytes.
func TestDecodeBody(t *testing.T) {
	payload := []byte(strings.Repeat(`42["tick",{"n":1}]`+"\x1e", 100) + "3")
	var gz, zl bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(payload)
	zw.Close()
	lw := zlib.NewWriter(&zl)
	lw.Write(payload)
	lw.Close()
	for _, tt := range []struct {
		encoding string
		body     []byte
	}{{"", payload}, {"gzip", gz.Bytes()}, {"deflate", zl.Bytes()}} {
		t.Run(cmp.Or(tt.encoding, "identity"), func(t *testing.T) {
			held, err := (&Proxy{}).decodeBody(tt.encoding, tt.body, 1<<20)
			if err != nil || !bytes.Equal(held.buf, payload) {
				t.Errorf("%q: got %v", tt.encoding, err)
			}
		})
	}
	if _, err := (&Proxy{}).decodeBody("br", payload, 1<<20); err == nil {
		t.Error("br: no error")
	}
}

// Once Shutdown has begun, an Engine.IO handshake is relayed unrecorded:
// no session starts that the shutdown would not end.
func TestEngineIOAfterShutdown(t *testing.T) {
	up := fakeEngineIO(t, 4)
	p, ts, sink, _ := proxyFor(t, up, func(*Proxy) {})
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if body := httpDo(t, "GET", ts.URL+"/socket.io/?EIO=4&transport=polling", ""); !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake answered %q, want the upstream's open packet", body)
	}
	p.eio.mu.Lock()
	n := len(p.eio.m)
	p.eio.mu.Unlock()
	if n != 0 {
		t.Errorf("%d Engine.IO sessions started after Shutdown", n)
	}
	stopProxy(t, p, ts, sink)
}

// A session that ends while packets relayed before its end still wait to
// be recorded writes them, then its close line: none is dropped (with a
// slow Sink the upgrade's packets and the last polling body were lost, and
// the close line said nothing was).
func TestEngineIOEndWaitsForQueuedPackets(t *testing.T) {
	testHookQueued = func() { time.Sleep(30 * time.Millisecond) } // a slow disk
	defer func() { testHookQueued = nil }()
	up := fakeEngineIO(t, 4)
	p, ts, sink, dir := proxyFor(t, up, nil)
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	httpDo(t, "GET", base+"&t=1", "")
	httpDo(t, "POST", base+"&sid=S1", `40{"token":"secret"}`)
	httpDo(t, "GET", base+"&sid=S1", "")
	c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket&sid=S1", nil)
	ctx := t.Context()
	c.Write(ctx, websocket.MessageText, []byte("2probe"))
	c.Read(ctx)
	c.Write(ctx, websocket.MessageText, []byte("5"))
	c.Read(ctx)
	c.Read(ctx) // the server's close
	waitEnded(t, p, "S1")
	stopProxy(t, p, ts, sink)

	evs := onlySession(t, dir)
	var got []string
	for _, e := range evs[1 : len(evs)-1] {
		got = append(got, string(e.Dir)+" "+e.Transport+" "+string(e.Data))
	}
	if len(got) != 9 || got[8] != `receive websocket 42["after"]` {
		t.Errorf("%d lines before the close line, want 9 ending in the last WebSocket packet:\n%s", len(got), strings.Join(got, "\n"))
	}
	end := evs[len(evs)-1]
	if end.Type != format.TypeClose || end.Lost != 0 {
		t.Errorf("last line %+v, want the close line, nothing lost", end)
	}
	for _, e := range evs[1 : len(evs)-1] {
		if e.Time.After(end.Time) {
			t.Errorf("line at %v after the close line's time %v: %s", e.Time, end.Time, e.Data)
		}
	}
}
