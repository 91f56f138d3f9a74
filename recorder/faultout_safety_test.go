package recorder

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// panickyClock is a link clock whose schedule fails.
type panickyClock struct{}

func (panickyClock) Arrival(int, int, time.Time) time.Time { panic("the schedule broke") }
func (panickyClock) Sent(int, time.Time)                   {}

// A panic in a session's faults ends that session alone, as a drop of both
// legs, logged and counted; the proxy and its other sessions go on, and
// every file is finished.
func TestLiveFaultPanicDropsItsSessionOnly(t *testing.T) {
	real := newLinkClock
	var first sync.Once
	newLinkClock = func(l fault.Link, start time.Time) linkClock {
		c := real(l, start)
		first.Do(func() { c = panickyClock{} })
		return c
	}
	t.Cleanup(func() { newLinkClock = real }) // after the proxy's own cleanup
	up := upstream(t, nil, echo(nil))
	faults := &Faults{}
	faults.Set(&fault.Link{Latency: time.Millisecond}, nil)
	log := &nettest.Buffer{}
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults, p.Logger = faults, newTestLogger(log) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	broken := dial(t, ts, "/first", nil)
	broken.Write(ctx, websocket.MessageText, []byte("hello"))
	if _, data, err := broken.Read(ctx); websocket.CloseStatus(err) != -1 || err == nil {
		t.Fatalf("the session whose faults failed got %q, %v; want a drop", data, err)
	}
	other := dial(t, ts, "/second", nil)
	other.Write(ctx, websocket.MessageText, []byte("still here"))
	if _, data, err := other.Read(ctx); err != nil || string(data) != "still here" {
		t.Fatalf("another session got %q, %v; want its echo", data, err)
	}
	other.Close(websocket.StatusNormalClosure, "")
	stopProxy(t, p, ts, sink)

	if st := p.Stats(); st.FaultErrors != 1 || st.Ended["drop"] != 1 {
		t.Errorf("FaultErrors %d, Ended %v; want 1 and one drop", st.FaultErrors, st.Ended)
	}
	if !strings.Contains(log.String(), "faults failed on this session") {
		t.Errorf("the failure is not logged: %s", log)
	}
	recs, names := readRecordings(t, dir)
	if len(recs) != 2 {
		t.Fatalf("got %d sessions in %v, want 2", len(recs), names)
	}
	for _, evs := range recs {
		end := evs[len(evs)-1]
		if evs[0].URL == "/first" && (end.Type != format.TypeClose || end.By != format.ByProxy || end.Clean) {
			t.Errorf("the failed session ended %+v; want a drop by the proxy", end)
		}
	}
}

// newTestLogger logs text records into w.
func newTestLogger(w *nettest.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// memSink keeps every line; a Sink that does not redact itself.
type memSink struct {
	mu  sync.Mutex
	evs []*format.Event
}

func (s *memSink) Add(e *format.Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, e)
	return true
}

func (s *memSink) events() []*format.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*format.Event(nil), s.evs...)
}

