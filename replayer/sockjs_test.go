package replayer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// sockJSTransportRecording is a SockJS session recorded over xhr-streaming: a
// welcome, the client's "ping 1", two replies due together, and SockJS's
// close frame.
func sockJSTransportRecording(tb testing.TB) string {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	msg := func(at int, dir format.Dir, text string) *format.Event {
		e := message("sj", ms(at), dir, format.Text, []byte(text))
		e.Transport = "xhr-streaming"
		return e
	}
	return writeRecording(tb,
		&format.Event{Type: format.TypeSession, Version: 1, Session: "sj", Time: t0, URL: "/echo/123/abc/xhr_streaming", Kind: format.KindSockJS},
		msg(5, format.Receive, "welcome"),
		msg(10, format.Send, "ping 1"),
		msg(20, format.Receive, `reply "1"`),
		msg(20, format.Receive, "and more"),
		&format.Event{Type: format.TypeClose, Session: "sj", Time: ms(30), By: format.ByServer, Code: 3000, Reason: "Go away!", Clean: true},
	)
}

// sockJSWant is what every transport gets of sockJSTransportRecording: the open
// frame, the messages as a[...] frames (those due together in one), and
// the recorded close frame, not a socket's close.
var sockJSWant = []string{"o", `a["welcome"]`, `a["reply \"1\"","and more"]`, `c[3000,"Go away!"]`}

// TestSockJSReplayOverEachTransport: a kind sockjs session plays to the
// transport the client picks, framed as a SockJS server frames it, the
// replies held until the client's message came (Wait), over xhr_send or
// the WebSocket.
func TestSockJSReplayOverEachTransport(t *testing.T) {
	rec := sockJSTransportRecording(t)
	for _, transport := range []string{"websocket", "xhr_streaming", "xhr", "raw websocket", "xhr --protocol none"} {
		t.Run(transport, func(t *testing.T) {
			srv := &Server{Wait: true}
			if transport, _, _ = strings.Cut(transport, " --protocol "); transport == "xhr" && strings.Contains(t.Name(), "none") {
				srv.Protocol = protocol.NoProtocol // no echo
			}
			ts := startServer(t, srv, File(rec))
			base := ts.URL + "/echo/456/" + transport + "x/"
			var got []string
			switch transport {
			case "websocket":
				got = sockJSOverSocket(t, ts, "/echo/456/live/websocket")
			case "xhr_streaming":
				got = sockJSOverStream(t, base)
			case "xhr":
				got = sockJSOverPolls(t, base)
			case "raw websocket":
				got = sockJSOverRaw(t, ts)
			}
			want := sockJSWant
			if transport == "raw websocket" {
				want = sockJSRawWant
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("frames:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// sockJSRawWant is what the raw WebSocket endpoint gets: the messages,
// unframed, and a close frame with SockJS's code.
var sockJSRawWant = []string{"welcome", `reply "1"`, "and more", `close 3000 Go away!`}

func sockJSOverRaw(t *testing.T, ts *httptest.Server) []string {
	c := dial(t, ts, "/echo/websocket")
	ctx := t.Context()
	var got []string
	for {
		_, m, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				got = append(got, fmt.Sprintf("close %d %s", ce.Code, ce.Reason))
			}
			return got
		}
		got = append(got, string(m))
		if string(m) == "welcome" {
			c.Write(ctx, websocket.MessageText, []byte("ping 1"))
		}
	}
}

func sockJSOverSocket(t *testing.T, ts *httptest.Server, path string) []string {
	c := dial(t, ts, path)
	ctx := t.Context()
	var got []string
	for {
		_, m, err := c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Errorf("socket ended with %v", err)
			}
			return got
		}
		got = append(got, string(m))
		if string(m) == `a["welcome"]` {
			c.Write(ctx, websocket.MessageText, []byte(`["ping 1"]`))
		}
	}
}

func sockJSPost(t *testing.T, u, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(u, "text/plain;charset=UTF-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func sockJSSend(t *testing.T, base, body string) {
	t.Helper()
	resp := sockJSPost(t, base+"xhr_send", body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("xhr_send answered %d, want 204", resp.StatusCode)
	}
}

func sockJSOverStream(t *testing.T, base string) []string {
	resp := sockJSPost(t, base+"xhr_streaming", "")
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if prelude, _ := br.ReadString('\n'); prelude != strings.Repeat("h", 2048)+"\n" {
		t.Fatalf("prelude %q", prelude)
	}
	var got []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return got
		}
		got = append(got, strings.TrimSuffix(line, "\n"))
		if got[len(got)-1] == `a["welcome"]` {
			sockJSSend(t, base, `["ping 1"]`)
		}
	}
}

func sockJSOverPolls(t *testing.T, base string) []string {
	var got []string
	for range 10 {
		resp := sockJSPost(t, base+"xhr", "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, f := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			got = append(got, f)
			switch f {
			case `a["welcome"]`:
				sockJSSend(t, base, `["ping 1"]`)
			case `c[3000,"Go away!"]`:
				return got
			}
		}
	}
	return got
}

// TestPageConnectsSockJSToItsBase: the page's "connect to" of a SockJS
// session is the base URL sockjs-client is given, not the path of the
// transport it was recorded on.
func TestPageConnectsSockJSToItsBase(t *testing.T) {
	ts := startServer(t, &Server{}, File(sockJSTransportRecording(t)))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "<code>" + ts.URL + "/echo</code>"; !strings.Contains(string(b), want) {
		t.Errorf("page does not say %s:\n%s", want, b)
	}
}

// TestSockJSHeartbeatsLive: a SockJS replay puts an "h" frame every 25 s
// on its own clock, none before, and none once stopped.
func TestSockJSHeartbeatsLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x := &sjReplay{wake: make(chan struct{}, 1)}
		frames := func() []string {
			x.mu.Lock()
			defer x.mu.Unlock()
			return x.frames
		}
		stop := x.beat()
		defer stop()
		time.Sleep(sjHeartbeat - time.Second)
		synctest.Wait()
		if len(frames()) != 0 {
			t.Fatalf("frames before 25 s: %q", frames())
		}
		time.Sleep(sjHeartbeat + 2*time.Second) // 51 s
		synctest.Wait()
		if strings.Join(frames(), " ") != "h h" {
			t.Fatalf("frames after 51 s: %q, want two heartbeats", frames())
		}
		stop()
		time.Sleep(2 * sjHeartbeat)
		synctest.Wait()
		if len(frames()) != 2 {
			t.Fatalf("frames after stop: %q", frames())
		}
	})
}
