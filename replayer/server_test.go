package replayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// writeRecording writes evs to a zstd recording in a temp dir.
func writeRecording(tb testing.TB, evs ...*format.Event) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "rec.ndjson.zst")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := format.NewWriter(f, &format.WriterOptions{Compression: format.Zstd})
	for _, e := range evs {
		if err := w.Write(e); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

// writePlain writes evs to a plain recording in a temp dir.
func writePlain(tb testing.TB, evs ...*format.Event) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "rec.ndjson")
	var buf bytes.Buffer
	w := format.NewWriter(&buf, nil)
	for _, e := range evs {
		w.Write(e)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func sessionLine(id, url, proto string, at time.Time) *format.Event {
	return &format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: at, URL: url, Subprotocol: proto}
}

func message(id string, at time.Time, dir format.Dir, op format.Opcode, data []byte) *format.Event {
	return &format.Event{Type: format.TypeMessage, Session: id, Time: at, Dir: dir, Opcode: op, Data: data}
}

// startServer serves srv with a catalog of the sources, closing all at the
// end of the test.
func startServer(tb testing.TB, srv *Server, sources ...Source) *httptest.Server {
	tb.Helper()
	cat, err := Open(sources...)
	if err != nil {
		tb.Fatal(err)
	}
	if err := cat.Wait(context.Background()); err != nil {
		tb.Fatal(err)
	}
	srv.Catalog = cat
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		ts.Close()
		cat.Close()
	})
	return ts
}

// dial opens a WebSocket connection to path on ts asking for the
// subprotocols protos, closed when the test ends; nettest.Dial with the
// arguments this package's tests have at hand.
func dial(tb testing.TB, ts *httptest.Server, path string, protos ...string) *websocket.Conn {
	tb.Helper()
	return nettest.Dial(tb, "ws"+strings.TrimPrefix(ts.URL, "http")+path, &websocket.DialOptions{Subprotocols: protos})
}

type received struct {
	typ  websocket.MessageType
	data []byte
}

// readUntilEnd reads messages until the connection ends and returns them
// with the error that ended it.
func readUntilEnd(tb testing.TB, c *websocket.Conn) ([]received, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []received
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return got, err
		}
		got = append(got, received{typ, data})
	}
}

func TestReplayOverLoopback(t *testing.T) {
	big := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1<<18) // 1 MiB binary
	texts := []string{`{"type":"hello","who":"héllo ✓ 👋"}`, "", strings.Repeat("x", 2<<20)}
	evs := []*format.Event{sessionLine("s1", "/live?room=1", "chat", rec0)}
	var want []received
	for i, s := range texts {
		evs = append(evs, message("s1", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, []byte(s)))
		want = append(want, received{websocket.MessageText, []byte(s)})
	}
	evs = append(evs, message("s1", rec0.Add(5*time.Millisecond), format.Send, format.Text, []byte("ignored")))
	evs = append(evs, message("s1", rec0.Add(6*time.Millisecond), format.Receive, format.Binary, big))
	want = append(want, received{websocket.MessageBinary, big})
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: "s1", Time: rec0.Add(7 * time.Millisecond),
		By: format.ByServer, Code: 4001, Reason: "see you", Clean: true})

	ts := startServer(t, &Server{Speed: math.Inf(1)}, File(writeRecording(t, evs...)))
	c := dial(t, ts, "/live?room=1", "other", "chat")
	if c.Subprotocol() != "chat" {
		t.Errorf("subprotocol %q, want chat", c.Subprotocol())
	}
	got, err := readUntilEnd(t, c)
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].typ != want[i].typ || !bytes.Equal(got[i].data, want[i].data) {
			t.Errorf("message %d differs: got %v of %d bytes, want %v of %d", i, got[i].typ, len(got[i].data), want[i].typ, len(want[i].data))
		}
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "see you" {
		t.Errorf("ended with %v, want close 4001 \"see you\"", err)
	}
}