// Every recorded payload goes through redaction, whatever fault acted on
// it: a corrupted message is recorded as the corruption of its redacted
// text (the client gets the corruption of the real one), duplicated,
// delayed and reordered messages as redacted; with a Sink that redacts
// later (FileSink) and with one that does not.
func TestLiveFaultsRecordRedacted(t *testing.T) {
	msgs := []string{
		`{"password":"hunter2","type":"login","pad":"................................"}`,
		`{"password":"hunter2","type":"dup"}`,
		`{"password":"hunter2","type":"swap"}`,
		`{"password":"hunter2","type":"plain"}`,
		`{"password":"hunter2","type":"late"}`,
	}
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		for _, m := range msgs {
			c.Write(context.Background(), websocket.MessageText, []byte(m))
		}
		c.Read(context.Background())
	})
	faults := &Faults{}
	faults.Set(nil, mustRules(t, "corrupt:$.type==login", "duplicate:$.type==dup", "reorder:$.type==swap", "delay=50ms:$.type==late"))
	red := Redaction{JSONFields: []string{"password"}}
	redacted, _ := red.Message([]byte(msgs[0]))
	wantLine := string(fault.CorruptData(redacted, true))
	wantClient := string(fault.CorruptData([]byte(msgs[0]), true))
	if !strings.Contains(wantClient, "hunter2") {
		t.Fatalf("the test's corrupted message %q lost the secret: it shows nothing", wantClient)
	}
	for _, kind := range []string{"FileSink", "plain Sink"} {
		t.Run(kind, func(t *testing.T) {
			var lines func() []*format.Event
			var ts *httptest.Server
			if kind == "FileSink" {
				p, srv, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults, p.Redaction = faults, red })
				ts = srv
				lines = func() []*format.Event { stopProxy(t, p, ts, sink); return onlySession(t, dir) }
			} else {
				sink := &memSink{}
				u, _ := url.Parse(wsURL(up))
				p := &Proxy{Upstream: u, Sink: sink, Faults: faults, Redaction: red}
				ts = httptest.NewServer(p)
				t.Cleanup(ts.Close)
				lines = func() []*format.Event {
					if err := p.Shutdown(t.Context()); err != nil {
						t.Fatal(err)
					}
					return sink.events()
				}
			}
			c := dial(t, ts, "/", nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var got []string
			for range 6 { // the duplicate twice
				_, data, err := c.Read(ctx)
				if err != nil {
					t.Fatalf("after %q: %v", got, err)
				}
				got = append(got, string(data))
			}
			if got[0] != wantClient {
				t.Errorf("the client got %q first, want the corruption of the real message %q", got[0], wantClient)
			}
			c.Close(websocket.StatusNormalClosure, "")
			var recorded []string
			for _, e := range lines() {
				if e.Type != format.TypeMessage {
					continue
				}
				recorded = append(recorded, string(e.Data))
				if bytes.Contains(e.Data, []byte("hunter2")) {
					t.Errorf("recorded %s: the secret passed redaction", e.Data)
				}
			}
			if len(recorded) != 6 || recorded[0] != wantLine {
				t.Errorf("recorded %q; want 6 messages, the first %q", recorded, wantLine)
			}
		})
	}
}

// Shutdown does not wait for what faults hold: the session closes with
// 1001 at once, its file is finished, and the messages the client never
// got are not recorded.
func TestLiveFaultsShutdownDropsPending(t *testing.T) {
	for _, tt := range []struct {
		name  string
		link  *fault.Link
		rules []string
	}{
		{"delay", nil, []string{"delay=1h"}},
		{"latency", &fault.Link{Latency: time.Hour}, nil},
		{"bandwidth", &fault.Link{Bandwidth: 1}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
				c.Write(context.Background(), websocket.MessageText, []byte("held"))
				c.Read(context.Background())
			})
			faults := &Faults{}
			faults.Set(tt.link, mustRules(t, tt.rules...))
			p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
			c := dial(t, ts, "/", nil)
			nettest.WaitFor(t, "the proxy to read the message", func() bool { return p.Stats().Messages["receive"] == 1 })
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := p.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v; want it not to wait for what faults hold", err)
			}
			_, data, err := c.Read(ctx)
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("the client got %q, %v; want 1001", data, err)
			}
			stopProxy(t, p, ts, sink)
			_, names := readRecordings(t, dir)
			for _, n := range names {
				if strings.HasSuffix(n, ".partial") {
					t.Errorf("%s left unfinished", n)
				}
			}
			evs := onlySession(t, dir)
			for _, e := range evs {
				if e.Type == format.TypeMessage {
					t.Errorf("recorded %q, which the client never got", e.Data)
				}
			}
			if end := evs[len(evs)-1]; end.Type != format.TypeClose || end.Code != 1001 || end.By != format.ByProxy {
				t.Errorf("ended %+v, want the proxy's 1001", end)
			}
		})
	}
}

