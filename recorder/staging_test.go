package recorder

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

func TestFilterRules(t *testing.T) {
	req := func(path string, h http.Header) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		for k, vs := range h {
			r.Header[k] = vs
		}
		return r
	}
	for _, tt := range []struct {
		name   string
		f      Filter
		r      *http.Request
		record bool
	}{
		{"zero value records all", Filter{}, req("/x", nil), true},
		{"path glob", Filter{Paths: []string{"/live/*"}}, req("/live/1", nil), true},
		{"path glob misses", Filter{Paths: []string{"/live/*"}}, req("/other", nil), false},
		{"header present", Filter{Headers: []Match{{Name: "X-Record"}}}, req("/", http.Header{"X-Record": {"yes"}}), true},
		{"header value", Filter{Headers: []Match{{Name: "X-Record", Value: "1"}}}, req("/", http.Header{"X-Record": {"2"}}), false},
		{"header absent", Filter{Headers: []Match{{Name: "X-Record"}}}, req("/", nil), false},
		{"cookie value", Filter{Cookies: []Match{{Name: "wsreplay", Value: "on"}}}, req("/", http.Header{"Cookie": {"a=1; wsreplay=on"}}), true},
		{"cookie or header", Filter{Headers: []Match{{Name: "X-Record"}}, Cookies: []Match{{Name: "wsreplay"}}}, req("/", http.Header{"Cookie": {"wsreplay=1"}}), true},
		{"path and opt-in both needed", Filter{Paths: []string{"/live"}, Cookies: []Match{{Name: "wsreplay"}}}, req("/other", http.Header{"Cookie": {"wsreplay=1"}}), false},
		{"sample 1", Filter{Sample: 1}, req("/", nil), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := tt.f.records(tt.r); got != tt.record {
				t.Errorf("%s: records %v, want %v", tt.name, got, tt.record)
			}
		})
	}
	if m := ParseMatch("X-A=b=c"); m != (Match{"X-A", "b=c"}) {
		t.Errorf("ParseMatch: %+v", m)
	}
}

// Sampling over 2,000 connections stays within five standard deviations of
// the rate.
func TestSampleRate(t *testing.T) {
	const n, rate = 2000, 0.3
	f := Filter{Sample: rate}
	got := 0
	for range n {
		if ok, why := f.records(httptest.NewRequest("GET", "/", nil)); ok {
			got++
		} else if why != "sample" {
			t.Fatalf("reason %q", why)
		}
	}
	mean, sd := n*rate, math.Sqrt(n*rate*(1-rate))
	if math.Abs(float64(got)-mean) > 5*sd {
		t.Errorf("recorded %d of %d at rate %v; want %v ± %.0f", got, n, rate, mean, 5*sd)
	}
}

// Recorded and unrecorded connections are both relayed byte for byte; only
// the recorded ones leave a file, and the totals say which was which.
func TestFilteredConnectionsRelayedAlike(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Filter = Filter{Paths: []string{"/rec/*"}} })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	msgs := [][]byte{[]byte("héllo"), {0, 1, 2, 255}, make([]byte, 100<<10), {}}
	for _, path := range []string{"/rec/1", "/skip/1"} {
		c := dial(t, ts, path, nil)
		for i, m := range msgs {
			typ := websocket.MessageBinary
			if i == 0 {
				typ = websocket.MessageText
			}
			c.Write(ctx, typ, m)
			if gt, got, err := c.Read(ctx); err != nil || gt != typ || string(got) != string(m) {
				t.Fatalf("%s: message %d came back as %v %d bytes (%v)", path, i, gt, len(got), err)
			}
		}
		c.Close(1000, "")
	}
	stopProxy(t, p, ts, sink)
	recs, names := readRecordings(t, dir)
	if len(recs) != 1 {
		t.Fatalf("recorded %v, want only the /rec/1 session", names)
	}
	for _, evs := range recs {
		if evs[0].URL != "/rec/1" || len(evs) != 2+2*len(msgs) {
			t.Errorf("recorded %s with %d lines", evs[0].URL, len(evs))
		}
	}
	st := p.Stats()
	want := int64(2 * len(msgs))
	if st.Unrecorded["filter"] != 1 || st.Messages["send"] != want || st.Messages["receive"] != want ||
		st.RecordedMessages != want || st.Ended["clean"] != 2 || st.Open != 0 {
		t.Errorf("stats %+v", st)
	}
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	if st.Bytes["send"] != 2*bytes || st.Bytes["receive"] != 2*bytes {
		t.Errorf("bytes %v, want %d each way", st.Bytes, 2*bytes)
	}
}

