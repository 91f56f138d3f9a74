package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// listeningRE finds the listening line, text or JSON (--log-format json).
var listeningRE = regexp.MustCompile(`(?:listening on |"msg":"listening","url":")(ws://[^\s"]+)`)

// startCommand runs a long-running command in the background until the
// test ends, and returns the URL it printed.
func startCommand(t *testing.T, args ...string) (url string, stderr *nettest.Buffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &nettest.Buffer{}
	code := make(chan int, 1)
	go func() { code <- run(ctx, append([]string{"wsreplay"}, args...), &nettest.Buffer{}, stderr) }()
	var once sync.Once
	exit := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case exit = <-code:
			case <-time.After(20 * time.Second):
				t.Error("command did not stop")
			}
		})
		return exit
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			t.Cleanup(func() { stop() })
			return m[1], stderr, stop
		}
		select {
		case c := <-code:
			t.Fatalf("command exited %d: %s", c, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no listening line: %s", stderr)
	return
}

func TestServeDemo(t *testing.T) {
	url, stderr, stop := startCommand(t, "serve", "--listen", "127.0.0.1:0", "--speed", "max")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/live?room=lobby", &websocket.DialOptions{Subprotocols: []string{"v1.dashboard"}})
	defer c.CloseNow()
	if c.Subprotocol() != "v1.dashboard" {
		t.Errorf("subprotocol %q", c.Subprotocol())
	}
	n := 0
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != 1001 {
				t.Errorf("demo ended with %v, want its recorded 1001", err)
			}
			break
		}
		if n == 0 && !strings.Contains(string(data), `"type":"hello"`) {
			t.Errorf("first message %q, want the hello", data)
		}
		n++
	}
	if n != 100 {
		t.Errorf("got %d messages, want the demo's 100", n)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit %d after shutdown, want 0", code)
	}
	for _, want := range []string{"session demo-1  /live?room=lobby", "msg=connected", "session=demo-1", "msg=closed"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// Flags after the file; shutdown closes open connections with 1001.
func TestServeFileAndShutdown(t *testing.T) {
	url, _, stop := startCommand(t, "serve", "../../testdata/format/valid.ndjson", "--listen", "127.0.0.1:0", "--speed=max")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/ws", nil)
	defer c.CloseNow()
	if _, data, err := c.Read(ctx); err != nil || string(data) != "hello" {
		t.Fatalf("got %q, %v", data, err)
	}
	// valid.ndjson ends with a clean 1000 "bye".
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != 1000 {
		t.Errorf("got %v, want close 1000", err)
	}
	c2 := nettest.Dial(t, url+"/ws", nil)
	defer c2.CloseNow()
	c2.Read(ctx)
	go stop()
	for {
		if _, _, err := c2.Read(ctx); err != nil {
			if st := websocket.CloseStatus(err); st != 1000 && st != 1001 {
				t.Errorf("got %v at shutdown, want a clean close", err)
			}
			break
		}
	}
}

func TestServeErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"missing.ndjson"}, 1, "missing.ndjson: no such file or directory"},
		{[]string{"../../testdata/format/garbage.bin"}, 1, "garbage.bin:1: not a wsreplay recording"},
		{[]string{"../../testdata/format/bad-json-line3.ndjson"}, 1, "bad-json-line3.ndjson:3: invalid JSON"},
		{[]string{"--speed", "fast"}, 2, `--speed: "fast" is not`},
		{[]string{"--from", "2x"}, 2, `--from: "2x" is not a duration`},
		{[]string{"--close-at", "1s:999"}, 2, `--close-at: "999" is not a close code`},
		{[]string{"--close-at", "soon"}, 2, `--close-at: "soon" is not a duration`},
		{[]string{"--heartbeat", "ping"}, 2, `--heartbeat: "ping" is not PING:PONG`},
		{[]string{"--poll", "poll"}, 2, `--poll: "poll" is not a path (/poll) or a prefix ending in *`},
		{[]string{"--poll", "/a*b*"}, 2, `--poll: "/a*b*" is not a path`},
		{[]string{"--poll-idle", "0"}, 2, `--poll-idle: want a duration above zero`},
		{[]string{"--session", "nope"}, 1, `--session: no session "nope"`},
		{[]string{"--listen", "nonsense"}, 2, `--listen: "nonsense" is not HOST:PORT`},
		{[]string{"--listen", busy.Addr().String()}, 1, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"serve"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			first, _, _ := strings.Cut(errOut, "\n")
			if !strings.HasPrefix(first, "wsreplay: ") || !strings.Contains(first, tt.want) {
				t.Errorf("stderr %q: want a first line wsreplay: ... %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr has a stack trace: %s", errOut)
			}
		})
	}
}

