package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// convert and import write their outputs 0600 whatever the umask: a copy of
// a recording is never easier to read than the recording.
func TestOutputsArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"convert ndjson", []string{"convert", "../../testdata/demo.ndjson", filepath.Join(dir, "a.ndjson.zst")}},
		{"convert har", []string{"convert", "../../testdata/demo.ndjson", filepath.Join(dir, "a.har")}},
		{"import", []string{"import", "../../testdata/import/pushes.jsonl", "--time", "ts", "--data", "payload", "--out", filepath.Join(dir, "i.ndjson")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, errOut, code := wsreplay(t, tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			out := tt.args[len(tt.args)-1]
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("%s: mode %v, want 0600", out, got)
			}
		})
	}
}
