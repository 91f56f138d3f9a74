package replayer

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// Each request the server cannot answer as asked, and each connection that
// gets something else than it asked for, gets one log line saying what was
// asked, what was done, and what to try.
func TestDiagnosticLines(t *testing.T) {
	path := writeRecording(t,
		sessionLine("live", "/live?room=1", "v1.dashboard", rec0),
		message("live", rec0, format.Receive, format.Text, []byte("hi")),
	)
	tokenPath := writeRecording(t,
		sessionLine("tok", "/live?room=1", "bearer.[redacted]", rec0),
		message("tok", rec0, format.Receive, format.Text, []byte("hi")),
	)
	tests := []struct {
		name    string
		path    string // recording; "" for the one above
		srv     *Server
		do      func(t *testing.T, base string)
		want    []string
		notWant []string
	}{
		{name: "plain GET on a path", do: get("/live?room=1", http.StatusNotFound),
			want: []string{`level=WARN msg="cannot answer a plain HTTP request`, `asked="GET /live?room=1"`, `answered="404 Not Found"`, `try="connect a WebSocket to ws://`}},
		{name: "Socket.IO polling, no Socket.IO session", do: get("/socket.io/?EIO=4&transport=polling&t=abc", http.StatusForbidden),
			want: []string{`msg="cannot answer Engine.IO: no recorded Socket.IO session to play"`, `path="/socket.io/?EIO=4&transport=polling&t=abc"`, `answered="403 Forbidden`}},
		{name: "Socket.IO polling, unknown sid", do: get("/?EIO=3&transport=polling&sid=gone", http.StatusBadRequest),
			want: []string{`msg="cannot answer Engine.IO: unknown sid`, `answered="400 Session ID unknown"`}},
		{name: "favicon is not news", do: get("/favicon.ico", http.StatusNotFound), notWant: []string{"cannot answer"}},
		{name: "the page", do: get("/", http.StatusOK), notWant: []string{"cannot answer"}},
		{name: "WebSocket on another path", do: connect("/elsewhere", "v1.dashboard"),
			want: []string{`msg=connected`, `recorded="/live?room=1"`, `note="no session was recorded on /elsewhere; playing one recorded on another path"`,
				`try="connect to a recorded path, such as /live?room=1 (wsreplay ls lists them)"`},
			notWant: []string{"mismatch"}},
		{name: "same path, another query", do: connect("/live?room=2", "v1.dashboard"),
			want: []string{`msg=connected`, `recorded="/live?room=1"`}, notWant: []string{"note=", "mismatch"}},
		{name: "as recorded", do: connect("/live?room=1", "v1.dashboard"),
			want: []string{`msg=connected`, `subprotocol=v1.dashboard`}, notWant: []string{"recorded=", "mismatch"}},
		{name: "subprotocol mismatch", do: connect("/live?room=1", "v2", "chat"),
			want: []string{`level=WARN msg="subprotocol mismatch`, `offered=v2,chat`, `recorded=v1.dashboard`, `answered="no subprotocol"`, `try="offer v1.dashboard`}},
		{name: "a token in the subprotocol is no mismatch, and is not logged", path: tokenPath,
			do:   connect("/live?room=1", "bearer.eyJhbGciOiJIUzI1NiJ9xQ3rT9kLmP2vW8zY"),
			want: []string{`msg=connected`, `subprotocol=bearer.[redacted]`}, notWant: []string{"mismatch", "eyJhbGciOiJIUzI1NiJ9"}},
		{name: "a poll request, no poll session", srv: &Server{Poll: []string{"/poll"}}, do: get("/poll?since=1", http.StatusNotFound),
			want:    []string{`msg="cannot answer a poll request: no recorded session to play"`, `kind=poll`, `answered="404 Not Found"`, `try="wsreplay ls lists the recorded sessions (KIND poll)`},
			notWant: []string{"WebSocket"}},
		{name: "no session to play", srv: &Server{Sessions: []string{"nope"}}, do: get("/live?room=1&upgrade", 0),
			want: []string{`msg="cannot answer a WebSocket: no recorded session to play"`, `answered="404 Not Found"`, `try="check the ids given to --session (nope)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs nettest.Buffer
			srv := tt.srv
			if srv == nil {
				srv = &Server{}
			}
			srv.Speed = 1000
			srv.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			rec := path
			if tt.path != "" {
				rec = tt.path
			}
			ts := startServer(t, srv, File(rec))
			tt.do(t, ts.URL)
			ts.Close() // the replay's lines are in when its handler has returned
			out := logs.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("log lacks %s:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("log has %s:\n%s", w, out)
				}
			}
		})
	}
}

// get requests path over plain HTTP; with status 0 it asks for a WebSocket
// and expects it refused.
func get(path string, status int) func(*testing.T, string) {
	return func(t *testing.T, base string) {
		if status == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
				t.Fatalf("want 404, got %v %v", resp, err)
			}
			return
		}
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Fatalf("GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
}

// connect opens a WebSocket offering protos and reads the first message.
func connect(path string, protos ...string) func(*testing.T, string) {
	return func(t *testing.T, base string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{Subprotocols: protos})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatal(err)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
}