func TestParseHeartbeat(t *testing.T) {
	tests := []struct{ in, ping, pong string }{
		{"ping:pong", "ping", "pong"},
		{`{"type":"ping"}:{"type":"pong"}`, `{"type":"ping"}`, `{"type":"pong"}`},
		{`{"op":"hb","t":1}:{"op":"hb-ack"}`, `{"op":"hb","t":1}`, `{"op":"hb-ack"}`},
		{`{"type":"ping","n":[1, 2]}:{"type":"pong"}`, `{"type":"ping","n":[1, 2]}`, `{"type":"pong"}`},
		{`{"type":"ping"}:pong`, `{"type":"ping"}`, "pong"},
		{`\n:\n`, "\n", "\n"},
		{` ping : pong `, " ping ", " pong "},
		{`PING\x3a1:PONG\t\u00e9\\`, "PING:1", "PONG\t\u00e9\\"},
		{`{"s":"a\nb"}:ok\r\n`, `{"s":"a\nb"}`, "ok\r\n"},
		{`\x00:\xff`, "\x00", "\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ping, pong, err := parseHeartbeat(tt.in)
			if err != nil || ping != tt.ping || pong != tt.pong {
				t.Errorf("parseHeartbeat(%q) = %q, %q, %v", tt.in, ping, pong, err)
			}
		})
	}
	for _, in := range []string{"ping", "ping:", ":pong", "a:b:c", `\q:x`, `x:\x4`} {
		t.Run(in, func(t *testing.T) {
			if ping, pong, err := parseHeartbeat(in); err == nil {
				t.Errorf("parseHeartbeat(%q) = %q, %q; want an error", in, ping, pong)
			}
		})
	}
}

// Beyond loopback the replay server says so: recordings may hold private data.
func TestServeWarnsBeyondLoopback(t *testing.T) {
	url, stderr, _ := startCommand(t, "serve", "--listen", "0.0.0.0:0")
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || !strings.Contains(stderr.String(), "(on every interface") {
		t.Errorf("listening on every interface: printed %s, want an address a client can use:\n%s", url, stderr)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(stderr.String(), "session demo-1"); {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "is reachable from other machines") {
		t.Errorf("no warning:\n%s", stderr)
	}
	_, stderr, _ = startCommand(t, "serve", "--listen", "127.0.0.1:0")
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(stderr.String(), "reachable from other machines") {
		t.Errorf("warning on loopback:\n%s", stderr)
	}
}

// --paused starts replays paused, steered through the control API that
// the printed address serves; --no-control turns the API off.
func TestServePausedAndControl(t *testing.T) {
	url, stderr, _ := startCommand(t, "serve", "../../testdata/demo.ndjson", "--listen", "127.0.0.1:0", "--paused")
	base := controlBase(t, stderr)
	if base == "http"+strings.TrimPrefix(url, "ws") {
		t.Errorf("the control is served on the replay port %s", base)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/live?room=lobby", nil)
	defer c.CloseNow()
	get := func(path string) string {
		resp, err := http.Get(base + "/_wsreplay/api/" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(get("replays/r1"), `"state":"paused"`) {
		if time.Now().After(deadline) {
			t.Fatalf("replay r1 not paused: %s", get("replays"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Post(base+"/_wsreplay/api/replays/r1/step", "application/json", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("step: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, data, err := c.Read(ctx); err != nil || !strings.Contains(string(data), `"type":"hello"`) {
		t.Errorf("after a step: %q, %v; want the hello", data, err)
	}

	url, stderr, _ = startCommand(t, "serve", "../../testdata/demo.ndjson", "--listen", "127.0.0.1:0", "--no-control")
	resp, err = http.Get("http" + strings.TrimPrefix(url, "ws") + "/_wsreplay/api/replays")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || strings.Contains(stderr.String(), "timeline") {
		t.Errorf("--no-control: %d, stderr %s", resp.StatusCode, stderr)
	}
}
