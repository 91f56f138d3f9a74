package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type timelineUIRun struct {
	SioConnect         string `json:"sioConnect"`
	IndexReplaysBefore int    `json:"indexReplaysBefore"`
	Headers            []struct {
		Cls   string `json:"cls"`
		Text  string `json:"text"`
		Title string `json:"title"`
	} `json:"headers"`
	Legend                   []string     `json:"legend"`
	At1280                   toolbarLines `json:"at1280"`
	At800                    toolbarLines `json:"at800"`
	At1280Live               toolbarLines `json:"at1280Live"`
	At800Live                toolbarLines `json:"at800Live"`
	Preview1280              int          `json:"preview1280"`
	Preview800               int          `json:"preview800"`
	IdleControls             []string     `json:"idleControls"`
	IdleState                string       `json:"idleState"`
	IdleSpaceMsg             string       `json:"idleSpaceMsg"`
	LiveControls             []string     `json:"liveControls"`
	LiveState                string       `json:"liveState"`
	StateFits1280            bool         `json:"stateFits1280"`
	IndexRowText             string       `json:"indexRowText"`
	IndexNotReloaded         bool         `json:"indexNotReloaded"`
	NKeySelectedNext         bool         `json:"nKeySelectedNext"`
	NextLook                 rowLook      `json:"nextLook"`
	SelectedLook             rowLook      `json:"selectedLook"`
	PlainLook                rowLook      `json:"plainLook"`
	EndMenuFocus             any          `json:"endMenuFocus"`
	EndMenuClosed            any          `json:"endMenuClosed"`
	FaultMenuFocus           any          `json:"faultMenuFocus"`
	FaultLatency             string       `json:"faultLatency"`
	FaultMenuClosedAfterSet  bool         `json:"faultMenuClosedAfterSet"`
	TypedCount               string       `json:"typedCount"`
	EnterMatches             []int        `json:"enterMatches"`
	SearchFocus              string       `json:"searchFocus"`
	Placeholder              string       `json:"placeholder"`
	EndedControls            []string     `json:"endedControls"`
	EndedState               string       `json:"endedState"`
	IndexEndedText           string       `json:"indexEndedText"`
	IndexNotReloadedAfterEnd bool         `json:"indexNotReloadedAfterEnd"`
	SSE                      []kindRow    `json:"sse"`
	Poll                     []kindRow    `json:"poll"`
	Sio                      []kindRow    `json:"sio"`
	SioDetail                struct {
		Selected int      `json:"selected"`
		Fields   []string `json:"fields"`
		Tree     string   `json:"tree"`
	} `json:"sioDetail"`
	Errors []string `json:"errors"`
}

type kindRow struct {
	Via     string `json:"via"`
	Preview string `json:"preview"`
	Cls     string `json:"cls"`
	Color   string `json:"color"`
}

