package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeIn writes, in dir, a one-session recording of received texts that
// starts at minute min past 10:00, asked for at url, of kind ("" for a
// WebSocket).
func writeIn(t *testing.T, dir, name, id string, min int, url, kind string, texts ...string) {
	t.Helper()
	var b strings.Builder
	k := ""
	if kind != "" {
		k = fmt.Sprintf(`,"kind":%q`, kind)
	}
	fmt.Fprintf(&b, `{"type":"session","v":1,"session":%q,"time":"2026-11-25T10:%02d:00Z","url":%q%s}`+"\n", id, min, url, k)
	for i, s := range texts {
		q, _ := json.Marshal(s)
		fmt.Fprintf(&b, `{"type":"message","session":%q,"time":"2026-11-25T10:%02d:%02d.5Z","dir":"receive","text":%s}`+"\n", id, min, i%60, q)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Two directories: sessions pair by kind, path (not query) and the order
// they start, across files; each pair gets a line, the ones that differ
// their differences, and sessions of one side only are listed.
// --session still picks one of each, in any file.
func TestDiffDirectories(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeIn(t, a, "1.ndjson", "live1", 0, "/live?t=1", "", `{"n":1}`, `{"n":2}`)
	writeIn(t, a, "2.ndjson", "live2", 5, "/live?t=2", "", `{"n":3}`, `{"n":4}`)
	writeIn(t, a, "3.ndjson", "ev1", 1, "/events", "sse", `{"n":5}`)
	writeIn(t, a, "4.ndjson", "other", 2, "/other", "", `x`)
	// B's files are named in another order than its sessions start.
	writeIn(t, b, "a.ndjson", "live2b", 6, "/live?t=9", "", `{"n":3}`, `{"n":40}`)
	writeIn(t, b, "b.ndjson", "live1b", 0, "/live?t=8", "", `{"n":1}`, `{"n":2}`)
	writeIn(t, b, "c.ndjson", "ev1b", 1, "/events", "sse", `{"n":5}`)
	writeIn(t, b, "d.ndjson", "chat", 3, "/chat", "", `y`, `z`)
	writeIn(t, b, "e.ndjson", "ws-events", 0, "/events", "", `{"n":5}`) // a WebSocket: not paired with the event stream

	out, errOut, code := wsreplay(t, "diff", a, b)
	want := []string{
		"== 3 pairs: 2 the same, 1 different; 1 only in A, 2 only in B",
		"the same   A " + filepath.Join(a, "1.ndjson") + " live1  B " + filepath.Join(b, "b.ndjson") + " live1b  websocket /live  0 added, 0 removed, 0 changed, 0 retimed, 2 equal",
		"the same   A " + filepath.Join(a, "3.ndjson") + " ev1  B " + filepath.Join(b, "c.ndjson") + " ev1b  sse /events",
		"different  A " + filepath.Join(a, "2.ndjson") + " live2  B " + filepath.Join(b, "a.ndjson") + " live2b  websocket /live  0 added, 0 removed, 1 changed",
		"only in A  " + filepath.Join(a, "4.ndjson") + " other  websocket /other  1 message",
		"only in B  " + filepath.Join(b, "d.ndjson") + " chat  websocket /chat  2 messages",
		"only in B  " + filepath.Join(b, "e.ndjson") + " ws-events  websocket /events  1 message",
		"@@ changed, A #2, B #2 @@",
		`+        #2`,
	}
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", code, errOut)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "--- "+filepath.Join(a, "1.ndjson")) {
		t.Errorf("a pair that is the same is shown in full:\n%s", out)
	}

	// One session on each side: compared whatever their paths.
	one, two := t.TempDir(), t.TempDir()
	writeIn(t, one, "x.ndjson", "v1", 0, "/v1/live", "", `{"n":1}`)
	writeIn(t, two, "y.ndjson", "v2", 0, "/v2/live", "", `{"n":1}`)
	if out, _, code := wsreplay(t, "diff", one, filepath.Join(two, "y.ndjson")); code != 0 || !strings.Contains(out, "the same: 0 added, 0 removed, 0 changed, 0 retimed, 1 equal") {
		t.Errorf("one session each, other paths: exit %d:\n%s", code, out)
	}

	out, _, code = wsreplay(t, "diff", "--session", "live1", "--session", "live2b", a, b)
	if code != 1 || !strings.Contains(out, "session live2b") || strings.Contains(out, "==") {
		t.Errorf("--session across directories: exit %d:\n%s", code, out)
	}

	out, _, _ = wsreplay(t, "diff", "--json", a, filepath.Join(b, "b.ndjson"))
	var got struct {
		Sessions []struct{ A, B, FileA, FileB, Kind, Path string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json: %v: %s", err, out)
	}
	if len(got.Sessions) != 4 || got.Sessions[0].B != "live1b" || got.Sessions[0].Path != "/live" || got.Sessions[0].Kind != "websocket" || got.Sessions[1].B != "" {
		t.Errorf("--json, a directory and a file: got %+v", got.Sessions)
	}
}
