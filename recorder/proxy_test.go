package recorder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// upstream runs a backend built on coder/websocket: handle runs for each
// WebSocket connection, plain requests get "plain <path>".
func upstream(tb testing.TB, protos []string, handle func(c *websocket.Conn, r *http.Request)) *httptest.Server {
	tb.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") == "" {
			fmt.Fprintf(w, "plain %s", r.URL.RequestURI())
			return
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: protos, OriginPatterns: []string{"localhost:5173"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		handle(c, r)
	}))
	tb.Cleanup(ts.Close)
	return ts
}

// echo sends every message back, until the connection ends; it reports the
// close it got on closed.
func echo(closed chan<- error) func(*websocket.Conn, *http.Request) {
	return func(c *websocket.Conn, _ *http.Request) {
		for {
			typ, data, err := c.Read(context.Background())
			if err != nil {
				if closed != nil {
					closed <- err
				}
				return
			}
			if err := c.Write(context.Background(), typ, data); err != nil {
				return
			}
		}
	}
}

func newServer(p *Proxy) *httptest.Server { return httptest.NewServer(p) }

func wsURL(ts *httptest.Server) string { return "ws" + strings.TrimPrefix(ts.URL, "http") }

// proxyFor starts a recording proxy in front of up, recording into a
// directory (zstd), and returns it with its server and the directory.
func proxyFor(tb testing.TB, up *httptest.Server, configure func(*Proxy)) (*Proxy, *httptest.Server, *FileSink, string) {
	tb.Helper()
	dir := tb.TempDir()
	sink, err := NewDirSink(dir, &QueueOptions{Compression: format.Zstd})
	if err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	if configure != nil {
		configure(p)
	}
	ts := httptest.NewServer(p)
	var once sync.Once
	tb.Cleanup(func() { once.Do(func() { stopProxy(tb, p, ts, sink) }) })
	return p, ts, sink, dir
}

func stopProxy(tb testing.TB, p *Proxy, ts *httptest.Server, sink *FileSink) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		tb.Error(err)
	}
	ts.Close()
	if err := sink.Close(); err != nil {
		tb.Error(err)
	}
}

// dial opens a WebSocket connection to path on ts, which the test closes
// when it ends; nettest.Dial with the server and path this package's tests
// have at hand.
func dial(tb testing.TB, ts *httptest.Server, path string, opts *websocket.DialOptions) *websocket.Conn {
	tb.Helper()
	return nettest.Dial(tb, wsURL(ts)+path, opts)
}

// readRecordings reads every recording in dir (hidden temporary files are
// none).
func readRecordings(tb testing.TB, dir string) (map[string][]*format.Event, []string) {
	tb.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	out := map[string][]*format.Event{}
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		r := format.NewReader(f, &format.ReaderOptions{Name: name})
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			out[e.Session] = append(out[e.Session], e)
		}
		r.Close()
		f.Close()
	}
	return out, names
}

// onlySession returns the events of the one recorded session.
func onlySession(tb testing.TB, dir string) []*format.Event {
	tb.Helper()
	recs, names := readRecordings(tb, dir)
	if len(recs) != 1 {
		tb.Fatalf("got %d sessions in %v, want 1", len(recs), names)
	}
	for _, evs := range recs {
		return evs
	}
	return nil
}