// A recorded drop and reconnect replays as a drop and a reconnect.
func TestDropThenReconnect(t *testing.T) {
	path := writeRecording(t,
		sessionLine("first", "/ws", "", rec0),
		message("first", rec0.Add(time.Millisecond), format.Receive, format.Text, []byte("one")),
		&format.Event{Type: format.TypeClose, Session: "first", Time: rec0.Add(2 * time.Millisecond), By: format.ByServer, Code: 1006},
		sessionLine("second", "/ws", "", rec0.Add(time.Second)),
		message("second", rec0.Add(time.Second+time.Millisecond), format.Receive, format.Text, []byte("two")),
		&format.Event{Type: format.TypeClose, Session: "second", Time: rec0.Add(time.Second + 2*time.Millisecond), By: format.ByServer, Code: 1000, Reason: "done", Clean: true},
	)
	ts := startServer(t, &Server{Speed: math.Inf(1)}, File(path))

	got, err := readUntilEnd(t, dial(t, ts, "/ws"))
	if len(got) != 1 || string(got[0].data) != "one" {
		t.Errorf("first connection got %v, want [one]", got)
	}
	if err == nil || websocket.CloseStatus(err) != -1 {
		t.Errorf("first connection ended with %v, want a drop without a close frame", err)
	}
	got, err = readUntilEnd(t, dial(t, ts, "/ws"))
	if len(got) != 1 || string(got[0].data) != "two" {
		t.Errorf("reconnection got %v, want [two]", got)
	}
	if websocket.CloseStatus(err) != 1000 {
		t.Errorf("reconnection ended with %v, want close 1000", err)
	}
	// And round again.
	got, _ = readUntilEnd(t, dial(t, ts, "/ws"))
	if len(got) != 1 || string(got[0].data) != "one" {
		t.Errorf("third connection got %v, want the first session again", got)
	}
}

func TestSessionChoice(t *testing.T) {
	path := writeRecording(t,
		sessionLine("a", "/feed?user=1", "", rec0),
		message("a", rec0, format.Receive, format.Text, []byte("a")),
		sessionLine("b", "/feed?user=2", "", rec0),
		message("b", rec0, format.Receive, format.Text, []byte("b")),
		sessionLine("c", "/other", "", rec0),
		message("c", rec0, format.Receive, format.Text, []byte("c")),
	)
	first := func(srv *Server, p string) string {
		ts := startServer(t, srv, File(path))
		c := dial(t, ts, p)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	tests := []struct {
		srv  *Server
		path string
		want string
	}{
		{&Server{}, "/feed?user=2", "b"},                        // path and query
		{&Server{}, "/feed?user=9", "a"},                        // same path
		{&Server{}, "/other", "c"},                              // path
		{&Server{}, "/nowhere", "a"},                            // any
		{&Server{Sessions: []string{"c"}}, "/feed?user=2", "c"}, // restricted
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := first(tt.srv, tt.path); got != tt.want {
				t.Errorf("%s with sessions %v: got session %s, want %s", tt.path, tt.srv.Sessions, got, tt.want)
			}
		})
	}
}

