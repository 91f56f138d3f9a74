package recorder

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// sseUpstream serves /events: the blocks of stream, each written and
// flushed after the one before has been read by the client (next), then
// ends as end says: "" returns (a clean end), "cut" breaks the connection,
// "hold" waits for the client to leave.
func sseUpstream(tb testing.TB, blocks []string, next <-chan struct{}, end string) *httptest.Server {
	tb.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Set-Cookie", "sid=secret")
		w.WriteHeader(http.StatusOK)
		for i, b := range blocks {
			if i > 0 && next != nil {
				select {
				case <-next:
				case <-r.Context().Done():
					return
				}
			}
			w.Write([]byte(b))
			w.(http.Flusher).Flush()
		}
		switch end {
		case "cut":
			panic(http.ErrAbortHandler)
		case "hold":
			<-r.Context().Done()
		}
	}))
	tb.Cleanup(ts.Close)
	return ts
}

// readEvents reads data lines from an event stream until it ends, telling
// next after each one.
func readEvents(tb testing.TB, resp *http.Response, next chan<- struct{}, n int) []string {
	tb.Helper()
	var got []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && len(got) < n {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			got = append(got, d)
			if next != nil {
				next <- struct{}{}
			}
		}
	}
	return got
}

// Each event reaches the client as it comes (the upstream sends the next
// only once the client has read one), unchanged, and is recorded with its
// fields; the server's end is a clean close by the server.
func TestSSERecorded(t *testing.T) {
	next := make(chan struct{}, 10)
	blocks := []string{"retry: 1500\n\n: keep-alive\n\n", "event: tick\nid: 1\ndata: a\ndata: b\n\n",
		"data: {\"password\":\"hunter2\",\"n\":2}\n\n"}
	up := sseUpstream(t, blocks, next, "")
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Redaction.JSONFields = []string{"password"} })
	req, _ := http.NewRequest("GET", ts.URL+"/events?token=abc", nil)
	req.Header.Set("Cookie", "sid=1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	next <- struct{}{} // the retry block has no data line
	got := readEvents(t, resp, next, 3)
	// The upstream ends its stream after the last event: read to that end,
	// and let the proxy record it, before shutting down (a shutdown first
	// is recorded as the proxy's, 1001: TestSSEEndings/shutdown).
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if want := []string{"a", "b", `{"password":"hunter2","n":2}`}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("client got %q, want %q", got, want)
	}
	nettest.WaitFor(t, "the stream's end to be recorded", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)

	evs := onlySession(t, dir)
	if len(evs) != 5 {
		t.Fatalf("got %d lines, want 5: %+v", len(evs), evs)
	}
	s := evs[0]
	if s.Kind != format.KindSSE || s.URL != "/events?token=%5Bredacted%5D" || s.RequestHeaders["Cookie"][0] != Redacted ||
		s.ResponseHeaders["Set-Cookie"][0] != Redacted {
		t.Errorf("session line: kind %q url %q headers %v %v", s.Kind, s.URL, s.RequestHeaders, s.ResponseHeaders)
	}
	wantMsgs := []struct {
		data string
		sse  format.SSE
	}{
		{"", format.SSE{Retry: 1500, NoData: true}},
		{"a\nb", format.SSE{ID: "1", HasID: true, Event: "tick"}},
		{`{"password":"[redacted]","n":2}`, format.SSE{}},
	}
	for i, w := range wantMsgs {
		e := evs[1+i]
		if e.Type != format.TypeMessage || e.Dir != format.Receive || string(e.Data) != w.data || e.SSE == nil || *e.SSE != w.sse {
			t.Errorf("message %d: got %s %q %+v, want %q %+v", i, e.Dir, e.Data, e.SSE, w.data, w.sse)
		}
	}
	if c := evs[4]; c.Type != format.TypeClose || c.By != format.ByServer || c.Code != 1000 || !c.Clean {
		t.Errorf("close line: %+v, want by server 1000 clean", c)
	}
}