func TestRelayIsByteExact(t *testing.T) {
	closed := make(chan error, 1)
	up := upstream(t, []string{"chat"}, echo(closed))
	p, ts, sink, dir := proxyFor(t, up, nil)
	c := dial(t, ts, "/room/1?x=y", &websocket.DialOptions{Subprotocols: []string{"other", "chat"}})
	if c.Subprotocol() != "chat" {
		t.Errorf("subprotocol %q, want chat (upstream's choice)", c.Subprotocol())
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 10<<16) // 10 MiB
	msgs := []struct {
		typ  websocket.MessageType
		data []byte
	}{
		{websocket.MessageText, []byte(`{"hello":"wörld ✓ 👋"}`)},
		{websocket.MessageText, []byte{}},
		{websocket.MessageBinary, []byte{0, 1, 2, 0xff, 0xfe}},
		{websocket.MessageText, big},
		{websocket.MessageBinary, big},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, m := range msgs {
		if err := c.Write(ctx, m.typ, m.data); err != nil {
			t.Fatal(err)
		}
		typ, data, err := c.Read(ctx)
		if err != nil || typ != m.typ || !bytes.Equal(data, m.data) {
			t.Fatalf("message %d: echo differs (type %v, %d bytes, err %v)", i, typ, len(data), err)
		}
	}
	c.Close(4001, "bye now")
	var ce websocket.CloseError
	if err := <-closed; !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye now" {
		t.Errorf("upstream saw %v, want close 4001 \"bye now\"", err)
	}
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if s := evs[0]; s.Type != format.TypeSession || s.Subprotocol != "chat" || s.URL != "/room/1?x=y" || !strings.HasSuffix(s.Upstream, "/room/1?x=y") {
		t.Errorf("session line: %+v", s)
	}
	var got [][]byte
	for _, e := range evs {
		if e.Type == format.TypeMessage {
			got = append(got, e.Data)
		}
	}
	if len(got) != 2*len(msgs) {
		t.Fatalf("recorded %d messages, want %d", len(got), 2*len(msgs))
	}
	for i, m := range msgs {
		if !bytes.Equal(got[2*i], m.data) || !bytes.Equal(got[2*i+1], m.data) {
			t.Errorf("recorded message %d differs", i)
		}
	}
	last := evs[len(evs)-1]
	if last.Type != format.TypeClose || last.By != format.ByClient || last.Code != 4001 || last.Reason != "bye now" || !last.Clean {
		t.Errorf("close line: %+v", last)
	}
}

func TestUpstreamCloseIsMirrored(t *testing.T) {
	for _, code := range []websocket.StatusCode{1000, 1001, 1011, 4002} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
				c.Write(context.Background(), websocket.MessageText, []byte("hi"))
				c.Close(code, "maintenance")
			})
			p, ts, sink, dir := proxyFor(t, up, nil)
			c := dial(t, ts, "/", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, data, err := c.Read(ctx); err != nil || string(data) != "hi" {
				t.Fatalf("got %q, %v", data, err)
			}
			_, _, err := c.Read(ctx)
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != code || ce.Reason != "maintenance" {
				t.Errorf("client saw %v, want close %d maintenance", err, code)
			}
			stopProxy(t, p, ts, sink)
			evs := onlySession(t, dir)
			if last := evs[len(evs)-1]; last.By != format.ByServer || last.Code != int(code) || !last.Clean {
				t.Errorf("close line: %+v", last)
			}
		})
	}
}

// An upstream that drops its connection (no close frame) has the client's
// connection dropped the same way, and the session recorded as a drop by
// the server, also when the proxy shuts down right after the drop: the
// shutdown then sends no close frames of its own (session.goingAway,
// TestGoingAwaySeesVanishedSide).
func TestUpstreamVanishes(t *testing.T) {
	vanished := make(chan struct{}, 2)
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		c.Write(context.Background(), websocket.MessageText, []byte("hi"))
		c.CloseNow() // TCP close, no close frame
		vanished <- struct{}{}
	})
	p, ts, sink, dir := proxyFor(t, up, nil)
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.Read(ctx)
	_, _, err := c.Read(ctx)
	if err == nil || websocket.CloseStatus(err) != -1 {
		t.Errorf("client saw %v, want a dropped connection (no close frame)", err)
	}
	// The proxy keeps serving.
	c2 := dial(t, ts, "/", nil)
	if _, data, err := c2.Read(ctx); err != nil || string(data) != "hi" {
		t.Errorf("second connection: %q, %v", data, err)
	}
	// The shutdown comes after the upstream has gone: the client's read
	// of "hi" does not say so (the upstream closes after its write).
	for range 2 {
		select {
		case <-vanished:
		case <-ctx.Done():
			t.Fatal("the upstream did not close its connections")
		}
	}
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	if len(recs) != 2 {
		t.Fatalf("got %d sessions, want 2", len(recs))
	}
	for id, evs := range recs {
		last := evs[len(evs)-1]
		if last.Type != format.TypeClose || last.By != format.ByServer || last.Code != 1006 || last.Clean {
			t.Errorf("session %s close line: %+v, want a drop by the server", id, last)
		}
	}
	// Each session is counted once, by how it ended.
	if ended := p.Stats().Ended; ended["drop"] != 2 || ended["clean"] != 0 {
		t.Errorf("Stats().Ended = %v, want 2 drops and no clean ending", ended)
	}
}

