package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConvertCutsAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.ndjson.zst")
	_, errOut, code := wsreplay(t, "convert", "../../testdata/demo.ndjson", cut, "--from", "10s", "--to", "20s", "--dir", "receive")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out, _, _ := wsreplay(t, "ls", "--json", cut)
	if !strings.Contains(out, `"sent":0`) || !strings.Contains(out, `"ending":"open"`) || !strings.Contains(out, `"duration_ms":9`) {
		t.Errorf("cut: %s", out)
	}
	first, _, _ := wsreplay(t, "cat", cut)
	if !strings.Contains(first, "+0.") || strings.Contains(first, "->") {
		t.Errorf("the cut should start at its window and hold no sent messages:\n%s", first)
	}

	har := filepath.Join(dir, "demo.har")
	back := filepath.Join(dir, "back.ndjson")
	if _, e, c := wsreplay(t, "convert", "../../testdata/demo.ndjson.zst", har); c != 0 {
		t.Fatal(e)
	}
	if _, e, c := wsreplay(t, "convert", har, back); c != 0 {
		t.Fatal(e)
	}
	orig, _ := os.ReadFile("../../testdata/demo.ndjson")
	got, _ := os.ReadFile(back)
	if string(orig) != string(got) {
		t.Error("demo -> HAR -> NDJSON is not the same file")
	}

	stdout, _, code := wsreplay(t, "convert", "../../testdata/har/chrome.har", "-")
	if code != 0 || strings.Count(stdout, "\n") != 6 || !strings.HasPrefix(stdout, `{"type":"session","v":1,"session":"har-1"`) {
		t.Errorf("HAR to stdout: exit %d\n%s", code, stdout)
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"a.ndjson"}, 2, "want IN and OUT"},
		{[]string{"../../testdata/demo.ndjson", "../../testdata/demo.ndjson"}, 2, "IN and OUT are the same file"},
		{[]string{"missing.ndjson", filepath.Join(dir, "x.ndjson")}, 1, "missing.ndjson: no such file"},
		{[]string{"../../testdata/demo.ndjson", filepath.Join(dir, "x.ndjson"), "--from", "later"}, 2, `--from: "later" is not a duration`},
		{[]string{"../../testdata/demo.ndjson", filepath.Join(dir, "x.ndjson"), "--session", "nope"}, 1, "no session [nope]"},
		{[]string{"../../testdata/har/firefox-no-messages.har", filepath.Join(dir, "x.ndjson")}, 1, "no WebSocket messages in this HAR"},
		{[]string{"../../testdata/format/bad-json-line3.ndjson", filepath.Join(dir, "x.ndjson")}, 1, "bad-json-line3.ndjson:3:"},
		{[]string{"../../testdata/demo.ndjson", filepath.Join(dir, "nodir", "x.ndjson")}, 1, "cannot write"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"convert"}, tt.args...)...)
			var last string // the error line: warnings and hints may surround it
			for _, line := range strings.Split(errOut, "\n") {
				if strings.HasPrefix(line, "wsreplay: ") && !strings.HasPrefix(line, "wsreplay: warning") {
					last = line
				}
			}
			if code != tt.code || !strings.Contains(last, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	// A failed conversion leaves nothing behind.
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

func TestImportCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "imported.ndjson.gz")
	_, errOut, code := wsreplay(t, "import", "../../testdata/import/pushes.jsonl", "--time", "ts", "--data", "payload",
		"--dir", "direction", "--session", "socket", "--url", "/live", "--out", out)
	if code != 0 || !strings.Contains(errOut, "wrote 2 sessions, 4 messages") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ls, _, _ := wsreplay(t, "ls", out)
	if !strings.Contains(ls, "/live") || strings.Count(ls, "\n") != 3 {
		t.Errorf("ls of the import:\n%s", ls)
	}
	_, errOut, code = wsreplay(t, "import", "../../testdata/import/export.json", "--time", "meta.sent_at", "--data", "body")
	if code != 1 || !strings.Contains(errOut, `export.json: [2]: missing field "meta.sent_at"`) {
		t.Errorf("exit %d: %s", code, errOut)
	}
	stdout, errOut, code := wsreplay(t, "import", "../../testdata/import/export.json", "--time", "meta.sent_at", "--data", "body", "--skip-bad")
	if code != 0 || strings.Count(stdout, "\n") != 3 || !strings.Contains(errOut, "skipped 1 of 3 records") {
		t.Errorf("--skip-bad: exit %d\n%s%s", code, stdout, errOut)
	}
	if _, errOut, code := wsreplay(t, "import", "x.jsonl"); code != 2 || !strings.Contains(errOut, "--time and --data") {
		t.Errorf("missing fields: exit %d %s", code, errOut)
	}
}

// convert to .html writes the timeline of one session, its messages inside,
// with nothing that needs the network; two sessions are an error.
func TestConvertHTML(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "bug.html")
	_, errOut, code := wsreplay(t, "convert", "../../testdata/demo.ndjson.zst", out)
	if code != 0 || !strings.Contains(errOut, "104 messages to "+out) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, _ := os.ReadFile(out)
	for _, want := range []string{`id="wsreplay-data"`, `"info":{"id":"demo-1"`, `"ending":"1001 clean"`, "default-src 'none'", "function liveSource"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page has no %q", want)
		}
	}
	if strings.Contains(string(page), `src="http`) || strings.Contains(string(page), `href="http`) {
		t.Error("the page links to the network")
	}
	two := filepath.Join(dir, "two.ndjson")
	demo, _ := os.ReadFile("../../testdata/demo.ndjson")
	os.WriteFile(two, append(append([]byte{}, demo...), []byte(strings.ReplaceAll(string(demo), "demo-1", "demo-2"))...), 0o600)
	_, errOut, code = wsreplay(t, "convert", two, filepath.Join(dir, "two.html"))
	if code != 1 || !strings.Contains(errOut, "an HTML timeline holds one session") || !strings.Contains(errOut, "--session") {
		t.Errorf("two sessions: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "two.html")); err == nil {
		t.Error("a failed conversion left its file")
	}
	if _, errOut, code = wsreplay(t, "convert", two, filepath.Join(dir, "one.html"), "--session", "demo-2"); code != 0 {
		t.Errorf("--session demo-2: exit %d: %s", code, errOut)
	}
}
