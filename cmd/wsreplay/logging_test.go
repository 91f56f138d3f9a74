package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// jsonRecords parses every line of a command's standard error as a JSON
// record, failing the test on any line that is not one.
func jsonRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line %d is not JSON: %q", i+1, line)
			continue
		}
		out = append(out, rec)
	}
	return out
}

// record is the first record with msg, or nil.
func record(recs []map[string]any, msg string) map[string]any {
	for _, r := range recs {
		if r["msg"] == msg {
			return r
		}
	}
	return nil
}

// With --log-format json, every line record and serve write on standard
// error is a JSON record, the lines meant for people (listening, admin,
// recording, shutting down, the counts at exit) included, with their
// fields.
func TestLogFormatJSONEveryLine(t *testing.T) {
	up := backend(t)
	dir := t.TempDir()
	url, recErr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", dir, "--admin", "127.0.0.1:0", "--log-format", "json")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/live", nil)
	c.Read(ctx)
	c.Write(ctx, websocket.MessageText, []byte("close"))
	c.Read(ctx)
	c.CloseNow()
	if code := stop(); code != 0 {
		t.Fatalf("record exited %d:\n%s", code, recErr)
	}
	recs := jsonRecords(t, recErr.String())
	for msg, fields := range map[string][]string{
		"listening":       {"url", "upstream"},
		"admin listening": {"url"},
		"recording":       {"to"},
		"session started": {"session", "kind", "path"},
		"session ended":   {"session", "kind", "duration"},
		"shutting down":   {},
		"recorded":        {"recorded", "sessions"},
	} {
		r := record(recs, msg)
		if r == nil {
			t.Errorf("record: no %q record in:\n%s", msg, recErr)
			continue
		}
		for _, f := range fields {
			if _, ok := r[f]; !ok {
				t.Errorf("record: the %q record has no %s: %v", msg, f, r)
			}
		}
	}
	if r := record(recs, "recorded"); r != nil && (r["recorded"] != 1.0 || r["sessions"] != 1.0) {
		t.Errorf("recorded: %v, want 1 of 1", r)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson.zst"))
	if len(files) != 1 {
		t.Fatalf("recorded %v", files)
	}
	url, srvErr, stop := startCommand(t, "serve", files[0], "--listen", "127.0.0.1:0", "--speed", "max", "--log-format", "json")
	c = nettest.Dial(t, url+"/live", nil)
	for {
		if _, _, err := c.Read(ctx); err != nil {
			break
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, srvErr)
	}
	recs = jsonRecords(t, srvErr.String())
	for _, msg := range []string{"listening", "timeline and controls", "session", "shutting down"} {
		if record(recs, msg) == nil {
			t.Errorf("serve: no %q record in:\n%s", msg, srvErr)
		}
	}
}

// The error that ends a command is a JSON record too under --log-format
// json, with its hint as a field; in text mode it stays two lines.
func TestLogFormatJSONError(t *testing.T) {
	var stderr nettest.Buffer
	code := run(t.Context(), []string{"wsreplay", "serve", "--log-format", "json", "--session", "nope", "--listen", "127.0.0.1:0"}, &nettest.Buffer{}, &stderr)
	if code == 0 {
		t.Fatalf("exit 0:\n%s", stderr.String())
	}
	recs := jsonRecords(t, stderr.String())
	if len(recs) == 0 || recs[len(recs)-1]["level"] != "ERROR" || recs[len(recs)-1]["hint"] == nil {
		t.Errorf("want an ERROR record with a hint last:\n%s", stderr.String())
	}

	var text nettest.Buffer
	run(t.Context(), []string{"wsreplay", "serve", "--session", "nope", "--listen", "127.0.0.1:0"}, &nettest.Buffer{}, &text)
	if !strings.HasPrefix(text.String(), "wsreplay: --session: no session \"nope\"") || !strings.Contains(text.String(), "\nhint: ") {
		t.Errorf("text mode: %q", text.String())
	}
}
