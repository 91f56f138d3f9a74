package driver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/diff"
)

// app is a small stateful WebSocket server: "login" gets a session id
// the server chooses, "add" (with that session) a running total, "bye"
// a close. rename and slow change it as a new build might.
type app struct {
	rename  bool          // the total's field is "sum", not "total"
	skipBye bool          // no answer to "bye" before the close
	slow    time.Duration // before every answer
	n       atomic.Int64
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	sid := fmt.Sprintf("sess-%d-%d", a.n.Add(1), time.Now().UnixNano())
	total := 0
	for {
		_, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		var m struct {
			Op      string `json:"op"`
			Session string `json:"session"`
			N       int    `json:"n"`
		}
		json.Unmarshal(data, &m)
		time.Sleep(a.slow)
		var reply any
		switch {
		case m.Op == "login":
			reply = map[string]any{"op": "welcome", "session": sid}
		case m.Op == "add" && m.Session != sid:
			reply = map[string]any{"op": "error", "error": "unknown session"}
		case m.Op == "add" && a.rename:
			total += m.N
			reply = map[string]any{"op": "total", "sum": total}
		case m.Op == "add":
			total += m.N
			reply = map[string]any{"op": "total", "total": total}
		case m.Op == "bye":
			if !a.skipBye {
				c.Write(r.Context(), websocket.MessageText, []byte(`{"op":"bye"}`))
			}
			c.Close(4000, "done")
			return
		}
		b, _ := json.Marshal(reply)
		c.Write(r.Context(), websocket.MessageText, b)
	}
}

// appScript is a recording of a session with app: the server chose
// "sess-1-rec" as its session id.
func appScript(t testing.TB) *Script {
	t.Helper()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	msg := func(ms int, dir format.Dir, text string) *format.Event {
		return &format.Event{Type: format.TypeMessage, Session: "rec", Time: at(ms), Dir: dir, Opcode: format.Text, Data: []byte(text)}
	}
	evs := []*format.Event{
		{Type: format.TypeSession, Version: 1, Session: "rec", Time: t0, URL: "/app?room=1",
			RequestHeaders: map[string][]string{"Cookie": {"[redacted]"}, "X-Client": {"test"}}},
		msg(5, format.Send, `{"op":"login"}`),
		msg(8, format.Receive, `{"op":"welcome","session":"sess-1-recorded"}`),
		msg(20, format.Send, `{"op":"add","session":"sess-1-recorded","n":2}`),
		msg(22, format.Receive, `{"op":"total","total":2}`),
		msg(30, format.Send, `{"op":"add","session":"sess-1-recorded","n":3}`),
		msg(33, format.Receive, `{"op":"total","total":5}`),
		msg(40, format.Send, `{"op":"bye"}`),
		msg(41, format.Receive, `{"op":"bye"}`),
		{Type: format.TypeClose, Session: "rec", Time: at(42), By: format.ByServer, Code: 4000, Reason: "done", Clean: true},
	}
	scripts, err := LoadScripts(&events{evs: evs}, "app.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	return scripts[0]
}

func newTarget(t testing.TB, a *app) *url.URL {
	t.Helper()
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func TestRunAgainstApp(t *testing.T) {
	tests := []struct {
		name    string
		app     *app
		same    bool
		want    string // in the differences shown
		timeout time.Duration
	}{
		{name: "same app", app: &app{}, same: true},
		{name: "renamed field", app: &app{rename: true}, want: `"sum"`},
		{name: "missing reply", app: &app{skipBye: true}, want: `{"op":"bye"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Driver{Target: newTarget(t, tc.app), Speed: 100, Timeout: 2 * time.Second}
			res := d.Run(t.Context(), appScript(t))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Same() != tc.same {
				t.Fatalf("same = %v, want %v: %s", res.Same(), tc.same, hunks(res.Diff))
			}
			if tc.want != "" && !strings.Contains(hunks(res.Diff), tc.want) {
				t.Errorf("differences do not show %s:\n%s", tc.want, hunks(res.Diff))
			}
			if res.Sent != 4 {
				t.Errorf("sent %d, want 4", res.Sent)
			}
		})
	}
}

// hunks prints a comparison's differences.
func hunks(r *diff.Result) string {
	if r == nil {
		return "<no comparison>"
	}
	var b strings.Builder
	for _, h := range r.Hunks {
		for _, e := range h.Edits {
			if e.Kind == diff.Equal {
				continue
			}
			fmt.Fprintf(&b, "%s", e.Kind)
			for _, m := range []*diff.Message{e.A, e.B} {
				if m != nil {
					fmt.Fprintf(&b, " %s", m.Data)
				}
			}
			b.WriteString("\n")
		}
	}
	if r.EndingDiffers {
		fmt.Fprintf(&b, "ending %+v vs %+v\n", r.EndingA, r.EndingB)
	}
	return b.String()
}

// TestServerIDFollowed: without the session id the live server chose,
// the app answers "unknown session"; with it, the run is equal.
func TestServerIDFollowed(t *testing.T) {
	a := &app{}
	d := &Driver{Target: newTarget(t, a), Speed: 100, Timeout: 2 * time.Second}
	res := d.Run(context.Background(), appScript(t))
	if !res.Same() {
		t.Fatalf("run differs: %v %s", res.Err, hunks(res.Diff))
	}
}