func TestFaultsOverLoopback(t *testing.T) {
	path := writeRecording(t,
		sessionLine("s", "/", "", rec0),
		message("s", rec0, format.Receive, format.Text, []byte("early")),
		message("s", rec0.Add(10*time.Second), format.Receive, format.Text, []byte("late")),
	)
	// The faults fire at 500ms, long after "early" (due at once) and long
	// before "late" (due at 10s, or 1s at speed 10).
	t.Run("drop-at", func(t *testing.T) {
		ts := startServer(t, &Server{DropAt: 500 * time.Millisecond}, File(path))
		got, err := readUntilEnd(t, dial(t, ts, "/"))
		if len(got) != 1 || err == nil || websocket.CloseStatus(err) != -1 {
			t.Errorf("got %d messages and %v, want 1 and a drop", len(got), err)
		}
	})
	t.Run("close-at", func(t *testing.T) {
		ts := startServer(t, &Server{CloseAt: 500 * time.Millisecond, CloseCode: 4002, CloseReason: "chaos"}, File(path))
		got, err := readUntilEnd(t, dial(t, ts, "/"))
		var ce websocket.CloseError
		if len(got) != 1 || !errors.As(err, &ce) || ce.Code != 4002 || ce.Reason != "chaos" {
			t.Errorf("got %d messages and %v, want 1 and close 4002 chaos", len(got), err)
		}
	})
	t.Run("hang-at", func(t *testing.T) {
		ts := startServer(t, &Server{HangAt: 500 * time.Millisecond, Speed: 10}, File(path))
		c := dial(t, ts, "/")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, data, err := c.Read(ctx); err != nil || string(data) != "early" {
			t.Fatalf("got %q, %v", data, err)
		}
		// At speed 10 "late" is due 1s in; hung, it never comes.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel2()
		if _, data, err := c.Read(ctx2); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a hung replay sent %q (err %v)", data, err)
		}
	})
	t.Run("refuse", func(t *testing.T) {
		ts := startServer(t, &Server{Refuse: 2, Speed: math.Inf(1)}, File(path))
		url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/"
		for i := range 2 {
			_, resp, err := websocket.Dial(context.Background(), url, nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("attempt %d: got %v, want HTTP 503", i+1, err)
			}
		}
		dial(t, ts, "/") // the third gets through
	})
}

func TestHAR(t *testing.T) {
	ts := startServer(t, &Server{Speed: math.Inf(1)}, File("../testdata/har/chrome.har"))
	c := dial(t, ts, "/live?room=1", "v1.dashboard")
	if c.Subprotocol() != "v1.dashboard" {
		t.Errorf("subprotocol %q", c.Subprotocol())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want := []string{`{"type":"hello"}`, `{"type":"price","price":97250.5,"note":"héllo ✓"}`, "\x00\x01\x02\xff", ""}
	for i, w := range want {
		_, data, err := c.Read(ctx)
		if err != nil || string(data) != w {
			t.Fatalf("message %d: got %q, %v; want %q", i, data, err, w)
		}
	}
}

func TestHeartbeatAnswered(t *testing.T) {
	path := writeRecording(t, sessionLine("s", "/", "", rec0), message("s", rec0.Add(time.Hour), format.Receive, format.Text, []byte("x")))
	ts := startServer(t, &Server{Heartbeats: []Heartbeat{{`{"type":"ping"}`, `{"type":"pong"}`}}}, File(path))
	c := dial(t, ts, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if _, data, err := c.Read(ctx); err != nil || string(data) != `{"type":"pong"}` {
		t.Errorf("got %q, %v; want the pong", data, err)
	}
}

func TestConcurrentClients(t *testing.T) {
	evs := []*format.Event{sessionLine("s", "/", "", rec0)}
	for i := range 200 {
		evs = append(evs, message("s", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, []byte{byte('a' + i%26)}))
	}
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: "s", Time: rec0.Add(time.Second), Code: 1000, Clean: true})
	ts := startServer(t, &Server{Speed: 100}, File(writeRecording(t, evs...)))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/", nil)
			if err != nil {
				errs <- err
				return
			}
			defer c.CloseNow()
			for i := range 200 {
				_, data, err := c.Read(ctx)
				if err != nil || data[0] != byte('a'+i%26) {
					errs <- errors.New("a client got a wrong or missing message")
					return
				}
			}
			if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != 1000 {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPageAndShutdown(t *testing.T) {
	srv := &Server{}
	ts := startServer(t, srv, Bytes("demo", mustRead(t, "../testdata/demo.ndjson")))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "demo-1") || !strings.Contains(string(body), "/live?room=lobby") {
		t.Errorf("page does not list the session:\n%s", body)
	}
	c := dial(t, ts, "/live?room=lobby")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); err != nil { // the hello, 3ms in
		t.Fatal(err)
	}
	go srv.Shutdown(ctx)
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("shutdown: got %v, want 1001", err)
			}
			break
		}
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Many short replays leave no goroutine and no file descriptor behind.
func TestChurn(t *testing.T) {
	path := writeRecording(t, sessionLine("s", "/", "", rec0),
		message("s", rec0, format.Receive, format.Text, []byte("hi")),
		message("s", rec0.Add(time.Hour), format.Receive, format.Text, []byte("later")))
	ts := startServer(t, &Server{}, File(path))
	ts.Config.SetKeepAlivesEnabled(false)
	count := func() (int, int) {
		time.Sleep(100 * time.Millisecond)
		fds, _ := os.ReadDir("/proc/self/fd")
		return runtime.NumGoroutine(), len(fds)
	}
	g0, fd0 := count()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < 2000; i += 4 {
				c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/", nil)
				if err != nil {
					t.Error(err)
					return
				}
				c.Read(ctx) // "hi"
				if i%2 == 0 {
					c.Close(1000, "")
				} else {
					c.CloseNow()
				}
			}
		})
	}
	wg.Wait()
	g, fd := count()
	for deadline := time.Now().Add(20 * time.Second); (g > g0+5 || fd > fd0+5) && time.Now().Before(deadline); {
		g, fd = count()
	}
	if g > g0+5 || fd > fd0+5 {
		t.Errorf("after 2,000 replays: %d goroutines (%d before), %d open files (%d before)", g, g0, fd, fd0)
	}
}

