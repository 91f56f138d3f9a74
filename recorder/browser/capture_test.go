package browser

import (
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// lines is a recorder.Sink that keeps every line.
type lines struct {
	mu  sync.Mutex
	all []*format.Event
}

func (l *lines) Add(e *format.Event) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, e)
	return true
}

func (l *lines) closes() []format.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []format.Event
	for _, e := range l.all {
		if e.Type == format.TypeClose {
			out = append(out, *e)
		}
	}
	return out
}

// newTestRecorder is a Recorder as Run sets it up, without a browser.
func newTestRecorder(sink recorder.Sink) *Recorder {
	r := &Recorder{Sink: sink, Logger: slog.New(slog.DiscardHandler)}
	r.reset()
	return r
}

// openSocket opens a socket to u as socketOpened does, its own session.
func openSocket(t *testing.T, r *Recorder, u string) *socket {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	so := &socket{u: pu}
	so.rec = r.open(&format.Event{Time: time.Unix(100, 0), URL: pu.Path})
	return so
}

func report(t *testing.T, rep string) *runtime.EventBindingCalled {
	return &runtime.EventBindingCalled{Name: closeBinding, Payload: rep}
}

// A socket's ending comes from its page's report of the close event,
// whichever of the report and the network's end comes first; reports and
// sockets of one URL pair in order; a socket with no report is the drop
// the network saw, after closeInfoWait.
func TestCloseReports(t *testing.T) {
	at := time.Unix(200, 0)
	main := `{"url":"ws://h/ws","code":4001,"reason":"bye","clean":true,"client":false}`
	byClient := `{"url":"ws://h/ws","code":1000,"reason":"","clean":true,"client":true}`
	dropped := `{"url":"ws://h/ws","code":1006,"reason":"","clean":false,"client":false}`
	cases := []struct {
		name   string
		steps  func(r *Recorder, a, b *socket)
		expire time.Duration
		want   []format.Event
	}{
		{"report first", func(r *Recorder, a, _ *socket) {
			r.closeReported("s", report(t, main))
			r.closeNetwork("s", a, at)
		}, 0, []format.Event{{By: format.ByServer, Code: 4001, Reason: "bye", Clean: true}}},
		{"network first", func(r *Recorder, a, _ *socket) {
			r.closeNetwork("s", a, at)
			r.closeReported("s", report(t, byClient))
		}, 0, []format.Event{{By: format.ByClient, Code: 1000, Clean: true}}},
		{"a drop", func(r *Recorder, a, _ *socket) {
			r.closeNetwork("s", a, at)
			r.closeReported("s", report(t, dropped))
		}, 0, []format.Event{{By: format.ByServer, Code: format.CodeAbnormal}}},
		{"in order", func(r *Recorder, a, b *socket) {
			r.closeNetwork("s", a, at)
			r.closeNetwork("s", b, at)
			r.closeReported("s", report(t, main))
			r.closeReported("s", report(t, byClient))
		}, 0, []format.Event{{By: format.ByServer, Code: 4001, Reason: "bye", Clean: true}, {By: format.ByClient, Code: 1000, Clean: true}}},
		{"another target's report", func(r *Recorder, a, _ *socket) {
			r.closeNetwork("s", a, at)
			r.closeReported("other", report(t, main))
		}, 0, nil},
		{"no report", func(r *Recorder, a, _ *socket) {
			r.closeNetwork("s", a, at)
		}, closeInfoWait, []format.Event{{By: format.ByServer, Code: format.CodeAbnormal}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sink := &lines{}
			r := newTestRecorder(sink)
			a, b := openSocket(t, r, "ws://h/ws"), openSocket(t, r, "ws://h/ws")
			c.steps(r, a, b)
			if c.expire > 0 {
				r.closeExpired(at.Add(c.expire/2), false)
				if n := len(sink.closes()); n != 0 {
					t.Fatalf("%d close lines before closeInfoWait", n)
				}
				r.closeExpired(at.Add(c.expire), false)
			}
			got := sink.closes()
			if len(got) != len(c.want) {
				t.Fatalf("close lines %+v, want %+v", got, c.want)
			}
			for i, w := range c.want {
				g := got[i]
				if g.By != w.By || g.Code != w.Code || g.Reason != w.Reason || g.Clean != w.Clean || !g.Time.Equal(at) {
					t.Errorf("close line %d: %+v, want %+v at %v", i, g, w, at)
				}
			}
		})
	}
}

// Close frames, for a browser that reports them: the code and reason of
// RFC 6455 section 5.5.1, by the side that sent it; none: 1005.
func TestCloseLine(t *testing.T) {
	cases := []struct {
		name string
		dir  format.Dir
		p    []byte
		want format.Event
	}{
		{"server 4001", format.Receive, append([]byte{0x0f, 0xa1}, "bye"...), format.Event{By: format.ByServer, Code: 4001, Reason: "bye", Clean: true}},
		{"client no code", format.Send, nil, format.Event{By: format.ByClient, Code: 1005, Clean: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := closeLine(c.dir, c.p); got.By != c.want.By || got.Code != c.want.Code || got.Reason != c.want.Reason || got.Clean != c.want.Clean {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// The browser's timestamps become wall time from one pairing: offsets
// between them are kept exactly, whatever the wall clock does later.
func TestClock(t *testing.T) {
	var c clock
	c.pair(1000.5, 1.7e9)
	c.pair(1001, 1.8e9) // paired once
	want := time.Unix(1.7e9, 0).UTC()
	if got := c.at(1000.5); !got.Equal(want) {
		t.Errorf("at(pairing) = %v, want %v", got, want)
	}
	if got := c.at(1002.75).Sub(c.at(1000.5)); got != 2250*time.Millisecond {
		t.Errorf("elapsed = %v, want 2.25s", got)
	}
}

// An EventSource's events: DevTools gives the last event id, which an
// event without an id field keeps; the line has an id only when it is the
// event's own; "message" is the default type, recorded as none.
func TestEventSourceIDs(t *testing.T) {
	sink := &lines{}
	r := newTestRecorder(sink)
	x := &exchange{kind: kindSSE, stream: r.open(&format.Event{Time: time.Unix(100, 0), Kind: format.KindSSE})}
	r.xs[reqKey{"s", "1"}] = x
	for _, ev := range []network.EventEventSourceMessageReceived{
		{RequestID: "1", Timestamp: cdp.MonotonicTime(1), EventName: "message", EventID: "1", Data: "a"},
		{RequestID: "1", Timestamp: cdp.MonotonicTime(2), EventName: "price", EventID: "1", Data: "b"},
		{RequestID: "1", Timestamp: cdp.MonotonicTime(3), EventName: "message", EventID: "2", Data: "c"},
	} {
		r.eventSourceMessage("s", &ev)
	}
	want := []format.SSE{{ID: "1", HasID: true}, {ID: "1", Event: "price"}, {ID: "2", HasID: true}}
	var got []format.SSE
	for _, e := range sink.all {
		if e.SSE != nil {
			got = append(got, *e.SSE)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// DevTools joins a header's values with newlines.
func TestHTTPHeader(t *testing.T) {
	h := httpHeader(network.Headers{"set-cookie": "a=1\nb=2", "x-n": 3.0})
	if got := h["Set-Cookie"]; len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
		t.Errorf("Set-Cookie = %q", got)
	}
	if _, ok := h["X-N"]; ok {
		t.Error("a value that is not a string was kept")
	}
}
