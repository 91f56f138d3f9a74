package recorder

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// logRecords returns the JSON log records of b whose message is msg.
func logRecords(tb testing.TB, b *nettest.Buffer, msg string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// The "session started" and "session ended" records have the same fields
// for every kind of session, durations in seconds, and a Socket.IO
// session's WebSocket is logged under the session's own id.
func TestSessionLogFields(t *testing.T) {
	started := []string{"time", "level", "msg", "session", "kind", "path", "upstream", "recorded"}
	ended := []string{"time", "level", "msg", "session", "kind", "path", "by", "code", "how", "reason",
		"sent", "received", "not_queued", "duration"}
	for _, tc := range []struct {
		kind     string
		extra    string // the kind's own field of "session started"
		upstream func(testing.TB) *httptest.Server
		drive    func(t *testing.T, p *Proxy, ts *httptest.Server)
		sent     float64
		received float64
	}{
		{"websocket", "subprotocol", func(tb testing.TB) *httptest.Server {
			return upstream(tb, nil, func(c *websocket.Conn, r *http.Request) {
				c.Read(r.Context())
				c.Write(r.Context(), websocket.MessageText, []byte("pong"))
				c.Close(websocket.StatusNormalClosure, "bye")
			})
		}, func(t *testing.T, p *Proxy, ts *httptest.Server) {
			c := dial(t, ts, "/live", nil)
			c.Write(t.Context(), websocket.MessageText, []byte("ping"))
			c.Read(t.Context())
			c.Read(t.Context())
			nettest.WaitFor(t, "the session to end", func() bool { return p.Stats().Open == 0 })
		}, 1, 1},
		{"sse", "", func(tb testing.TB) *httptest.Server {
			return sseUpstream(tb, []string{"data: a\n\n", "data: b\n\n"}, nil, "")
		}, func(t *testing.T, p *Proxy, ts *httptest.Server) {
			resp, err := http.Get(ts.URL + "/events")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			nettest.WaitFor(t, "the stream to end", func() bool { return p.Stats().Open == 0 })
		}, 0, 2},
		{"poll", "", func(tb testing.TB) *httptest.Server {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `[]`)
			}))
			tb.Cleanup(ts.Close)
			return ts
		}, func(t *testing.T, p *Proxy, ts *httptest.Server) {
			for range 2 {
				httpDo(t, "GET", ts.URL+"/poll", "")
			}
			nettest.WaitFor(t, "the poller to end", func() bool { return p.Stats().Open == 0 })
		}, 2, 2},
		{"socketio", "eio_version", func(tb testing.TB) *httptest.Server { return fakeEngineIO(tb, 4) },
			func(t *testing.T, p *Proxy, ts *httptest.Server) {
				base := ts.URL + "/socket.io/?EIO=4&transport=polling"
				httpDo(t, "GET", base, "")
				c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket&sid=S1", nil)
				c.Write(t.Context(), websocket.MessageText, []byte("2probe"))
				c.Read(t.Context())
				c.Write(t.Context(), websocket.MessageText, []byte("5"))
				c.Read(t.Context())
				c.Read(t.Context())
				waitEnded(t, p, "S1")
			}, 2, 3}, // 2probe and 5; the open packet, 3probe and an event
	} {
		t.Run(tc.kind, func(t *testing.T) {
			var logs nettest.Buffer
			p, ts, sink, _ := proxyFor(t, tc.upstream(t), func(p *Proxy) {
				p.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
				p.Poll = []string{"/poll"}
				p.PollIdle = 50 * time.Millisecond
			})
			tc.drive(t, p, ts)
			stopProxy(t, p, ts, sink)

			s, e := logRecords(t, &logs, "session started"), logRecords(t, &logs, "session ended")
			if len(s) != 1 || len(e) != 1 {
				t.Fatalf("%d started and %d ended records, want one each", len(s), len(e))
			}
			want := append(slices.Clone(started), tc.extra)
			if tc.extra == "" {
				want = started
			}
			if got := slices.Sorted(maps.Keys(s[0])); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
				t.Errorf("session started: fields %v, want %v", got, slices.Sorted(slices.Values(want)))
			}
			if got := slices.Sorted(maps.Keys(e[0])); !slices.Equal(got, slices.Sorted(slices.Values(ended))) {
				t.Errorf("session ended: fields %v, want %v", got, slices.Sorted(slices.Values(ended)))
			}
			if s[0]["kind"] != tc.kind || e[0]["kind"] != tc.kind || e[0]["session"] != s[0]["session"] {
				t.Errorf("started %v, ended %v: want kind %s and one session id", s[0], e[0], tc.kind)
			}
			if d, ok := e[0]["duration"].(float64); !ok || d < 0 || d > 60 {
				t.Errorf("duration %v (%T), want seconds", e[0]["duration"], e[0]["duration"])
			}
			if e[0]["sent"] != tc.sent || e[0]["received"] != tc.received {
				t.Errorf("sent %v, received %v; want %v, %v", e[0]["sent"], e[0]["received"], tc.sent, tc.received)
			}
			for _, r := range logRecords(t, &logs, "WebSocket of an Engine.IO session") {
				if r["session"] != s[0]["session"] || r["kind"] != "socketio" {
					t.Errorf("the upgrade is logged as %v, not under its session %v", r, s[0]["session"])
				}
			}
			if tc.kind == "socketio" && len(logRecords(t, &logs, "WebSocket of an Engine.IO session")) != 1 {
				t.Error("no record of the upgraded WebSocket")
			}
		})
	}
}
