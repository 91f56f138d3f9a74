package recorder

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// fakeSockJS is a SockJS server (sockjs-protocol 0.3) of three sessions,
// one per transport: /echo/1/s1/xhr_streaming streams the prelude, the
// open frame, two messages and a heartbeat, then, once /echo/1/s1/xhr_send
// has brought ["hi"], the echo and a close frame; /echo/2/s2/xhr answers
// each poll with the next frame; /echo/3/s3/websocket opens, sends a
// message, answers the client's and closes with c[3000,"Go away!"].
func fakeSockJS(tb testing.TB) *httptest.Server {
	sent := make(chan string, 1)
	polls := []string{"o", `a["p1","p2"]`, "h", `c[3000,"Go away!"]`}
	h := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo/1/s1/xhr_streaming":
			w.Header().Set("Content-Type", "application/javascript; charset=UTF-8")
			io.WriteString(w, strings.Repeat("h", 2048)+"\n")
			w.(http.Flusher).Flush()
			io.WriteString(w, "o\n")
			io.WriteString(w, `a["hello","wor\"ld"]`+"\nh\n")
			w.(http.Flusher).Flush()
			msg := <-sent
			io.WriteString(w, `a["echo:`+msg+`"]`+"\n")
			io.WriteString(w, `c[3000,"Go away!"]`+"\n")
		case "/echo/1/s1/xhr_send":
			b, _ := io.ReadAll(r.Body)
			sent <- strings.Trim(string(b), `[]"`)
			w.WriteHeader(http.StatusNoContent)
		case "/echo/4/s4/xhr_streaming":
			io.WriteString(w, "o\n"+`a["`+strings.Repeat("x", 64<<10)+`"]`+"\n"+`a["small"]`+"\n"+`c[3000,"Go away!"]`+"\n")
		case "/api/1/room/websocket": // no SockJS: its server does not open with "o"
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			c.Write(r.Context(), websocket.MessageText, []byte("hello"))
			c.Close(websocket.StatusNormalClosure, "plain")
		case "/echo/2/s2/xhr":
			io.WriteString(w, polls[0]+"\n")
			polls = polls[1:]
		case "/echo/3/s3/websocket":
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			ctx := r.Context()
			c.Write(ctx, websocket.MessageText, []byte("o"))
			c.Write(ctx, websocket.MessageText, []byte(`a["w1"]`))
			_, m, _ := c.Read(ctx)
			c.Write(ctx, websocket.MessageText, []byte(`a["got `+strings.Trim(string(m), `[]"`)+`"]`))
			c.Write(ctx, websocket.MessageText, []byte(`c[3000,"Go away!"]`))
			c.Close(websocket.StatusNormalClosure, "")
		default:
			http.NotFound(w, r)
		}
	}
	ts := httptest.NewServer(http.HandlerFunc(h))
	tb.Cleanup(ts.Close)
	return ts
}

// TestSockJSTransportsRecorded: each SockJS session is one kind sockjs
// session whatever carried it (an xhr_streaming and its xhr_sends, the
// polls of xhr, the websocket), a line per application message with its
// transport, no open or heartbeat frame, and SockJS's close frame as the
// close line.
func TestSockJSTransportsRecorded(t *testing.T) {
	up := fakeSockJS(t)
	p, ts, sink, dir := proxyFor(t, up, nil)
	stream, err := http.Post(ts.URL+"/echo/1/s1/xhr_streaming", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stream.Body)
	var body string
	for !strings.HasSuffix(body, "\nh\n") { // a client sends once it is open
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream relayed as %q, %v", body, err)
		}
		body += line
	}
	httpDo(t, "POST", ts.URL+"/echo/1/s1/xhr_send", `["hi"]`)
	rest, _ := io.ReadAll(br)
	stream.Body.Close()
	body += string(rest)
	if !strings.HasSuffix(body, "o\n"+`a["hello","wor\"ld"]`+"\nh\n"+`a["echo:hi"]`+"\n"+`c[3000,"Go away!"]`+"\n") {
		t.Fatalf("stream relayed as %q", body)
	}
	for range 4 {
		httpDo(t, "POST", ts.URL+"/echo/2/s2/xhr", "")
	}
	c := dial(t, ts, "/echo/3/s3/websocket", nil)
	ctx := t.Context()
	c.Read(ctx)
	c.Read(ctx)
	c.Write(ctx, websocket.MessageText, []byte(`["up"]`))
	for {
		if _, _, err := c.Read(ctx); err != nil {
			break
		}
	}
	stopProxy(t, p, ts, sink)

	recs, _ := readRecordings(t, dir)
	want := map[string][]string{
		"/echo/1/s1/xhr_streaming": {"receive xhr-streaming hello", `receive xhr-streaming wor"ld`, "send xhr-streaming hi",
			"receive xhr-streaming echo:hi", `close server 3000 Go away! true`},
		"/echo/2/s2/xhr":       {"receive xhr-polling p1", "receive xhr-polling p2", `close server 3000 Go away! true`},
		"/echo/3/s3/websocket": {"receive websocket w1", "send websocket up", "receive websocket got up", `close server 3000 Go away! true`},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d sessions, want %d", len(recs), len(want))
	}
	for _, evs := range recs {
		s := evs[0]
		if s.Kind != format.KindSockJS {
			t.Errorf("session %s: kind %q, want sockjs", s.URL, s.Kind)
		}
		var got []string
		for _, e := range evs[1:] {
			switch e.Type {
			case format.TypeMessage:
				got = append(got, string(e.Dir)+" "+e.Transport+" "+string(e.Data))
			case format.TypeClose:
				got = append(got, fmt.Sprintf("close %s %d %s %t", e.By, e.Code, e.Reason, e.Clean))
			}
		}
		if strings.Join(got, "\n") != strings.Join(want[s.URL], "\n") {
			t.Errorf("session %s:\n%s\nwant:\n%s", s.URL, strings.Join(got, "\n"), strings.Join(want[s.URL], "\n"))
		}
	}
}

