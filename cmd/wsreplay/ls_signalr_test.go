package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLsSignalR: ls names a SignalR connection's transport in its KIND
// column ("signalr LongPolling"), its negotiate "signalr negotiate", and
// --json gives the session line's protocol and transport.
func TestLsSignalR(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signalr.ndjson")
	lines := `{"type":"session","v":1,"session":"neg","time":"2026-11-25T10:00:00Z","url":"/hub/negotiate?negotiateVersion=1","kind":"poll","protocol":"signalr"}
{"type":"close","session":"neg","time":"2026-11-25T10:00:00.001Z","by":"server","code":1000,"reason":"bootstrap answered","clean":true}
{"type":"session","v":1,"session":"lp","time":"2026-11-25T10:00:00.01Z","url":"/hub?id=%5Bredacted%5D","protocol":"signalr","transport":"LongPolling"}
{"type":"message","session":"lp","time":"2026-11-25T10:00:00.02Z","dir":"send","text":"{\"protocol\":\"json\",\"version\":1}\u001e"}
{"type":"close","session":"lp","time":"2026-11-25T10:00:00.03Z","by":"server","code":1000,"reason":"","clean":true}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := wsreplay(t, "ls", path)
	kinds := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 3 {
			kinds[f[0]] = f[1] + " " + f[2]
		}
	}
	if code != 0 || kinds["neg"] != "signalr negotiate" || kinds["lp"] != "signalr LongPolling" {
		t.Errorf("ls: exit %d\n%s%s\nwant the KIND column to name signalr and its transport", code, out, stderr)
	}
	out, _, _ = wsreplay(t, "ls", "--json", path)
	if !strings.Contains(out, `"kind":"websocket","file"`) || !strings.Contains(out, `"protocol":"signalr","transport":"LongPolling"`) {
		t.Errorf("ls --json:\n%s\nwant the protocol and transport", out)
	}
}