func TestUpstreamFailures(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer refusing.Close()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hanging.Close()
	tests := []struct {
		name string
		up   *httptest.Server
		want int
	}{
		{"unreachable", down, http.StatusBadGateway},
		{"refused", refusing, http.StatusForbidden},
		{"hanging", hanging, http.StatusGatewayTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ts, sink, dir := proxyFor(t, tt.up, func(p *Proxy) { p.HandshakeTimeout = 300 * time.Millisecond })
			_, resp, err := websocket.Dial(context.Background(), wsURL(ts)+"/", nil)
			if err == nil || resp == nil || resp.StatusCode != tt.want {
				t.Errorf("got %v (%v), want HTTP %d", err, resp, tt.want)
			}
			stopProxy(t, p, ts, sink)
			if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
				t.Errorf("files left behind: %v", names)
			}
		})
	}
}

func TestHeadersAndPassthrough(t *testing.T) {
	got := make(chan http.Header, 1)
	up := upstream(t, nil, func(c *websocket.Conn, r *http.Request) {
		got <- r.Header.Clone()
		c.Close(1000, "")
	})
	_, ts, _, _ := proxyFor(t, up, nil)
	c := dial(t, ts, "/", &websocket.DialOptions{HTTPHeader: http.Header{
		"Cookie": {"sid=1"}, "Authorization": {"Bearer t"}, "Origin": {"http://localhost:5173"},
		"User-Agent": {"test-agent"}, "Proxy-Authorization": {"Basic x"},
	}})
	h := <-got
	for k, want := range map[string]string{"Cookie": "sid=1", "Authorization": "Bearer t", "Origin": "http://localhost:5173",
		"User-Agent": "test-agent", "X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http"} {
		if h.Get(k) != want {
			t.Errorf("upstream got %s %q, want %q", k, h.Get(k), want)
		}
	}
	if h.Get("Proxy-Authorization") != "" || h.Get("X-Forwarded-Host") == "" {
		t.Errorf("headers: %v", h)
	}
	c.Read(context.Background())

	resp, err := http.Get(ts.URL + "/api/items?page=2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "plain /api/items?page=2" {
		t.Errorf("passthrough body %q", body)
	}
}

func TestRedaction(t *testing.T) {
	seen := make(chan string, 4)
	up := upstream(t, nil, func(c *websocket.Conn, r *http.Request) {
		seen <- r.Header.Get("Cookie") + " " + r.URL.Query().Get("token")
		_, data, _ := c.Read(context.Background())
		seen <- string(data)
		c.Write(context.Background(), websocket.MessageText, []byte(`{"user":"ana","password":"s3cret","n":1}`))
		c.Close(1000, "")
	})
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Redaction.JSONFields = []string{"password"} })
	c := dial(t, ts, "/ws?room=1&token=abc", &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {"sid=42"}}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageText, []byte(`{"login":"ana","password":"hunter2"}`))
	_, data, _ := c.Read(ctx)
	c.Read(ctx)
	if got := <-seen; got != "sid=42 abc" {
		t.Errorf("upstream got %q: redaction touched the traffic", got)
	}
	if got := <-seen; got != `{"login":"ana","password":"hunter2"}` {
		t.Errorf("upstream got %q: redaction touched the traffic", got)
	}
	if string(data) != `{"user":"ana","password":"s3cret","n":1}` {
		t.Errorf("client got %q: redaction touched the traffic", data)
	}
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	all := fmt.Sprintf("%+v", evs) + string(evs[1].Data) + string(evs[2].Data)
	for _, secret := range []string{"sid=42", "abc", "hunter2", "s3cret"} {
		if strings.Contains(all, secret) {
			t.Errorf("recording contains %q", secret)
		}
	}
	if evs[0].URL != "/ws?room=1&token=%5Bredacted%5D" || evs[0].RequestHeaders["Cookie"][0] != Redacted {
		t.Errorf("session line: %s %v", evs[0].URL, evs[0].RequestHeaders)
	}
	if string(evs[2].Data) != `{"user":"ana","password":"[redacted]","n":1}` {
		t.Errorf("recorded %s", evs[2].Data)
	}
}

func TestMessageTooBig(t *testing.T) {
	closed := make(chan error, 1)
	up := upstream(t, nil, echo(closed))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.MaxMessageSize = 1024 })
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageText, bytes.Repeat([]byte("x"), 2048))
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("client saw %v, want 1009", err)
	}
	if err := <-closed; websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("upstream saw %v, want 1009", err)
	}
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if last := evs[len(evs)-1]; last.By != format.ByProxy || last.Code != 1009 {
		t.Errorf("close line %+v", last)
	}
}

