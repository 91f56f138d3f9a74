package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// wsreplay runs the command line in-process and returns its outputs.
func wsreplay(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errw bytes.Buffer
	code = run(context.Background(), append([]string{"wsreplay"}, args...), &out, &errw)
	return out.String(), errw.String(), code
}

func TestLs(t *testing.T) {
	out, errOut, code := wsreplay(t, "ls", "../../testdata/demo.ndjson", "../../testdata/demo.ndjson.zst")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want a header and 2 rows:\n%s", len(lines), out)
	}
	for _, want := range []string{"demo-1", "/live?room=lobby", "30.005s", "1001 clean"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("row %q lacks %q", lines[1], want)
		}
	}

	out, _, code = wsreplay(t, "ls", "--json", "../../testdata/format/valid.ndjson")
	var row lsRow
	if err := json.Unmarshal([]byte(out), &row); err != nil || code != 0 {
		t.Fatalf("--json: %v (exit %d): %s", err, code, out)
	}
	if row.Session != "s1" || row.Sent != 1 || row.Received != 1 || row.Bytes != 9 || row.Ending != "1000 clean" || row.DurationMS != 1000 {
		t.Errorf("--json row: got %+v", row)
	}
}

func TestLsDirectoryGoesOnPastBrokenFiles(t *testing.T) {
	out, errOut, code := wsreplay(t, "ls", "../../testdata/format")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "valid.ndjson.zst") || !strings.Contains(out, "unknown-type.ndjson") {
		t.Errorf("good files missing from the listing:\n%s", out)
	}
	if !strings.Contains(errOut, "bad-json-line3.ndjson:3:") {
		t.Errorf("stderr does not name the broken file and line:\n%s", errOut)
	}
	if !strings.Contains(errOut, "warning: ../../testdata/format/torn-tail.ndjson:4: recording is truncated") {
		t.Errorf("no truncation warning:\n%s", errOut)
	}
}

func TestCat(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
		lines   int // lines of output, 0 to skip
	}{
		{name: "timeline", args: []string{"../../testdata/format/valid.ndjson"},
			want: []string{"== session s1  /ws", "+0.100s  <-     5 B  hello", "->     4 B  binary 00 01 02 ff", `close by server: 1000 "bye" (clean)`}},
		{name: "flags after files", args: []string{"../../testdata/demo.ndjson", "--dir", "send"},
			want: []string{`{"op":"subscribe"`}, notWant: []string{"<-"}, lines: 5},
		{name: "grep", args: []string{"--grep", `"type":"trade"`, "../../testdata/demo.ndjson.zst"},
			want: []string{`"type":"trade"`}, notWant: []string{`"type":"price"`}},
		{name: "pretty", args: []string{"--pretty", "--dir=send", "../../testdata/demo.ndjson"},
			want: []string{"\n                \"op\": \"subscribe\",\n"}},
		{name: "json keeps lines", args: []string{"--json", "--session", "s1", "../../testdata/format/valid.ndjson.gz"},
			want: []string{`{"type":"message","session":"s1","time":"2026-11-25T10:00:00.100000000Z","dir":"receive","text":"hello"}` + "\n"}, lines: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := wsreplay(t, append([]string{"cat"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
			if n := strings.Count(out, "\n"); tt.lines != 0 && n != tt.lines {
				t.Errorf("got %d lines, want %d:\n%s", n, tt.lines, out)
			}
		})
	}
}

// Every error is one line on stderr naming what is wrong, with exit 2 for
// usage errors and 1 for the rest.
func TestErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"ls"}, 2, "name at least one"},
		{[]string{"ls", "--nope", "x"}, 2, "-nope"},
		{[]string{"cat", "--dir", "up", "x"}, 2, `--dir: "up"`},
		{[]string{"cat", "--grep", "(", "../../testdata/demo.ndjson"}, 2, "--grep:"},
		{[]string{"cat", "missing.ndjson"}, 1, "missing.ndjson: no such file or directory"},
		{[]string{"cat", "../../testdata/format/bad-json-line3.ndjson"}, 1, "bad-json-line3.ndjson:3: invalid JSON"},
		{[]string{"cat", "../../testdata/format/unknown-version.ndjson"}, 1, "unknown-version.ndjson:1: unsupported format version 2"},
		{[]string{"cat", "../../testdata/format/garbage.bin"}, 1, "garbage.bin:1: not a wsreplay recording"},
		{[]string{"cat", "--session", "nope", "../../testdata/demo.ndjson"}, 1, "no line matches --session nope"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := wsreplay(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "wsreplay: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q: want one line starting wsreplay: and containing %q", errOut, tt.want)
			}
		})
	}
}

func TestHelpHasExamples(t *testing.T) {
	for _, cmd := range newApp(nil, nil).Commands {
		if !strings.Contains(cmd.Description, "Example") {
			t.Errorf("wsreplay %s --help has no example", cmd.Name)
		}
	}
	out, _, code := wsreplay(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "wsreplay version ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}