// How a stream ends is recorded: cut by the upstream, left by the client,
// ended by the proxy's shutdown (which ends the client's stream too).
func TestSSEEndings(t *testing.T) {
	tests := []struct {
		name, upstreamEnd string
		act               func(resp *http.Response, p *Proxy)
		by                string
		code              int
		clean             bool
	}{
		{"cut", "cut", func(resp *http.Response, p *Proxy) { readEvents(t, resp, nil, 2) }, format.ByServer, 1006, false},
		{"client left", "hold", func(resp *http.Response, p *Proxy) { readEvents(t, resp, nil, 1); resp.Body.Close() }, format.ByClient, 1001, true},
		{"shutdown", "hold", func(resp *http.Response, p *Proxy) {
			readEvents(t, resp, nil, 1)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := p.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			readEvents(t, resp, nil, 10) // returns at the end of the stream
		}, format.ByProxy, 1001, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := sseUpstream(t, []string{"data: 1\n\n"}, nil, tt.upstreamEnd)
			p, ts, sink, dir := proxyFor(t, up, nil)
			resp, err := http.Get(ts.URL + "/events")
			if err != nil {
				t.Fatal(err)
			}
			tt.act(resp, p)
			resp.Body.Close()
			nettest.WaitFor(t, "the session to end", func() bool { return p.Stats().Open == 0 })
			stopProxy(t, p, ts, sink)
			evs := onlySession(t, dir)
			c := evs[len(evs)-1]
			if len(evs) != 3 || c.Type != format.TypeClose || c.By != tt.by || c.Code != tt.code || c.Clean != tt.clean {
				t.Errorf("got %d lines, ending %+v; want 3, by %s %d clean %v", len(evs), c, tt.by, tt.code, tt.clean)
			}
		})
	}
}

// A plain response is passed through unrecorded.
func TestPlainHTTPUnrecorded(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) }))
	defer up.Close()
	p, ts, sink, dir := proxyFor(t, up, nil)
	resp, err := http.Get(ts.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	stopProxy(t, p, ts, sink)
	if recs, _ := readRecordings(t, dir); len(recs) != 0 {
		t.Errorf("recorded %d sessions, want none", len(recs))
	}
}

// An event stream the Filter leaves out is relayed, event by event, and not
// recorded.
func TestSSEFiltered(t *testing.T) {
	up := sseUpstream(t, []string{"data: 1\n\n", "data: 2\n\n"}, nil, "")
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Filter.Paths = []string{"/live/*"} })
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	got := readEvents(t, resp, nil, 2)
	resp.Body.Close()
	stopProxy(t, p, ts, sink)
	if strings.Join(got, ",") != "1,2" {
		t.Errorf("client got %q, want 1,2", got)
	}
	if recs, _ := readRecordings(t, dir); len(recs) != 0 {
		t.Errorf("recorded %d sessions, want none", len(recs))
	}
	if n := p.Stats().Unrecorded["filter"]; n != 1 {
		t.Errorf("Stats().Unrecorded[filter] = %d, want 1", n)
	}
}

// TestSSEWithinBudget: the line of an event stream being read comes out of
// --partial-budget, as a WebSocket message does: a line larger than what
// is left is relayed whole and not recorded, the events after it are, and
// the budget is given back (8 streams of 63 MiB lines took 999 MB).
func TestSSEWithinBudget(t *testing.T) {
	big := "data: " + strings.Repeat("x", 1<<20) + "\n\n"
	up := sseUpstream(t, []string{big, "data: small\n\n"}, nil, "")
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.PartialBudget = 256 << 10 })
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 2<<20)
	var lens []int
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			lens = append(lens, len(d))
		}
	}
	resp.Body.Close()
	if len(lens) != 2 || lens[0] != 1<<20 {
		t.Errorf("client got data lines of %v bytes, want [%d 5]", lens, 1<<20)
	}
	stopProxy(t, p, ts, sink)
	var got []string
	for _, e := range onlySession(t, dir) {
		if e.Type == format.TypeMessage {
			got = append(got, string(e.Data))
		}
	}
	if strings.Join(got, ",") != "small" {
		t.Errorf("recorded %d messages (%.20q), want only \"small\"", len(got), got)
	}
	if n := p.partial.Load(); n != 0 {
		t.Errorf("%d bytes of the budget still taken", n)
	}
}
