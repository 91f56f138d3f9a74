package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const redactedRecording = `{"type":"session","v":1,"session":"r1","time":"2026-11-25T10:00:00Z","url":"/live?room=1&token=%5Bredacted%5D","subprotocol":"chat"}
{"type":"message","session":"r1","time":"2026-11-25T10:00:00.5Z","dir":"receive","text":"hello"}
{"type":"message","session":"r1","time":"2026-11-25T10:00:01Z","dir":"send","text":"ping"}
`

// ls and cat show a redacted value as [redacted], and cat's filters keep
// the session header whole.
func TestDisplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.ndjson")
	if err := os.WriteFile(path, []byte(redactedRecording), 0o600); err != nil {
		t.Fatal(err)
	}
	header := "== session r1  /live?room=1&token=[redacted]  2026-11-25T10:00:00Z  subprotocol chat\n"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ls", path}, " /live?room=1&token=[redacted] "},
		{[]string{"cat", path}, header},
		{[]string{"cat", "--dir", "send", path}, header + "    +1.000s  ->     4 B  ping\n"},
		{[]string{"cat", "--grep", "hel+o", path}, header + "    +0.500s  <-     5 B  hello\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:len(tt.args)-1], " "), func(t *testing.T) {
			out, errOut, code := wsreplay(t, tt.args...)
			if code != 0 || !strings.Contains(out, tt.want) || strings.Contains(out, "%5B") {
				t.Errorf("exit %d, stdout:\n%s%s\nwant %q", code, out, errOut, tt.want)
			}
		})
	}
}

// The table stays aligned when a file in the middle cannot be read: the
// error goes to stderr, the table is printed whole.
func TestLsAlignmentAfterAnError(t *testing.T) {
	out, _, code := wsreplay(t, "ls", "../../testdata/format/valid.ndjson", "../../testdata/format/bad-json-line3.ndjson", "../../testdata/demo.ndjson")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 { // the broken file's lines before its error are listed
		t.Fatalf("want a header and 3 rows:\n%s", out)
	}
	col := strings.Index(lines[0], "FILE")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l[col:], "../../testdata/") {
			t.Errorf("FILE column not aligned at %d:\n%s", col, out)
		}
	}
}