// Below MinFree, sessions are relayed unrecorded and counted.
func TestNoRoomRelaysUnrecorded(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) {
		r := &Retention{Dir: t.TempDir(), MinFree: math.MaxInt64}
		p.Room = r.Room
	})
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageText, []byte("x"))
	if _, got, err := c.Read(ctx); err != nil || string(got) != "x" {
		t.Fatalf("relay: %q %v", got, err)
	}
	c.Close(1000, "")
	stopProxy(t, p, ts, sink)
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 || p.Stats().Unrecorded["no_room"] != 1 {
		t.Errorf("files %v, stats %+v", names, p.Stats())
	}
}

// Retention deletes finished files oldest first past MaxSize, and files
// older than MaxAge; never a running session's file or a temporary one.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var finished []string
	for i := range 6 {
		name := filepath.Join(dir, format.FileName(start.Add(time.Duration(i)*time.Hour), fmt.Sprintf("%016x", i), format.Zstd))
		if err := os.WriteFile(name, make([]byte, 1000), 0o600); err != nil {
			t.Fatal(err)
		}
		finished = append(finished, name)
	}
	// The oldest start of all is still running.
	running := filepath.Join(dir, format.FileName(start.Add(-time.Hour), "00000000000000ff", format.None)+format.PartialSuffix)
	temp := filepath.Join(dir, ".x.ndjson.zst.tmp-123")
	for _, f := range []string{running, temp} {
		os.WriteFile(f, make([]byte, 5000), 0o600)
	}
	old := time.Now().Add(-48 * time.Hour)
	os.Chtimes(finished[5], old, old) // the newest start, but old on disk

	r := &Retention{Dir: dir, MaxSize: 3500, MaxAge: 24 * time.Hour}
	if n := r.Sweep(); n != 4 {
		t.Errorf("deleted %d files, want 4", n)
	}
	for i, f := range finished {
		_, err := os.Stat(f)
		// 0, 1 and 2 go for size (oldest first), 5 for age; 3 and 4 stay.
		if gone := os.IsNotExist(err); gone != (i <= 2 || i == 5) {
			t.Errorf("file %d: gone %v", i, gone)
		}
	}
	for _, f := range []string{running, temp} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s: %v: a running or temporary file was deleted", filepath.Base(f), err)
		}
	}
	if st := r.Stats(); st.Deleted != 4 || st.DeletedBytes != 4000 {
		t.Errorf("stats %+v", st)
	}
}

// A live session's .partial file survives a sweep of a directory far past
// its limit.
func TestRetentionKeepsRunningSessions(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, nil)
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c.Write(ctx, websocket.MessageText, []byte("x"))
	c.Read(ctx)
	var partial []string
	for deadline := time.Now().Add(10 * time.Second); len(partial) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		partial, _ = filepath.Glob(filepath.Join(dir, "*"+format.PartialSuffix))
	}
	os.WriteFile(filepath.Join(dir, "20200101T000000.000Z_0000000000000001.ndjson.zst"), make([]byte, 1<<20), 0o600)
	r := &Retention{Dir: dir, MaxSize: 1}
	if n := r.Sweep(); n != 1 || len(partial) != 1 {
		t.Fatalf("deleted %d, partial files %v", n, partial)
	}
	if _, err := os.Stat(partial[0]); err != nil {
		t.Errorf("the running session's file is gone: %v", err)
	}
	c.Close(1000, "")
	stopProxy(t, p, ts, sink)
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 || strings.HasSuffix(names[0], format.PartialSuffix) {
		t.Errorf("after the session: %v", names)
	}
}

// --sample over 2,000 real connections through the proxy: the recorded ones
// are within five standard deviations of the rate, every one is relayed,
// and each recorded one has its file.
func TestSampleOverConnections(t *testing.T) {
	const n, rate = 2000, 0.3
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Filter.Sample = rate })
	ts.Config.SetKeepAlivesEnabled(false)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				c, _, err := websocket.Dial(ctx, wsURL(ts)+"/", nil)
				if err != nil {
					t.Error(err)
					return
				}
				c.Write(ctx, websocket.MessageText, []byte("x"))
				if _, got, err := c.Read(ctx); err != nil || string(got) != "x" {
					t.Errorf("relay: %q %v", got, err)
				}
				c.Close(1000, "")
			}
		})
	}
	wg.Wait()
	stopProxy(t, p, ts, sink)
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	st := p.Stats()
	recorded := len(names)
	mean, sd := n*rate, math.Sqrt(n*rate*(1-rate))
	if math.Abs(float64(recorded)-mean) > 5*sd || int64(recorded)+st.Unrecorded["sample"] != n || st.Messages["send"] != n {
		t.Errorf("recorded %d files, %d unrecorded by sampling, %d messages sent; want %v ± %.0f recorded of %d", recorded, st.Unrecorded["sample"], st.Messages["send"], mean, 5*sd, n)
	}
}
