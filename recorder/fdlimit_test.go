package recorder

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/wsreplay/wsreplay/internal/nettest"
)

// TestMaxOpenFiles: past QueueOptions.MaxOpenFiles session files open at
// once, a new poller's session is relayed unrecorded and counted, and
// the traffic is not affected (20,800 pollers with distinct
// User-Agents held 19,999 of 20,000 descriptors, and a WebSocket got 502).
func TestMaxOpenFiles(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer up.Close()
	dir := t.TempDir()
	sink, err := NewDirSink(dir, &QueueOptions{MaxOpenFiles: 3})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink, Poll: []string{"/poll"}}
	ts := httptest.NewServer(p)
	for i := range 6 {
		req, _ := http.NewRequest("GET", ts.URL+"/poll", nil)
		req.Header.Set("User-Agent", string(rune('a'+i)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("poller %d got %d, want 200", i, resp.StatusCode)
		}
	}
	nettest.WaitFor(t, "the sink to take the sessions", func() bool { return sink.Stats().QueueLines == 0 })
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	if len(recs) != 3 {
		t.Errorf("recorded %d sessions, want 3", len(recs))
	}
	if got := sink.Stats().FilesOverLimit; got != 3 {
		t.Errorf("counted %d sessions over the limit, want 3", got)
	}
}
