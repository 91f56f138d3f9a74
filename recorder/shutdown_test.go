package recorder

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// closedSink keeps the lines it is given, and counts those given after
// closed: a Sink the caller closes once Proxy.Shutdown has returned.
type closedSink struct {
	mu     sync.Mutex
	closed bool
	late   []*format.Event
}

func (s *closedSink) Add(e *format.Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.late = append(s.late, e)
	}
	return true
}

func (s *closedSink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

func (s *closedSink) lateLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.late {
		out = append(out, string(e.Type)+" "+string(e.Data))
	}
	return out
}

// eioOpen is heldEngineIO's open packet.
const eioOpen = `0{"sid":"S1","upgrades":[],"pingInterval":30000,"pingTimeout":20000}`

// heldEngineIO is an Engine.IO server of one sid, "S1", that calls
// handshake before it answers the handshake (eioOpen), and poll before it
// answers a GET with the sid ("6"); POSTs get "ok".
func heldEngineIO(t *testing.T, handshake, poll func()) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			io.Copy(io.Discard, r.Body)
			io.WriteString(w, "ok")
		case r.URL.Query().Get("sid") == "":
			handshake()
			io.WriteString(w, eioOpen)
		default:
			poll()
			io.WriteString(w, "6")
		}
	}))
	t.Cleanup(up.Close)
	return up
}

// closedProxy returns a proxy in front of up, recording into a closedSink,
// already shut down, with the sink closed as a caller closes it then.
func closedProxy(t *testing.T, up *httptest.Server, configure func(*Proxy)) (*httptest.Server, *closedSink) {
	t.Helper()
	sink := &closedSink{}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	if configure != nil {
		configure(p)
	}
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	sink.close()
	return ts, sink
}

// Once Shutdown has returned, no session starts, and no line reaches the
// Sink, which its owner may have closed: an event stream or a poll that
// begins then is relayed unrecorded. (Before, each was registered in a
// WaitGroup that Shutdown may have been waiting on, or had waited on
// already: the Add after Wait that commit 60c430f fixed for WebSockets.)
func TestNoSessionAfterShutdown(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: 1\n\n")
			return
		}
		io.WriteString(w, "[]")
	}))
	t.Cleanup(up.Close)
	for _, path := range []string{"/events", "/poll"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			ts, sink := closedProxy(t, up, func(p *Proxy) { p.Poll = []string{"/poll"} })
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ts.Close() // waits for the request's handler
			if late := sink.lateLines(); len(late) > 0 {
				t.Errorf("lines after Shutdown returned: %q", late)
			}
		})
	}
}

// An Engine.IO handshake under way while Shutdown runs is answered, but
// its session is not recorded: Shutdown has ended the Engine.IO sessions
// it knew, and would not end this one, whose polling would then start a
// recording goroutine Shutdown may be waiting for (Add after Wait).
func TestEngineIOHandshakeAcrossShutdown(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	up := heldEngineIO(t, func() { close(arrived); <-release }, func() {})
	sink := &closedSink{}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	handshake := make(chan string, 1)
	go func() { handshake <- httpDo(t, "GET", ts.URL+"/socket.io/?EIO=4&transport=polling", "") }()
	<-arrived
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	sink.close()
	close(release)
	if got := <-handshake; got != eioOpen {
		t.Fatalf("handshake answered %q, want %q", got, eioOpen)
	}
	if got := httpDo(t, "POST", ts.URL+"/socket.io/?EIO=4&transport=polling&sid=S1", `42["x"]`); got != "ok" {
		t.Fatalf("POST answered %q", got)
	}
	ts.Close()
	nettest.WaitFor(t, "recording goroutines", func() bool { return p.recorders.Load() == 0 })
	if late := sink.lateLines(); len(late) > 0 {
		t.Errorf("lines after Shutdown returned: %q", late)
	}
}

// stuckSink takes every line, but keeps a close line waiting for room
// (AddWait) until release is closed, as a full queue would for up to
// closeLineWait; entered is closed when one waits.
type stuckSink struct {
	entered, release chan struct{}
	once             sync.Once
}

func (s *stuckSink) Add(*format.Event) bool { return true }

func (s *stuckSink) AddWait(_ context.Context, _ *format.Event) bool {
	s.once.Do(func() { close(s.entered) })
	<-s.release
	return true
}

// The close line of an Engine.IO session may wait for room in a full
// queue, but the traffic never waits for it: a long-poll of the sid that
// ends while the close packet's line waits is answered at once. (Before,
// the line was written holding the session's mutex, which every polling
// request of the sid takes as it ends.)
func TestEngineIOCloseLineWaitsOffRelay(t *testing.T) {
	held := make(chan struct{})
	var heldOnce sync.Once
	answer := func() { heldOnce.Do(func() { close(held) }) }
	up := heldEngineIO(t, func() {}, func() { <-held })
	sink := &stuckSink{entered: make(chan struct{}), release: make(chan struct{})}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	t.Cleanup(func() {
		close(sink.release)
		answer()
		ts.Close()
		p.Shutdown(context.Background())
	})
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	httpDo(t, "GET", base, "")
	poll := make(chan string, 1)
	go func() { poll <- httpDo(t, "GET", base+"&sid=S1", "") }()
	nettest.WaitFor(t, "the long-poll", func() bool { return p.Stats().Open == 0 && p.eio.get("S1") != nil && busy(p.eio.get("S1")) })
	within(t, "the POST of the close packet", func() { httpDo(t, "POST", base+"&sid=S1", "1") })
	<-sink.entered
	answer()
	within(t, "the long-poll", func() {
		if got := <-poll; got != "6" {
			t.Errorf("long-poll answered %q, want 6", got)
		}
	})
}

// within runs f, and fails the test if it has not returned in 10 seconds:
// it waits for a close line that waits until the test ends.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s is not answered while the close line waits for room", what)
	}
}

func busy(es *eioSession) bool {
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.busy > 0
}
