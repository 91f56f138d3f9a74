package recorder

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// countingEngineIO is an Engine.IO server of one sid, "S1", that answers
// each POST with the number of body bytes it got, and a GET to /big (any
// query) with n bytes of HTML, or of text starting with "<" for
// /big?plain.
func countingEngineIO(tb testing.TB, n int) *httptest.Server {
	open := `0{"sid":"S1","upgrades":[],"pingInterval":30000,"pingTimeout":20000}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/big":
			w.Header().Set("Content-Type", "text/html")
			if r.URL.Query().Has("plain") {
				w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			}
			io.WriteString(w, "<"+strings.Repeat("x", n-1))
		case r.Method == http.MethodPost:
			k, _ := io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, k)
		case r.URL.Query().Get("sid") == "":
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			io.WriteString(w, open)
		default:
			io.WriteString(w, "6")
		}
	}))
	tb.Cleanup(ts.Close)
	return ts
}

// slowSink takes a millisecond over each polling line while slow is set,
// and keeps the lines.
type slowSink struct {
	slow atomic.Bool
	mu   sync.Mutex
	evs  []*format.Event
}

func (s *slowSink) Add(e *format.Event) bool {
	if e.Transport == "polling" && e.Dir == format.Send && s.slow.Load() {
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evs = append(s.evs, e)
	return true
}

func (s *slowSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.evs)
}

// TestEngineIORecordingOffRelayPath: a polling POST is answered before
// the packets of its body are recorded, so that splitting a body never
// delays it (a 64 MiB body of separators held the request 55 s and got
// 502). Here the 20,000 packets take the sink 20 s or more.
func TestEngineIORecordingOffRelayPath(t *testing.T) {
	up := countingEngineIO(t, 0)
	sink := &slowSink{}
	sink.slow.Store(true)
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	defer ts.Close()
	base := ts.URL + "/socket.io/?EIO=4&transport=polling"
	httpDo(t, "GET", base, "")
	const packets = 20000
	body := strings.Repeat("6\x1e", packets-1) + "6"
	httpDo(t, "POST", base+"&sid=S1", body)
	recorded := sink.count() - 2 // the session line and the open packet
	sink.slow.Store(false)
	if err := p.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if recorded >= packets {
		t.Errorf("the POST was answered once its %d packets were recorded, want before", recorded)
	}
	if got := sink.count() - 3; got != packets { // and the close line
		t.Errorf("recorded %d packets, want %d", got, packets)
	}
}

// TestEngineIOPollBodies: a polling body is relayed whole whatever
// becomes of its recording; separators alone record nothing (an empty
// packet ends the payload, as engine.io-parser says), a body past the
// memory budget is counted as lost, and the budget is given back.
func TestEngineIOPollBodies(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		want     []string // the recorded packets of the body
		lostMore bool     // the close line counts lost lines
	}{
		{"separators", strings.Repeat("\x1e", 1<<20), nil, true},
		{"empty packet", "2\x1e\x1e3", []string{"2"}, true},
		{"past the budget", `42["` + strings.Repeat("a", 1<<20) + `"]`, nil, true},
		{"within the budget", `42["a"]` + "\x1e3", []string{`42["a"]`, "3"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := countingEngineIO(t, 0)
			p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.PartialBudget = 256 << 10 })
			base := ts.URL + "/socket.io/?EIO=4&transport=polling"
			httpDo(t, "GET", base, "")
			if got := httpDo(t, "POST", base+"&sid=S1", tt.body); got != fmt.Sprint(len(tt.body)) {
				t.Errorf("upstream got %s bytes, want %d", got, len(tt.body))
			}
			stopProxy(t, p, ts, sink)
			if n := p.partial.Load(); n != 0 {
				t.Errorf("%d bytes of the budget still taken", n)
			}
			evs := onlySession(t, dir)
			var got []string
			for _, e := range evs[2 : len(evs)-1] { // after the session line and the open packet
				got = append(got, string(e.Data))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("recorded %q, want %q", got, tt.want)
			}
			if lost := evs[len(evs)-1].Lost; (lost > 0) != tt.lostMore {
				t.Errorf("close line counts %d lost, want lost: %v", lost, tt.lostMore)
			}
		})
	}
}

// TestEngineIONotAPayload: a response to a URL with EIO= and transport=
// that is not an Engine.IO payload (HTML; text that begins with no packet
// type) is relayed whole and not recorded, and counted; no copy of it is
// kept (16 such 60 MB downloads took the recorder to 1.6 GB).
func TestEngineIONotAPayload(t *testing.T) {
	const n = 4 << 20
	up := countingEngineIO(t, n)
	p, ts, sink, dir := proxyFor(t, up, nil)
	for _, q := range []string{"?EIO=4&transport=polling", "?EIO=4&transport=polling&plain"} {
		if got := httpDo(t, "GET", ts.URL+"/big"+q, ""); len(got) != n {
			t.Errorf("%s: relayed %d bytes, want %d", q, len(got), n)
		}
	}
	stopProxy(t, p, ts, sink)
	if recs, names := readRecordings(t, dir); len(recs) != 0 {
		t.Errorf("recorded %v, want nothing", names)
	}
	if got := p.Stats().Unrecorded["not_engineio"]; got != 2 {
		t.Errorf("counted %d responses as not Engine.IO, want 2", got)
	}
	if n := p.partial.Load(); n != 0 {
		t.Errorf("%d bytes of the budget still taken", n)
	}
}