func TestShutdownClosesBothLegs(t *testing.T) {
	closed := make(chan error, 1)
	up := upstream(t, nil, echo(closed))
	p, ts, sink, dir := proxyFor(t, up, nil)
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageText, []byte("x"))
	c.Read(ctx)
	done := make(chan struct{})
	go func() { stopProxy(t, p, ts, sink); close(done) }()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("client saw %v, want 1001", err)
	}
	if err := <-closed; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("upstream saw %v, want 1001", err)
	}
	<-done
	evs := onlySession(t, dir)
	if last := evs[len(evs)-1]; last.By != format.ByProxy || last.Code != 1001 || !last.Clean {
		t.Errorf("close line %+v", last)
	}
}

func TestManySessions(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	run := func(t *testing.T, ts *httptest.Server) {
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				c, _, err := websocket.Dial(ctx, wsURL(ts)+fmt.Sprintf("/s/%d", i), nil)
				if err != nil {
					t.Error(err)
					return
				}
				for j := range 50 {
					msg := fmt.Sprintf("%d-%d", i, j)
					c.Write(ctx, websocket.MessageText, []byte(msg))
					if _, data, err := c.Read(ctx); err != nil || string(data) != msg {
						t.Errorf("got %q, %v", data, err)
						return
					}
				}
				c.Close(1000, "")
			})
		}
		wg.Wait()
	}
	check := func(t *testing.T, recs map[string][]*format.Event) {
		if len(recs) != 20 {
			t.Errorf("got %d sessions, want 20", len(recs))
		}
		for id, evs := range recs {
			if len(evs) != 102 || evs[0].Type != format.TypeSession || evs[101].Type != format.TypeClose {
				t.Errorf("session %s: %d lines", id, len(evs))
			}
		}
	}
	t.Run("directory", func(t *testing.T) {
		p, ts, sink, dir := proxyFor(t, up, nil)
		run(t, ts)
		stopProxy(t, p, ts, sink)
		recs, names := readRecordings(t, dir)
		check(t, recs)
		for _, n := range names {
			if strings.HasSuffix(n, format.PartialSuffix) {
				t.Errorf("unfinished file %s", n)
			}
			if st, _ := os.Stat(n); st.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", n, st.Mode().Perm())
			}
		}
	})
	t.Run("one file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "all.ndjson.gz")
		sink, err := NewFileSink(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(wsURL(up))
		p := &Proxy{Upstream: u, Sink: sink}
		ts := httptest.NewServer(p)
		run(t, ts)
		stopProxy(t, p, ts, sink)
		recs, _ := readRecordings(t, filepath.Dir(path))
		check(t, recs)
	})
}

// A sink that cannot keep up loses lines, not traffic, and says how many.
func TestFullSinkKeepsTraffic(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	u, _ := url.Parse(wsURL(up))
	sink := &droppingSink{}
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	defer ts.Close()
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 10 {
		c.Write(ctx, websocket.MessageText, []byte{byte('a' + i)})
		if _, data, err := c.Read(ctx); err != nil || data[0] != byte('a'+i) {
			t.Fatalf("traffic broken: %q %v", data, err)
		}
	}
	c.Close(1000, "")
	p.Shutdown(ctx)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if lost := p.Stats().Lost; lost != 20 {
		t.Errorf("Stats().Lost = %d, want 20", lost)
	}
	if len(sink.kept) != 2 || sink.kept[1].Type != format.TypeClose || sink.kept[1].Lost != 20 {
		t.Errorf("kept %d lines, close line %+v; want session and close with lost 20", len(sink.kept), sink.kept[len(sink.kept)-1])
	}
}

// droppingSink takes session and close lines and drops every message.
type droppingSink struct {
	mu   sync.Mutex
	kept []*format.Event
}

func (s *droppingSink) Add(e *format.Event) bool {
	if e.Type == format.TypeMessage {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = append(s.kept, e)
	return true
}

func TestWSSUpstreamAndPings(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(context.Background())
		if err := c.Ping(ctx); err != nil { // relayed: answered by the client
			return
		}
		c.Write(ctx, websocket.MessageText, []byte("secure hello"))
		<-ctx.Done()
	}))
	defer up.Close()
	u, _ := url.Parse("wss" + strings.TrimPrefix(up.URL, "https"))
	dir := t.TempDir()
	sink, err := NewDirSink(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Upstream: u, Sink: sink, TLSConfig: up.Client().Transport.(*http.Transport).TLSClientConfig}
	ts := httptest.NewServer(p)
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, data, err := c.Read(ctx); err != nil || string(data) != "secure hello" {
		t.Fatalf("got %q, %v", data, err)
	}
	c.Close(1000, "")
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	var pings int
	for _, e := range evs {
		if e.Type == format.TypePing && e.Dir == format.Receive {
			pings++
		}
	}
	if pings != 1 || !strings.HasPrefix(evs[0].Upstream, "wss://") {
		t.Errorf("recorded %d server pings (want 1), upstream %s", pings, evs[0].Upstream)
	}
}