// Shutdown ends every replay, not one: each of several clients gets 1001.
func TestShutdownEndsEveryReplay(t *testing.T) {
	srv := &Server{}
	ts := startServer(t, srv, Bytes("demo", mustRead(t, "../testdata/demo.ndjson")))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var clients []*websocket.Conn
	for range 3 {
		c := dial(t, ts, "/live?room=lobby")
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	go srv.Shutdown(ctx)
	for i, c := range clients {
		for {
			_, _, err := c.Read(ctx)
			if err != nil {
				if websocket.CloseStatus(err) != websocket.StatusGoingAway {
					t.Errorf("client %d: got %v, want 1001", i, err)
				}
				break
			}
		}
	}
}

// A recording whose close code may not be sent (1015, 5000: an older
// recorder took them for clean closes) ends with a drop, which is what a
// browser made of it, and the log says so rather than "closed code=1015".
// 1005 (a close frame without a code) is sent as such.
func TestUnsendableRecordedCloseCode(t *testing.T) {
	for _, c := range []struct {
		code  int
		clean bool // the client sees a close frame
	}{{1015, false}, {5000, false}, {999, false}, {1005, true}} {
		t.Run(fmt.Sprint(c.code), func(t *testing.T) {
			var logs bytes.Buffer
			var mu sync.Mutex
			log := slog.New(slog.NewTextHandler(writerFunc(func(b []byte) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				return logs.Write(b)
			}), nil))
			path := writeRecording(t, sessionLine("s", "/x", "", rec0),
				message("s", rec0.Add(time.Millisecond), format.Receive, format.Text, []byte("hi")),
				&format.Event{Type: format.TypeClose, Session: "s", Time: rec0.Add(2 * time.Millisecond), By: format.ByServer, Code: c.code, Clean: true})
			ts := startServer(t, &Server{Speed: math.Inf(1), Logger: log}, File(path))
			conn := dial(t, ts, "/x")
			_, err := readUntilEnd(t, conn)
			var ce websocket.CloseError
			if got := errors.As(err, &ce); got != c.clean {
				t.Errorf("ended with %v; want a close frame: %v", err, c.clean)
			}
			ts.Close() // waits for the handler, and its log line
			mu.Lock()
			defer mu.Unlock()
			if said := regexp.MustCompile(fmt.Sprintf(`msg=closed .*code=%d`, c.code)).MatchString(logs.String()); said != c.clean {
				t.Errorf("log:\n%s", logs.String())
			}
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
