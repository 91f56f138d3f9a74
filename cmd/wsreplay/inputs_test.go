package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/internal/nettest"
)

// inputSet is a directory of recordings as the recorder and people leave
// them: finished and unfinished sessions, a HAR file, a subdirectory, and
// files that are not recordings (a temporary file of convert, notes).
func inputSet(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	copyFile := func(from, to string) {
		t.Helper()
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("../../testdata/demo.ndjson.zst", filepath.Join(dir, "2026-11-25T10-00-00Z_demo-1.ndjson.zst"))
	copyFile("../../testdata/format/valid.ndjson", filepath.Join(dir, "sub", "2026-11-25T10-00-00Z_s1.ndjson.partial"))
	copyFile("../../testdata/har/chrome.har", filepath.Join(dir, "sub", "chrome.har"))
	copyFile("../../testdata/format/garbage.bin", filepath.Join(dir, ".cut.ndjson.tmp-123"))
	copyFile("../../testdata/format/garbage.bin", filepath.Join(dir, "notes.txt"))
	return dir
}

// withStdin runs fn with os.Stdin reading the named file.
func withStdin(t *testing.T, path string, fn func()) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	fn()
}

var (
	lsIDRE      = regexp.MustCompile(`(?m)^(\S+)\s+\S+\s+20\d\d-`) // SESSION KIND START
	catIDRE     = regexp.MustCompile(`(?m)^== session (\S+)`)
	serveIDRE   = regexp.MustCompile(`(?m)^  session (\S+)`)
	duplicateRE = regexp.MustCompile(`warning: .*session demo-1 is also in .*demo\.ndjson(\.zst)?; (listed|written) as demo-1~2`)
)

// Every command that reads recordings takes the same inputs: a file, a
// directory (recursively, recordings only), HAR, several at once, stdin.
func TestEveryCommandTakesEveryInput(t *testing.T) {
	dir := inputSet(t)
	inputs := []struct {
		name  string
		args  []string
		stdin string
		ids   []string // the sessions, in order
		dup   bool     // demo-1 twice
	}{
		{name: "file", args: []string{"../../testdata/demo.ndjson.zst"}, ids: []string{"demo-1"}},
		{name: "HAR", args: []string{"../../testdata/har/chrome.har"}, ids: []string{"har-1"}},
		{name: "directory", args: []string{dir}, ids: []string{"demo-1", "s1", "har-1"}},
		{name: "mixed", args: []string{"../../testdata/format/valid.ndjson.gz", "../../testdata/har/playwright.har", filepath.Join(dir, "sub")},
			ids: []string{"s1", "har-0", "s1", "har-1"}},
		{name: "duplicate ids", args: []string{"../../testdata/demo.ndjson", "../../testdata/demo.ndjson.zst"}, ids: []string{"demo-1", "demo-1"}, dup: true},
		{name: "stdin", args: []string{"-"}, stdin: "../../testdata/har/chrome.har", ids: []string{"har-1"}},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			run := func(args ...string) (string, string, int) {
				var out, errOut string
				var code int
				call := func() { out, errOut, code = wsreplay(t, args...) }
				if in.stdin != "" {
					withStdin(t, in.stdin, call)
				} else {
					call()
				}
				return out, errOut, code
			}
			check := func(cmd string, re *regexp.Regexp, text, errOut string, code int, want []string) {
				t.Helper()
				var got []string
				for _, m := range re.FindAllStringSubmatch(text, -1) {
					got = append(got, m[1])
				}
				if code != 0 || !slices.Equal(got, want) {
					t.Errorf("%s: exit %d, sessions %q, want %q\n%s%s", cmd, code, got, want, text, errOut)
				}
			}

			out, errOut, code := run(append([]string{"ls"}, in.args...)...)
			check("ls", lsIDRE, out, errOut, code, in.ids)
			out, errOut, code = run(append([]string{"cat"}, in.args...)...)
			check("cat", catIDRE, out, errOut, code, in.ids)

			// convert and serve merge their inputs: a duplicate id is
			// renamed, with a warning.
			merged := slices.Clone(in.ids)
			if in.dup {
				merged[1] = "demo-1~2"
			}
			conv := filepath.Join(t.TempDir(), "all.ndjson")
			_, errOut, code = run(append(append([]string{"convert"}, in.args...), conv)...)
			out, _, _ = wsreplay(t, "ls", conv)
			if in.name == "mixed" {
				merged[2] = "s1~2"
			}
			check("convert", lsIDRE, out, errOut, code, merged)
			if in.dup != duplicateRE.MatchString(errOut) {
				t.Errorf("convert: duplicate warning %v, want %v:\n%s", !in.dup, in.dup, errOut)
			}

			var stderr *nettest.Buffer
			var stop func() int
			start := func() {
				_, stderr, stop = startCommand(t, append([]string{"serve", "--listen", "127.0.0.1:0"}, in.args...)...)
			}
			if in.stdin != "" {
				withStdin(t, in.stdin, start)
			} else {
				start()
			}
			stop()
			check("serve", serveIDRE, stderr.String(), "", 0, merged)
			if in.dup != duplicateRE.MatchString(stderr.String()) {
				t.Errorf("serve: duplicate warning %v, want %v:\n%s", !in.dup, in.dup, stderr)
			}
			if in.dup && !strings.Contains(stderr.String(), "--session demo-1~2 chooses it") {
				t.Errorf("serve does not say how --session chooses:\n%s", stderr)
			}
		})
	}
}

func TestIsRecordingName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.ndjson": true, "a.ndjson.gz": true, "a.NDJSON.ZST": true, "2026_x.ndjson.partial": true, "bug.har": true,
		".bug.har.tmp-123": false, "x.ndjson.zst.tmp": false, ".wsreplay-probe-1": false, "notes.txt": false, "a.ndjson.bak": false,
	} {
		t.Run(name, func(t *testing.T) {
			if got := isRecordingName(name); got != want {
				t.Errorf("isRecordingName(%q) = %v, want %v", name, got, want)
			}
		})
	}
}
