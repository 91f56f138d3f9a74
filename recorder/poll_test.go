package recorder

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// Each poller's exchanges on a --poll path are one session, in order: the
// request (method, URL with its cache-buster, body) and the response
// (status, headers, body), redacted; a second client (another User-Agent)
// is another poller; an idle poller's session ends.
func TestPollRecorded(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seq", r.URL.Query().Get("since"))
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusAccepted)
			w.Write(body)
			return
		}
		if r.URL.Query().Get("since") == "2" {
			time.Sleep(50 * time.Millisecond) // nothing new: an empty answer after a hold
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Write([]byte(`[{"n":` + r.URL.Query().Get("since") + `}]`))
	}))
	defer up.Close()
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) {
		p.Poll = []string{"/api/poll*"}
		p.PollIdle = 100 * time.Millisecond
		p.Redaction.JSONFields = []string{"password"}
	})
	do := func(ua, method, path, body string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("User-Agent", ua)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do("A", "GET", "/api/poll?since=1&_=111", "")
	do("B", "GET", "/api/poll?since=9", "")
	do("A", "POST", "/api/poll/send", `{"password":"pw","text":"hi"}`)
	do("A", "GET", "/api/poll?since=2&_=112", "")
	do("A", "GET", "/other", "") // not a --poll path
	nettest.WaitFor(t, "the pollers to end", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)

	recs, _ := readRecordings(t, dir)
	if len(recs) != 2 {
		t.Fatalf("got %d sessions, want 2 (one per poller)", len(recs))
	}
	var a []*format.Event
	for _, evs := range recs {
		if len(evs) > 4 {
			a = evs
		}
	}
	want := []string{
		"session poll /api/poll?since=1&_=111",
		"send GET /api/poll?since=1&_=111 ",
		`receive 200 [{"n":1}]`,
		"send POST /api/poll/send " + `{"password":"[redacted]","text":"hi"}`,
		`receive 202 {"password":"[redacted]","text":"hi"}`,
		"send GET /api/poll?since=2&_=112 ",
		"receive 204 ",
		"close client 1000 poller idle",
	}
	var got []string
	for _, e := range a {
		switch e.Type {
		case format.TypeSession:
			got = append(got, "session "+e.Kind.String()+" "+e.URL)
		case format.TypeMessage:
			if e.Dir == format.Send {
				got = append(got, "send "+e.HTTP.Method+" "+e.HTTP.URL+" "+string(e.Data))
			} else {
				got = append(got, "receive "+strconv.Itoa(e.HTTP.Status)+" "+string(e.Data))
			}
		case format.TypeClose:
			got = append(got, "close "+e.By+" "+strconv.Itoa(e.Code)+" "+e.Reason)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("poller A's session:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(a) == 8 {
		if h := a[2].HTTP.Headers; h["Content-Type"][0] != "application/json" || h["X-Seq"][0] != "1" {
			t.Errorf("response headers %v", h)
		}
		if hold := a[6].Time.Sub(a[5].Time); hold < 50*time.Millisecond {
			t.Errorf("the held response is recorded %v after its request, want 50ms or more", hold)
		}
	}
}

// Two requests of one address and browser at the same time come from two
// pollers (two tabs): two sessions. Shutdown ends a poller's session once
// its request in flight has its answer, recorded before the close line.
func TestPollConcurrentAndShutdown(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("hold") != "" {
			<-release
		}
		w.Write([]byte("[]"))
	}))
	defer up.Close()
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Poll = []string{"/poll"} })
	done := make(chan error, 2)
	get := func(q string) {
		req, _ := http.NewRequest("GET", ts.URL+"/poll?"+q, nil)
		req.Header.Set("Authorization", "Bearer x")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}
	go get("hold=1")
	nettest.WaitFor(t, "the first poller", func() bool { return p.Stats().Open == 1 })
	go get("hold=2")
	nettest.WaitFor(t, "the second poller", func() bool { return p.Stats().Open == 2 })
	shut := make(chan error, 1)
	go func() { shut <- p.Shutdown(t.Context()) }()
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	if len(recs) != 2 {
		t.Fatalf("got %d sessions, want 2", len(recs))
	}
	for id, evs := range recs {
		if len(evs) != 4 || evs[1].HTTP.Headers["Authorization"][0] != Redacted || string(evs[2].Data) != "[]" ||
			evs[3].Type != format.TypeClose || evs[3].By != format.ByProxy || evs[3].Code != 1001 {
			t.Errorf("session %s: %d lines %+v", id, len(evs), evs)
		}
	}
}

// A response in a Content-Encoding is recorded decoded, so that
// --redact-json reaches it, and without the encoding's headers; an event
// stream in one is relayed unrecorded and counted.
func TestEncodedBodies(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/event-stream")
			zw.Write([]byte("data: {\"password\":\"pw\"}\n\n"))
		} else {
			w.Header().Set("Content-Type", "application/json")
			zw.Write([]byte(`{"password":"pw","n":1}`))
		}
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(buf.Bytes())
	}))
	defer up.Close()
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) {
		p.Poll = []string{"/poll"}
		p.PollIdle = 50 * time.Millisecond
		p.Redaction.JSONFields = []string{"password"}
	})
	for _, path := range []string{"/poll", "/events"} {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip") // the client takes gzip itself: the proxy passes it on
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	nettest.WaitFor(t, "the poller to end", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)
	if n := p.Stats().Unrecorded["encoded_stream"]; n != 1 {
		t.Errorf("unrecorded encoded streams: %d, want 1", n)
	}
	recs, _ := readRecordings(t, dir)
	if len(recs) != 1 {
		t.Fatalf("got %d sessions, want the poller's only", len(recs))
	}
	for _, evs := range recs {
		for _, e := range evs {
			if e.Type == format.TypeMessage && e.Dir == format.Receive {
				if string(e.Data) != `{"password":"[redacted]","n":1}` || e.HTTP.Headers["Content-Encoding"] != nil {
					t.Errorf("response recorded as %q with headers %v: want it decoded and redacted", e.Data, e.HTTP.Headers)
				}
			}
		}
	}
}
