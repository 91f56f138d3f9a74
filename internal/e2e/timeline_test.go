package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeFeed writes the session "feed": messages m1 to m60 to the client,
// 200 ms apart, and no ending.
func writeFeed(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"type":"session","v":1,"session":"feed","time":"2026-11-25T10:00:00Z","url":"/feed"}` + "\n")
	for i := 1; i <= 60; i++ {
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * 200 * time.Millisecond)
		fmt.Fprintf(&b, `{"type":"message","session":"feed","time":%q,"dir":"receive","text":"m%d"}`+"\n", at.Format(time.RFC3339Nano), i)
	}
	p := filepath.Join(dir, "feed.ndjson")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeBig writes the session "big": n messages, a millisecond apart, nine
// to the client for one from it.
func writeBig(t *testing.T, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "big.ndjson")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	w.WriteString(`{"type":"session","v":1,"session":"big","time":"2026-11-25T10:00:00Z","url":"/big"}` + "\n")
	var line []byte
	for i := 1; i <= n; i++ {
		dir := "receive"
		if i%10 == 0 {
			dir = "send"
		}
		line = fmt.Appendf(line[:0], `{"type":"message","session":"big","time":"%s","dir":"%s","text":"{\"n\":%d,\"price\":%d.25}"}`+"\n",
			start.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), dir, i, 100+i%50)
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// serveOne starts "wsreplay serve" on one file and returns its http:// URL
// and process.
func serveOne(t *testing.T, file string) (string, *proc) {
	t.Helper()
	p, url := start(t, wsreplayListening, wsreplayBin, "serve", "--listen", "127.0.0.1:0", file)
	return "http" + strings.TrimPrefix(url, "ws"), p
}

// rssPeak samples a process's resident memory until stop is closed, and
// returns the peak in MiB.
func rssPeak(pid int, stop <-chan struct{}) func() float64 {
	var mu sync.Mutex
	peak := 0.0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if kb := rssKiB(pid); kb > 0 {
				mu.Lock()
				peak = max(peak, float64(kb)/1024)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() float64 { <-done; mu.Lock(); defer mu.Unlock(); return peak }
}

func rssKiB(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

type timelineRun struct {
	AppearMs              int      `json:"appearMs"`
	DeliveredWhilePaused  int      `json:"deliveredWhilePaused"`
	APIState              string   `json:"apiState"`
	LastBeforeStep        string   `json:"lastBeforeStep"`
	Stepped               []string `json:"stepped"`
	SeekTarget            int      `json:"seekTarget"`
	Seeked                []string `json:"seeked"`
	StateAfterSeek        string   `json:"stateAfterSeek"`
	GapsAt4               []int    `json:"gapsAt4"`
	InjectedRow           int      `json:"injectedRow"`
	InjectedAfter         []int    `json:"injectedAfter"`
	Drop                  closeEv  `json:"drop"`
	Close                 closeEv  `json:"close"`
	CrossOriginFetch      string   `json:"crossOriginFetch"`
	CrossOriginStatus     int      `json:"crossOriginStatus"`
	StateAfterCrossOrigin string   `json:"stateAfterCrossOrigin"`
	AfterRight            int64    `json:"afterRight"`
	LeftClose             closeEv  `json:"leftClose"`
	R4Start               int64    `json:"r4Start"`
	HelpShown             bool     `json:"helpShown"`
	SlashFocus            string   `json:"slashFocus"`
	LiveSearch            string   `json:"liveSearch"`
	LiveSearchSent        string   `json:"liveSearchSent"`
	BigFirstPaintMs       int      `json:"bigFirstPaintMs"`
	BigIndexedMs          int      `json:"bigIndexedMs"`
	BigFirstRowsNavMs     int      `json:"bigFirstRowsNavMs"`
	BigLastRowMs          int      `json:"bigLastRowMs"`
	BigRowNodes           int      `json:"bigRowNodes"`
	BigLastRowWhole       bool     `json:"bigLastRowWhole"`
	BigMaxSeq             int      `json:"bigMaxSeq"`
	BigCount              string   `json:"bigCount"`
	ExportRowsBefore      string   `json:"exportRowsBefore"`
	ExportCount           string   `json:"exportCount"`
	ExportFirstHit        string   `json:"exportFirstHit"`
	ExportRequests        int      `json:"exportRequests"`
	Errors                []string `json:"errors"`
}

type closeEv struct {
	Close    int    `json:"close"`
	Reason   string `json:"reason"`
	WasClean bool   `json:"wasClean"`
}

// The timeline page in Chromium steers a replay to a frontend page in
// another tab, opens a session of a million messages, and works offline as
// an exported file. E2E_SCREENSHOTS=DIR saves its screenshots there
// (docs/img's are made so).
func TestChromiumTimeline(t *testing.T) {
	need(t, true)
	dir := t.TempDir()
	feed := writeFeed(t, dir)
	base, _ := serveOne(t, feed)
	bigBase, bigProc := serveOne(t, writeBig(t, dir, 1_000_000))
	export := filepath.Join(dir, "feed.html")
	if out, err := exec.Command(wsreplayBin, "convert", feed, export).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v\n%s", err, out)
	}
	shots := os.Getenv("E2E_SCREENSHOTS")
	if shots == "" {
		shots = "-"
	} else if shots, _ = filepath.Abs(shots); true {
		os.MkdirAll(shots, 0o755)
	}
	idle := rssKiB(bigProc.cmd.Process.Pid)
	stop := make(chan struct{})
	peak := rssPeak(bigProc.cmd.Process.Pid, stop)
	var r timelineRun
	runNode(t, &r, "timeline.mjs", base, controlOf(t, base), controlOf(t, bigBase), export, shots)
	close(stop)
	t.Logf("figures: replay listed after %d ms; 1,000,000 messages: first rows after %d ms (%d ms after the page's navigation began), indexed (whole list) after %d ms, last row %d ms after scrolling, %d row nodes; server RSS %.0f MiB before, %.0f MiB at most while open",
		r.AppearMs, r.BigFirstPaintMs, r.BigFirstRowsNavMs, r.BigIndexedMs, r.BigLastRowMs, r.BigRowNodes, float64(idle)/1024, peak())
	checkTimeline(t, &r)
}

func checkTimeline(t *testing.T, r *timelineRun) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Errorf("errors in the pages: %q", r.Errors)
	}
	if r.AppearMs > 2000 {
		t.Errorf("the replay appeared after %d ms, want within 2 s", r.AppearMs)
	}
	if r.DeliveredWhilePaused != 0 || r.APIState != "paused" {
		t.Errorf("after Space: %d messages in a second, API says %q; want none, paused", r.DeliveredWhilePaused, r.APIState)
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(r.LastBeforeStep, "m"))
	if want := []string{fmt.Sprintf("m%d", n+1)}; !slices.Equal(r.Stepped, want) {
		t.Errorf("after %q, '.' delivered %q, want %q", r.LastBeforeStep, r.Stepped, want)
	}
	var want []string
	for i := n + 2; i < r.SeekTarget; i++ {
		want = append(want, fmt.Sprintf("m%d", i))
	}
	if !slices.Equal(r.Seeked, want) || r.StateAfterSeek != "paused" {
		t.Errorf("Enter on row %d delivered %q and left it %s; want %q, paused", r.SeekTarget, r.Seeked, r.StateAfterSeek, want)
	}
	// Each gap is 50 ms on the server's side; a loaded machine's browser
	// sees some late and the next early, so their mean is what counts.
	sum := 0
	for _, g := range r.GapsAt4 {
		sum += g
	}
	if mean := float64(sum) / float64(max(len(r.GapsAt4), 1)); len(r.GapsAt4) < 8 || mean < 40 || mean > 65 {
		t.Errorf("gaps at speed 4: %v ms (mean %.0f), want about 50 (200/4)", r.GapsAt4, mean)
	}
	if r.InjectedRow == 0 || !slices.Contains(r.InjectedAfter, r.InjectedRow) {
		t.Errorf("injected: row %d flagged, API says after %v", r.InjectedRow, r.InjectedAfter)
	}
	if r.Drop != (closeEv{Close: 1006}) {
		t.Errorf("drop: the frontend saw %+v, want 1006, not clean", r.Drop)
	}
	if r.Close != (closeEv{Close: 4000, Reason: "bye", WasClean: true}) {
		t.Errorf("close: the frontend saw %+v, want 4000 bye, clean", r.Close)
	}
	if !strings.HasPrefix(r.CrossOriginFetch, "refused") || r.CrossOriginStatus != 403 || r.StateAfterCrossOrigin != "playing" {
		t.Errorf("POST from another origin: in the page %q, status %d, replay then %s; want refused, 403, playing",
			r.CrossOriginFetch, r.CrossOriginStatus, r.StateAfterCrossOrigin)
	}
	if r.AfterRight < 5e9 || r.LeftClose.Close != 4000 || r.R4Start < 8e8 || !r.HelpShown || r.SlashFocus != "q" {
		t.Errorf("keys: → moved %v, ← closed with %+v and the next replay started at %v, ? showed help %v, / focused %q",
			time.Duration(r.AfterRight), r.LeftClose, time.Duration(r.R4Start), r.HelpShown, r.SlashFocus)
	}
	if r.LiveSearch != "11 of 60 messages" || r.LiveSearchSent != "0 of 60 messages" {
		t.Errorf("search on the server: %q for m1, %q for m1 sent by the client; want 11 of 60, 0 of 60", r.LiveSearch, r.LiveSearchSent)
	}
	if r.BigRowNodes > 200 || r.BigRowNodes < 10 || !strings.Contains(r.BigCount, "1,000,000") || !r.BigLastRowWhole || r.BigMaxSeq != 1_000_000 {
		t.Errorf("1,000,000 messages: %d row nodes, count %q, last row in view %v, last number %d; want at most 200 rows, the last one whole and last",
			r.BigRowNodes, r.BigCount, r.BigLastRowWhole, r.BigMaxSeq)
	}
	if r.ExportCount != "1 of 60 messages" || r.ExportFirstHit != "7" || r.ExportRequests != 0 {
		t.Errorf("export: search gave %q, first hit %s, %d network requests; want 1 of 60, #7, none", r.ExportCount, r.ExportFirstHit, r.ExportRequests)
	}
}