// A client gone while faults hold messages for it ends its session at
// once; what it never got is not recorded.
func TestLiveFaultsClientGoneDropsPending(t *testing.T) {
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		c.Write(context.Background(), websocket.MessageText, []byte("held"))
		c.Read(context.Background())
	})
	faults := &Faults{}
	faults.Set(nil, mustRules(t, "delay=1h"))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
	c := dial(t, ts, "/", nil)
	nettest.WaitFor(t, "the proxy to read the message", func() bool { return p.Stats().Messages["receive"] == 1 })
	c.CloseNow()
	nettest.WaitFor(t, "the session to end", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	for _, e := range evs {
		if e.Type == format.TypeMessage {
			t.Errorf("recorded %q, which the client never got", e.Data)
		}
	}
	if end := evs[len(evs)-1]; end.Type != format.TypeClose || end.By != format.ByClient || end.Clean {
		t.Errorf("ended %+v, want the client's drop", end)
	}
}

// faultSession returns a session whose client leg is one end of a pipe
// (the other is read and thrown away until the test ends), with faults.
func faultSession(t *testing.T, link *fault.Link, rules []*fault.Rule) (*session, *atomic.Int64) {
	near, far := net.Pipe()
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, err := far.Read(buf)
			got.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		near.Close()
		far.Close()
		<-done
	})
	s := &session{p: &Proxy{}, id: "s", start: time.Now(), log: newTestLogger(&nettest.Buffer{}),
		faults: &faultPlan{link: link, rules: rules, path: "/"}}
	s.client = &leg{conn: near}
	s.upstream = &leg{conn: nopConn{}}
	return s, &got
}

// abandon ends the writer at once, whenever its messages are due: no
// time passes, and nothing reaches the client.
func TestFaultOutAbandon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, got := faultSession(t, &fault.Link{Latency: time.Hour}, nil)
		o := s.newFaultOut()
		o.put(opText, []byte("held"))
		synctest.Wait()
		start := time.Now()
		o.abandon()
		o.finish()
		if d := time.Since(start); d != 0 {
			t.Errorf("finish returned after %v, want at once", d)
		}
		if n := got.Load(); n != 0 {
			t.Errorf("the client got %d bytes, want none", n)
		}
	})
}

// A bandwidth holds the pump, and so the upstream, once faultOutBytes wait
// for the link: each message the link carries lets one more in.
func TestFaultOutBandwidthHoldsThePump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := faultSession(t, &fault.Link{Bandwidth: 1000}, nil)
		o := s.newFaultOut()
		const size = 64 << 10
		var handed atomic.Int64
		pump := make(chan struct{})
		go func() {
			defer close(pump)
			for range 200 {
				o.put(opBinary, make([]byte, size))
				handed.Add(1)
			}
		}()
		synctest.Wait()
		if n, want := handed.Load(), int64(faultOutBytes/size); n != want {
			t.Errorf("%d messages handed over at once, want %d (faultOutBytes)", n, want)
		}
		time.Sleep(size * time.Second / 1000) // the first one's time on the link
		synctest.Wait()
		if n, want := handed.Load(), int64(faultOutBytes/size)+1; n != want {
			t.Errorf("%d messages handed over once the first went, want %d", n, want)
		}
		o.abandon()
		<-pump // put returns once the writer is gone
		o.finish()
	})
}

// With a bandwidth far below what the upstream sends, the upstream is held
// up (back-pressure), as a slow link holds it: the proxy's memory does not
// grow with what it sends.
func TestLiveFaultsBandwidthBackpressure(t *testing.T) {
	var flooded atomic.Int64
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		ctx := c.CloseRead(context.Background())
		msg := bytes.Repeat([]byte("x"), 64<<10)
		for c.Write(ctx, websocket.MessageBinary, msg) == nil {
			flooded.Add(int64(len(msg)))
		}
	})
	faults := &Faults{}
	faults.Set(&fault.Link{Bandwidth: 1024}, nil)
	p, ts, sink, _ := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
	c := dial(t, ts, "/flood", nil)
	go func() { // reads what the link lets through
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	const tooMuch = 64 << 20
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		before := flooded.Load()
		time.Sleep(time.Second)
		if now := flooded.Load(); now > tooMuch || (now == before && now > 0) {
			break
		}
	}
	if n := flooded.Load(); n > 32<<20 || n == 0 {
		t.Errorf("the upstream wrote %d MiB through a 1 KiB/s link; want it held up after about faultOutBytes (8 MiB) and the sockets' buffers", n>>20)
	}
	stopProxy(t, p, ts, sink)
}
