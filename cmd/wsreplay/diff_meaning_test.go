package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewrite writes a copy of the recording at src with each old string of
// pairs replaced by the new one that follows it.
func rewrite(t *testing.T, src, name string, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(pairs...).Replace(string(b))
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Two recordings of one Socket.IO flow differ in their sids, ping timing
// and ack ids: diff finds them the same; an event's name is a difference,
// shown as cat describes it.
func TestDiffSocketIOByMeaning(t *testing.T) {
	const a = "../../testdata/socketio/sio4.ndjson"
	other := []string{
		"LZypj1N8GxwxSPpNAAAA", "Zz0000000000000000Zz", "50EKWppiS7nviOdiAAAA", "Zz1111111111111111Zz",
		`"pingInterval\":300`, `"pingInterval\":25000`, `"ping_interval":300`, `"ping_interval":25000`,
		`"420[`, `"425[`, `"430[`, `"435[`, `"421[`, `"426[`, `"431[`, `"436[`, `"422[`, `"427[`, `"461-2[`, `"461-7[`,
		`"42/admin,0[`, `"42/admin,4[`, `"43/admin,0[`, `"43/admin,4[`,
	}
	b := rewrite(t, a, "b.ndjson", other...)
	renamed := rewrite(t, a, "c.ndjson", append(other, `42[\"welcome\"`, `42[\"welcomed\"`)...)
	out, errOut, code := wsreplay(t, "diff", a, b)
	if code != 0 || !strings.Contains(out, "the same: 0 added, 0 removed, 0 changed") {
		t.Errorf("sids, timing and ack ids: exit %d, want 0, the same:\n%s%s", code, out, errOut)
	}
	out, _, code = wsreplay(t, "diff", a, renamed)
	if code != 1 || !strings.Contains(out, "1 changed") || !strings.Contains(out, `socket.io EVENT / "welcomed"`) {
		t.Errorf("an event's name: exit %d, want 1, one change described:\n%s", code, out)
	}
}

// sseRecording writes an event stream's recording of events given as
// JSON members of the "sse" object, each with data {"n":1}.
func sseRecording(t *testing.T, name string, events ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"type":"session","v":1,"session":"e1","time":"2026-11-25T10:00:00Z","url":"/events","kind":"sse"}` + "\n")
	for _, e := range events {
		b.WriteString(`{"type":"message","session":"e1","time":"2026-11-25T10:00:01Z","dir":"receive","text":"{\"n\":1}","sse":{` + e + "}}\n")
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// SSE events are compared with their event names and ids: the issue's
// "odd" renamed "weird" in three events is three changes, shown with
// their names.
func TestDiffSSEByMeaning(t *testing.T) {
	a := sseRecording(t, "a.ndjson", `"event":"odd","id":"1"`, `"event":"even","id":"2"`, `"event":"odd","id":"3"`, `"event":"odd","id":"4"`)
	b := sseRecording(t, "b.ndjson", `"event":"weird","id":"1"`, `"event":"even","id":"2"`, `"event":"weird","id":"3"`, `"event":"weird","id":"4"`)
	c := sseRecording(t, "c.ndjson", `"event":"odd","id":"1"`, `"event":"even","id":"9"`, `"event":"odd","id":"3"`, `"event":"odd","id":"4"`)
	out, _, code := wsreplay(t, "diff", a, b)
	if code != 1 || !strings.Contains(out, "3 changed") || !strings.Contains(out, `[event weird id "3"] {"n":1}`) {
		t.Errorf("event names: exit %d, want 1 and 3 changes:\n%s", code, out)
	}
	out, _, code = wsreplay(t, "diff", a, c)
	if code != 1 || !strings.Contains(out, "1 changed") {
		t.Errorf("an id: exit %d, want 1 and 1 change:\n%s", code, out)
	}
}