// TestSockJSFrameOverBudget: a frame larger than the memory budget for
// recording is relayed whole and not recorded, counted in the close
// line's lost; the frames after it are recorded.
func TestSockJSFrameOverBudget(t *testing.T) {
	up := fakeSockJS(t)
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.PartialBudget = 16 << 10 })
	body := httpDo(t, "POST", ts.URL+"/echo/4/s4/xhr_streaming", "")
	if !strings.Contains(body, strings.Repeat("x", 64<<10)) || !strings.HasSuffix(body, `a["small"]`+"\n"+`c[3000,"Go away!"]`+"\n") {
		t.Fatalf("stream relayed as %d bytes, not whole", len(body))
	}
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if len(evs) != 3 || string(evs[1].Data) != "small" || evs[2].Type != format.TypeClose || evs[2].Lost != 1 || evs[2].Code != 3000 {
		for _, e := range evs {
			t.Logf("%+v", e)
		}
		t.Fatalf("want the session line, small, and a close line with lost 1")
	}
}

// TestNotSockJSWebSocket: a WebSocket on a path of SockJS's shape whose
// server does not open with "o" is recorded as a WebSocket session of its
// own, as before.
func TestNotSockJSWebSocket(t *testing.T) {
	up := fakeSockJS(t)
	p, ts, sink, dir := proxyFor(t, up, nil)
	c := dial(t, ts, "/api/1/room/websocket", nil)
	if _, m, _ := c.Read(t.Context()); string(m) != "hello" {
		t.Fatalf("relayed %q", m)
	}
	c.Read(t.Context())
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if len(evs) != 3 || evs[0].Kind != format.KindWebSocket || string(evs[1].Data) != "hello" || evs[2].Reason != "plain" {
		for _, e := range evs {
			t.Logf("%+v", e)
		}
		t.Fatal("want a websocket session: its line, hello, and its close")
	}
	if len(p.sockjs.m) != 0 {
		t.Errorf("SockJS sessions left listed: %v", p.sockjs.m)
	}
}

// TestSockJSRecordingOffTheRelayPath: while the recording of a SockJS
// session's frames is held up, its traffic is relayed whole all the same;
// the frames are recorded once the recording goes on.
func TestSockJSRecordingOffTheRelayPath(t *testing.T) {
	release := make(chan struct{})
	testHookSockJS = func() { <-release }
	t.Cleanup(func() { testHookSockJS = nil })
	up := fakeSockJS(t)
	p, ts, sink, dir := proxyFor(t, up, nil)
	var got []string
	for range 4 {
		got = append(got, httpDo(t, "POST", ts.URL+"/echo/2/s2/xhr", ""))
	}
	if want := []string{"o\n", `a["p1","p2"]` + "\n", "h\n", `c[3000,"Go away!"]` + "\n"}; strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("polls relayed as %q, want %q", got, want)
	}
	close(release)
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if len(evs) != 4 || string(evs[1].Data) != "p1" || string(evs[2].Data) != "p2" || evs[3].Code != 3000 {
		t.Fatalf("recorded %d lines, want the session line, p1, p2 and the close line", len(evs))
	}
}
