package recorder

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

const (
	leftSession = `{"type":"session","v":1,"session":"%s","time":"2026-11-25T10:00:00.000000000Z","url":"/x"}` + "\n"
	leftMessage = `{"type":"message","session":"%s","time":"2026-11-25T10:00:01.000000000Z","dir":"receive","text":"hi"}` + "\n"
	leftClose   = `{"type":"close","session":"%s","time":"2026-11-25T10:00:02.000000000Z","by":"server","code":1000,"clean":true}` + "\n"
)

// A recorder starting on a directory finishes what a killed one left: a
// whole .partial beside the temporary file of its compression, a .partial
// whose last line is torn, a .partial whose finished file is already there;
// it removes stray temporary files, and leaves alone the files a running
// recorder holds.
func TestLeftoversAfterCrash(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	lines := func(id string, parts ...string) string {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(strings.ReplaceAll(p, "%s", id))
		}
		return b.String()
	}
	write("20261125T100000.000Z_a.ndjson.partial", lines("a", leftSession, leftMessage, leftClose))
	write(".20261125T100000.000Z_a.ndjson.zst.tmp-123", "half a zstd stream")
	write("20261125T100000.000Z_b.ndjson.partial", lines("b", leftSession, leftMessage)+`{"type":"mess`)
	write("20261125T100000.000Z_c.ndjson.partial", lines("c", leftSession))
	write("20261125T100000.000Z_c.ndjson.zst", lines("c", leftSession, leftClose)) // plain: readers go by content
	write("20261125T100000.000Z_d.ndjson.zst.tmp", "an earlier release's temporary file")
	held := write("20261125T100000.000Z_e.ndjson.partial", lines("e", leftSession, leftMessage))
	heldTmp := write(".20261125T100000.000Z_f.ndjson.zst.tmp-456", "a running compression")
	for _, path := range []string{held, heldTmp} { // a recorder still running
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if !lockFile(f) {
			t.Skip("no file locks here")
		}
	}

	sink, err := NewDirSink(dir, &QueueOptions{Compression: format.Zstd})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil { // waits for the worker, which finishes leftovers first
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".20261125T100000.000Z_f.ndjson.zst.tmp-456", "20261125T100000.000Z_a.ndjson.zst",
		"20261125T100000.000Z_b.ndjson.zst", "20261125T100000.000Z_c.ndjson.zst", "20261125T100000.000Z_e.ndjson.partial"}
	if !slices.Equal(names, want) {
		t.Fatalf("directory after restart:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	recs, _ := readRecordings(t, dir) // every file reads whole: no torn line
	if len(recs["a"]) != 3 || len(recs["b"]) != 2 || len(recs["c"]) != 2 || len(recs["e"]) != 2 {
		t.Errorf("sessions a, b, c, e: %d, %d, %d, %d lines; want 3, 2 (the torn one cut), 2, 2",
			len(recs["a"]), len(recs["b"]), len(recs["c"]), len(recs["e"]))
	}
	if b, _ := os.ReadFile(held); string(b) != lines("e", leftSession, leftMessage) {
		t.Error("the file a running recorder holds was changed")
	}
}