// writeKinds writes the sessions "events" (an event with a type and an
// id, a retry-only block, a plain event) and "poll" (a request and its
// response).
func writeKinds(t *testing.T, dir string) string {
	t.Helper()
	lines := `{"type":"session","v":1,"session":"events","time":"2026-11-25T10:00:00Z","url":"/events","kind":"sse"}
{"type":"message","session":"events","time":"2026-11-25T10:00:00.1Z","dir":"receive","text":"{\"n\":1}","sse":{"id":"7","event":"tick"}}
{"type":"message","session":"events","time":"2026-11-25T10:00:00.2Z","dir":"receive","text":"","sse":{"retry":3000,"no_data":true}}
{"type":"message","session":"events","time":"2026-11-25T10:00:00.3Z","dir":"receive","text":"plain","sse":{}}
{"type":"session","v":1,"session":"poll","time":"2026-11-25T10:00:00Z","url":"/poll","kind":"poll"}
{"type":"message","session":"poll","time":"2026-11-25T10:00:00.1Z","dir":"send","text":"","http":{"method":"GET","url":"/poll?since=3","headers":{}}}
{"type":"message","session":"poll","time":"2026-11-25T10:00:00.2Z","dir":"receive","text":"[1,2]","http":{"status":200,"headers":{"Content-Type":["application/json"]}}}
`
	p := filepath.Join(dir, "kinds.ndjson")
	if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type toolbarLines struct {
	Lines  int `json:"lines"`
	Height int `json:"height"`
}

type rowLook struct {
	Bg     string `json:"bg"`
	Color  string `json:"color"`
	Shadow string `json:"shadow"`
	Mark   string `json:"mark"`
}

// The timeline and the session list in Chromium, as a user reads them: the
// list's columns and the overview are explained, the toolbar holds one
// line at 1280 px and two at 800 px with room left for the messages, the
// controls are off (with the reason) until a client connects and again
// when it leaves, the next message and the selected one look different
// and keys reach both, search filters as you type and Enter goes from
// match to match, and the session list shows a replay start and end with
// no reload and gives a Socket.IO client the server's base URL.
// E2E_SCREENSHOTS=DIR saves timeline.png, timeline-800.png and index.png
// there (docs/img's are made so).
func TestChromiumTimelineReads(t *testing.T) {
	need(t, true)
	dir := t.TempDir()
	base, _ := serveOne(t, "--poll", "/poll", writeFeed(t, dir), "../../testdata/socketio/sio4.ndjson", writeKinds(t, dir))
	shots := os.Getenv("E2E_SCREENSHOTS")
	if shots == "" {
		shots = "-"
	} else if shots, _ = filepath.Abs(shots); true {
		os.MkdirAll(shots, 0o755)
	}
	var r timelineUIRun
	runNode(t, &r, "timeline-ui.mjs", base, controlOf(t, base), "f8491729f05688fe", shots)
	t.Logf("toolbar: %+v at 1280 px, %+v at 800 px (with a replay: %+v, %+v); message column %d px at 1280, %d px at 800",
		r.At1280, r.At800, r.At1280Live, r.At800Live, r.Preview1280, r.Preview800)
	if len(r.Errors) > 0 {
		t.Errorf("errors in the pages: %q", r.Errors)
	}
	checkReadsColumns(t, &r)
	checkReadsControls(t, &r)
	checkReadsList(t, &r)
	checkReadsKinds(t, &r)
}

// checkReadsKinds: each kind's rows say what the message is, as cat does.
func checkReadsKinds(t *testing.T, r *timelineUIRun) {
	t.Helper()
	if len(r.SSE) != 3 || r.SSE[0].Via != `event tick · id "7"` || r.SSE[0].Preview != `{"n":1}` ||
		r.SSE[1].Via != "retry 3000ms" || !strings.Contains(r.SSE[1].Cls, "nodata") || !strings.HasPrefix(r.SSE[1].Preview, "(no data") ||
		r.SSE[1].Color == r.SSE[0].Color || r.SSE[2].Via != "event message" {
		t.Errorf("event stream rows %+v; want event tick · id \"7\", a greyed retry-only block, event message", r.SSE)
	}
	if len(r.Poll) != 2 || r.Poll[0].Via != "GET /poll?since=3" || r.Poll[1].Via != "200 application/json" || r.Poll[1].Preview != "[1,2]" {
		t.Errorf("poll rows %+v; want GET /poll?since=3, then 200 application/json [1,2]", r.Poll)
	}
	if len(r.Sio) != 2 || r.Sio[0].Via != "websocket" || !strings.Contains(r.Sio[0].Cls, "heartbeat") ||
		r.Sio[1].Via != "polling" || !strings.HasPrefix(r.Sio[1].Preview, `socket.io EVENT / "welcome"`) {
		t.Errorf("Socket.IO rows 3 and 7 %+v; want a greyed probe over websocket, then the event welcome over polling", r.Sio)
	}
	d := r.SioDetail
	if d.Selected != 7 || !slices.Contains(d.Fields, "name=welcome") || !slices.Contains(d.Fields, "transport=polling") ||
		!strings.Contains(d.Tree, `"welcome"`) || !strings.Contains(d.Tree, `"server": "sio4"`) {
		t.Errorf("Socket.IO message 7 by ↓ keys: selected #%d, fields %q, tree %q; want name and transport above the tree of the event's arguments",
			d.Selected, d.Fields, d.Tree)
	}
}

func checkReadsColumns(t *testing.T, r *timelineUIRun) {
	t.Helper()
	var texts []string
	for _, h := range r.Headers {
		texts = append(texts, h.Text)
		if len(h.Title) < 10 {
			t.Errorf("column %q (%s) has the tooltip %q, want one that says what it is", h.Text, h.Cls, h.Title)
		}
	}
	for _, want := range []string{"#", "time", "gap", "dir", "T/B", "size", "message"} {
		if !slices.Contains(texts, want) {
			t.Errorf("column headers %q, want %q among them", texts, want)
		}
	}
	for _, want := range []string{"↓ to the client", "↑ from the client", "search match", "live replay"} {
		if !slices.Contains(r.Legend, want) {
			t.Errorf("overview legend %q, want %q", r.Legend, want)
		}
	}
	for name, l := range map[string]toolbarLines{"1280 px": r.At1280, "1280 px, live": r.At1280Live} {
		if l.Lines != 1 {
			t.Errorf("toolbar at %s: %d lines (%d px high), want 1", name, l.Lines, l.Height)
		}
	}
	for name, l := range map[string]toolbarLines{"800 px": r.At800, "800 px, live": r.At800Live} {
		if l.Lines < 1 || l.Lines > 2 {
			t.Errorf("toolbar at %s: %d lines (%d px high), want at most 2", name, l.Lines, l.Height)
		}
	}
	if r.Preview1280 < 250 || r.Preview800 < 250 {
		t.Errorf("the message column is %d px wide at 1280 px, %d px at 800 px; want room for the messages (250 px or more)", r.Preview1280, r.Preview800)
	}
}

func checkReadsControls(t *testing.T, r *timelineUIRun) {
	t.Helper()
	const reason = "no client connected — controls act on a live replay"
	all := func(states []string, want string) bool {
		for _, s := range states {
			if !strings.HasSuffix(s, ":"+want) {
				return false
			}
		}
		return len(states) >= 10
	}
	if !all(r.IdleControls, "off") || r.IdleState != reason || !strings.Contains(r.IdleSpaceMsg, "no client connected") {
		t.Errorf("no replay: controls %q, state %q, Space says %q; want all disabled, %q", r.IdleControls, r.IdleState, r.IdleSpaceMsg, reason)
	}
	if !all(r.LiveControls, "on") {
		t.Errorf("a client connected: controls %q, want all enabled", r.LiveControls)
	}
	if !regexp.MustCompile(`^r1 paused · message \d+ of 60 · next to send: #\d+ · speed 1×$`).MatchString(r.LiveState) {
		t.Errorf("state %q, want r1 paused · message N of 60 · next to send: #M · speed 1×", r.LiveState)
	}
	if !r.StateFits1280 {
		t.Errorf("at 1280 px the state is cut (ellipsized), want it whole")
	}
	if !all(r.EndedControls, "off") || !strings.Contains(r.EndedState, "r1 ended") || !strings.Contains(r.EndedState, "controls act on a live replay") {
		t.Errorf("the client left: controls %q, state %q; want all disabled, saying why", r.EndedControls, r.EndedState)
	}
	if !r.NKeySelectedNext || r.NextLook.Mark != `"▶"` || r.SelectedLook.Mark != "none" || r.NextLook.Bg == r.SelectedLook.Bg ||
		r.NextLook.Shadow == "none" || r.NextLook.Bg == r.PlainLook.Bg || r.SelectedLook.Bg == r.PlainLook.Bg || r.SelectedLook.Color == r.PlainLook.Color {
		t.Errorf("next %+v, selected %+v, a plain row %+v (n selected the next: %v); want the next marked ▶ with a bar, the selection filled, each unlike the others",
			r.NextLook, r.SelectedLook, r.PlainLook, r.NKeySelectedNext)
	}
	if r.FaultMenuFocus != "faultLatency" || r.FaultLatency != "300ms" || !r.FaultMenuClosedAfterSet {
		t.Errorf("faults menu: Enter focused %v, set gave latency %q (menu closed: %v); want faultLatency, 300ms, closed", r.FaultMenuFocus, r.FaultLatency, r.FaultMenuClosedAfterSet)
	}
	if r.EndMenuFocus != "drop" || r.EndMenuClosed != "endBtn" {
		t.Errorf("end menu by keys: Enter focused %v, Escape left %v; want drop, then the menu closed on its button", r.EndMenuFocus, r.EndMenuClosed)
	}
}

func checkReadsList(t *testing.T, r *timelineUIRun) {
	t.Helper()
	if r.TypedCount != "11 of 60 messages" || !slices.Equal(r.EnterMatches, []int{1, 10}) || r.SearchFocus != "q" {
		t.Errorf("typing m1: %q; Enter, Enter selected %v, focus on %q; want 11 of 60 with no Enter, then #1, #10, the focus kept in the box",
			r.TypedCount, r.EnterMatches, r.SearchFocus)
	}
	if !strings.Contains(r.Placeholder, "as you type") || !strings.Contains(r.Placeholder, "Enter") {
		t.Errorf("search placeholder %q, want it to say it searches as you type and what Enter does", r.Placeholder)
	}
	if r.IndexReplaysBefore != 0 || !strings.Contains(r.IndexRowText, "feed") || !r.IndexNotReloaded {
		t.Errorf("session list: %d replays at first, then row %q (not reloaded: %v); want r1 of feed shown without a reload", r.IndexReplaysBefore, r.IndexRowText, r.IndexNotReloaded)
	}
	if !strings.Contains(r.IndexEndedText, "ended") || !r.IndexNotReloadedAfterEnd {
		t.Errorf("session list after the client left: %q (not reloaded: %v), want it ended, without a reload", r.IndexEndedText, r.IndexNotReloadedAfterEnd)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(r.SioConnect) {
		t.Errorf("session list: a Socket.IO session says connect to %q, want the server's base URL (what io() is given)", r.SioConnect)
	}
}
