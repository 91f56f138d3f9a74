package driver

import (
	"context"
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
	"github.com/wsreplay/wsreplay/recorder"
)

// memSink keeps what a recorder.Proxy records.
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

func (s *memSink) AddWait(_ context.Context, e *format.Event) bool { return s.Add(e) }

// httpApp serves an event stream of three events at /events and a poll
// at /poll (a counter per request, a POST's body echoed); changed alters
// the second event and the POST's answer.
type httpApp struct {
	changed atomic.Bool
	polls   atomic.Int64
}

func (a *httpApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/events":
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			data := fmt.Sprintf(`{"tick":%d}`, i)
			if i == 2 && a.changed.Load() {
				data = `{"tock":2}`
			}
			fmt.Fprintf(w, "id: %d\nevent: tick\ndata: %s\n\n", i, data)
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	case "/poll":
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost && a.changed.Load() {
			w.WriteHeader(http.StatusBadRequest)
		}
		fmt.Fprintf(w, `{"n":%d,"got":%q}`, a.polls.Add(1), body)
	}
}

// recordHTTP records the client's requests through a recorder.Proxy in
// front of app, and returns the recorded sessions. configure, if given,
// sets the Proxy up further.
func recordHTTP(t *testing.T, app http.Handler, client func(base string), configure ...func(*recorder.Proxy)) []*Script {
	t.Helper()
	up := httptest.NewServer(app)
	defer up.Close()
	upURL, _ := url.Parse("ws" + strings.TrimPrefix(up.URL, "http"))
	sink := &memSink{}
	p := &recorder.Proxy{Upstream: upURL, Sink: sink, Poll: []string{"/poll"}, PollIdle: time.Hour}
	for _, c := range configure {
		c(p)
	}
	front := httptest.NewServer(p)
	client(front.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Shutdown(ctx)
	front.Close()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	scripts, err := LoadScripts(&events{evs: sink.evs}, "recorded")
	if err != nil {
		t.Fatal(err)
	}
	return scripts
}

func get(t *testing.T, method, u, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// TestRunHTTP: an event stream and a poller, recorded through the
// recorder, driven against the same app (equal) and a changed one (the
// event and the response that changed are named).
func TestRunHTTP(t *testing.T) {
	tests := []struct {
		name   string
		client func(t *testing.T, base string)
		want   string // what the changed app's difference shows
	}{
		{name: "event stream", client: func(t *testing.T, base string) { get(t, "GET", base+"/events", "") }, want: `{"tock":2}`},
		{name: "poll", client: func(t *testing.T, base string) {
			get(t, "GET", base+"/poll?t=1", "")
			get(t, "POST", base+"/poll?t=2", "hello")
			get(t, "GET", base+"/poll?t=3", "")
		}, want: `"got":"hello"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &httpApp{}
			scripts := recordHTTP(t, rec, func(base string) { tc.client(t, base) })
			if len(scripts) != 1 {
				t.Fatalf("recorded %d sessions, want 1", len(scripts))
			}
			app := &httpApp{}
			target := newHTTPTarget(t, app)
			d := &Driver{Target: target, Speed: 100, Timeout: 2 * time.Second}
			res := d.Run(t.Context(), scripts[0])
			if !res.Same() {
				t.Fatalf("against the same app: %v %s", res.Err, hunks(res.Diff))
			}
			app.changed.Store(true)
			app.polls.Store(0)
			res = d.Run(t.Context(), scripts[0])
			if res.Err != nil || res.Same() || !strings.Contains(hunks(res.Diff), tc.want) {
				t.Errorf("against the changed app: err %v, %+v differences:\n%s\nwant one showing %s", res.Err, res.Diff, hunks(res.Diff), tc.want)
			}
		})
	}
}

func newHTTPTarget(t *testing.T, h http.Handler) *url.URL {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}