// Recordings are private, and nothing a client sends names a file.
func TestFilesArePrivate(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	dir := filepath.Join(t.TempDir(), "new", "rec")
	sink, err := NewDirSink(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	c := dial(t, ts, "/../../../etc/evil?session=../../x", nil)
	c.Close(1000, "")
	stopProxy(t, p, ts, sink)
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700 (%v)", d, st.Mode().Perm(), err)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(names) != 1 || !regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z_[0-9a-f]{16}\.ndjson$`).MatchString(filepath.Base(names[0])) {
		t.Errorf("files %v: want one named <start>_<random id>.ndjson", names)
	}
	if st, _ := os.Stat(names[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
}

// A proxy that listens with TLS relays through its fallback reads (a TLS
// connection has no raw socket to wait on).
func TestTLSClientLeg(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	dir := t.TempDir()
	sink, err := NewDirSink(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewTLSServer(p)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "wss"+strings.TrimPrefix(ts.URL, "https")+"/tls", &websocket.DialOptions{HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	big := bytes.Repeat([]byte("y"), 100<<10) // more than the fallback's 8 KiB buffer
	for _, msg := range [][]byte{[]byte("over tls"), big} {
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
		c.SetReadLimit(-1)
		if _, got, err := c.Read(ctx); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes: got %d, %v", len(msg), len(got), err)
		}
	}
	if err := c.Close(4002, "bye"); err != nil {
		t.Errorf("close: %v", err)
	}
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if last := evs[len(evs)-1]; len(evs) != 6 || last.Code != 4002 || last.By != format.ByClient {
		t.Errorf("%d lines, close line %+v", len(evs), last)
	}
}

// Shutdown ends every session, each with 1001 on both legs and recorded.
func TestShutdownClosesEverySession(t *testing.T) {
	const n = 3
	closed := make(chan error, n)
	up := upstream(t, nil, echo(closed))
	p, ts, sink, dir := proxyFor(t, up, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var clients []*websocket.Conn
	for range n {
		c := dial(t, ts, "/", nil)
		c.Write(ctx, websocket.MessageText, []byte("x"))
		c.Read(ctx)
		clients = append(clients, c)
	}
	done := make(chan struct{})
	go func() { stopProxy(t, p, ts, sink); close(done) }()
	for i, c := range clients {
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("client %d saw %v, want 1001", i, err)
		}
		if err := <-closed; websocket.CloseStatus(err) != websocket.StatusGoingAway {
			t.Errorf("an upstream leg saw %v, want 1001", err)
		}
	}
	<-done
	recs, _ := readRecordings(t, dir)
	if len(recs) != n {
		t.Fatalf("%d sessions recorded, want %d", len(recs), n)
	}
	for id, evs := range recs {
		if last := evs[len(evs)-1]; last.By != format.ByProxy || last.Code != 1001 {
			t.Errorf("session %s: close line %+v", id, last)
		}
	}
}

// The session line names the protocol the upgrade shows (a graphql-ws
// subprotocol), or the one Proxy.Protocol gives; none for a plain socket.
func TestSessionLineNamesProtocol(t *testing.T) {
	for _, c := range []struct {
		name, subprotocol, override, want string
	}{
		{"graphql-transport-ws", "graphql-transport-ws", "", "graphql-transport-ws"},
		{"plain", "chat", "", ""},
		{"override", "chat", "subscriptions-transport-ws", "subscriptions-transport-ws"},
		{"none", "graphql-transport-ws", "none", "none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			up := upstream(t, []string{c.subprotocol}, echo(nil))
			p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Protocol = c.override })
			conn := dial(t, ts, "/graphql", &websocket.DialOptions{Subprotocols: []string{c.subprotocol}})
			conn.Close(websocket.StatusNormalClosure, "")
			stopProxy(t, p, ts, sink)
			if got := onlySession(t, dir)[0].Protocol; got != c.want {
				t.Errorf("session line protocol %q, want %q", got, c.want)
			}
		})
	}
}
