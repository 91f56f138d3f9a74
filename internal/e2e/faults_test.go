package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// writeSession writes a session of messages to the client, one every
// every, and a clean close by the server at closeAt if it is not zero.
func writeSession(t *testing.T, dir, id, url string, every, closeAt time.Duration, msgs ...string) string {
	t.Helper()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"session","v":1,"session":%q,"time":%q,"url":%q}`+"\n", id, t0.Format(time.RFC3339Nano), url)
	for i, m := range msgs {
		at := t0.Add(time.Duration(i+1) * every)
		fmt.Fprintf(&b, `{"type":"message","session":%q,"time":%q,"dir":"receive","text":%q}`+"\n", id, at.Format(time.RFC3339Nano), m)
	}
	if closeAt > 0 {
		fmt.Fprintf(&b, `{"type":"close","session":%q,"time":%q,"by":"server","code":1000,"reason":"bye","clean":true}`+"\n", id, t0.Add(closeAt).Format(time.RFC3339Nano))
	}
	p := filepath.Join(dir, id+".ndjson")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type timedEvent struct {
	Ev       string `json:"ev"`
	Data     string `json:"data"`
	Code     int    `json:"code"`
	WasClean bool   `json:"wasClean"`
	T        int    `json:"t"`
}

// A page's reconnect logic meets a stall, then a drop: nothing arrives for
// the stall's length, then the backlog at once, then the connection drops
// (1006) and the page opens a new one, which gets the same faults.
func TestChromiumStallThenDrop(t *testing.T) {
	need(t, true)
	var msgs []string
	for i := 1; i <= 40; i++ {
		msgs = append(msgs, fmt.Sprintf("m%d", i))
	}
	feed := writeSession(t, t.TempDir(), "feed", "/feed", 100*time.Millisecond, 0, msgs...)
	_, url := start(t, wsreplayListening, wsreplayBin, "serve", "--listen", "127.0.0.1:0",
		"--stall-at", "1s:1500ms", "--drop-at", "3500ms", feed)
	var log []timedEvent
	runNode(t, &log, "faults-browser.mjs", url+"/feed", "2")
	var evs []string
	for _, e := range log {
		evs = append(evs, e.Ev)
	}
	first := slices.Index(evs[1:], "open") + 1
	if first <= 0 || evs[first-1] != "close" || log[first-1].Code != 1006 || log[first-1].WasClean {
		t.Fatalf("want a drop (1006, not clean) and a new connection; the page saw %+v", log)
	}
	conn := log[1 : first-1] // the first connection's messages
	// The stall: the longest silence between two messages, and what came
	// right after it.
	gap, after := 0, 0
	for i := 1; i < len(conn); i++ {
		if d := conn[i].T - conn[i-1].T; d > gap {
			gap, after = d, i
		}
	}
	burst := 0
	for i := after; i < len(conn) && conn[i].T-conn[after].T < 100; i++ {
		burst++
	}
	if gap < 1000 || burst < 5 {
		t.Errorf("the first connection's messages: %+v; want a silence of 1s or more, then 5 or more at once (the backlog)", conn)
	}
	for i, e := range conn {
		if e.Data != fmt.Sprintf("m%d", i+1) {
			t.Fatalf("message %d is %q: order lost or a message missing in %+v", i+1, e.Data, conn)
		}
	}
}

// A message dropped by a JSON path never reaches a Node client; the
// timeline marks its row.
func TestNodeFaultDropByJSONPath(t *testing.T) {
	need(t, true)
	news := writeSession(t, t.TempDir(), "news", "/news", 100*time.Millisecond, 600*time.Millisecond,
		`{"type":"tick","n":1}`, `{"type":"news","text":"not for you"}`, `{"type":"tick","n":2}`, `{"type":"last"}`)
	base, _ := serveOne(t, "--fault", "drop:$.type==news", news)
	ws := "ws" + strings.TrimPrefix(base, "http")
	var got wsClientResult
	runNode(t, &got, "ws-client.mjs", ws+"/news")
	var previews []string
	for _, m := range got.Messages {
		if m.Preview != nil {
			previews = append(previews, *m.Preview)
		}
	}
	if want := []string{`{"type":"tick","n":1}`, `{"type":"tick","n":2}`, `{"type":"last"}`}; !slices.Equal(previews, want) {
		t.Fatalf("the client got %q, want %q (the news dropped)", previews, want)
	}
	var marked []struct {
		Seq, Mark, Title string
	}
	runNode(t, &marked, "faults-timeline.mjs", controlOf(t, base), "news", "r1")
	if len(marked) != 1 || marked[0].Seq != "#2" || marked[0].Mark != "drop" || !strings.Contains(marked[0].Title, "drop:$.type==news") {
		t.Errorf("rows marked on the timeline: %+v; want #2, drop", marked)
	}
}

type timedClient struct {
	Messages []struct {
		Data string `json:"data"`
		T    int    `json:"t"`
	} `json:"messages"`
	Close int    `json:"close"`
	Error string `json:"error"`
}

// record --fault delays one path's messages by 200 ms between a real app
// and a real client; the recording carries the fault lines, and a replay
// of it gives a client the same delays. The other path is left alone.
func TestRecordFaultDelaysOnePath(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "ws-server.mjs", "clean", "0")
	proxyURL, stopRecord := record(t, port, "--fault", "delay=200ms:path=/slow")
	check := func(what string, c timedClient) {
		t.Helper()
		if c.Error != "" || len(c.Messages) != 3 || c.Close != 4002 {
			t.Fatalf("%s: %+v; want three messages and close 4002", what, c)
		}
		for _, m := range c.Messages {
			// The app sends them 20-60 ms after the open; a loaded
			// machine may make them later, never earlier.
			if m.T < 180 {
				t.Errorf("%s: %q arrived %d ms after the open, want 180 or more (the 200 ms delay)", what, m.Data, m.T)
			}
		}
	}
	var live, fast timedClient
	runNode(t, &live, "faults-client.mjs", proxyURL+"/slow")
	check("live", live)
	runNode(t, &fast, "faults-client.mjs", proxyURL+"/fast")
	if len(fast.Messages) != 3 || fast.Close != 4002 {
		t.Fatalf("the other path: %+v", fast)
	}
	dir := stopRecord()

	faultLines := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, f := range files {
		for _, e := range readEvents(t, f) {
			if e.Type == format.TypeFault {
				faultLines[e.Session]++
				if e.Action != "delay" || e.Fault != "delay=200ms:path=/slow" {
					t.Errorf("%s: fault line %+v", f, e)
				}
			}
		}
	}
	if len(files) != 2 || len(faultLines) != 1 {
		t.Fatalf("fault lines by session: %v in %d files; want three in the /slow session alone", faultLines, len(files))
	}
	for _, n := range faultLines {
		if n != 3 {
			t.Errorf("%d fault lines, want 3", n)
		}
	}
	var replay timedClient
	runNode(t, &replay, "faults-client.mjs", serve(t, dir)+"/slow")
	check("replay", replay)
}

// readEvents reads every line of a recording.
func readEvents(t *testing.T, name string) []*format.Event {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := format.NewReader(f, &format.ReaderOptions{Name: name})
	defer r.Close()
	var evs []*format.Event
	for {
		e, err := r.Next()
		if err != nil {
			return evs
		}
		evs = append(evs, e)
	}
}
