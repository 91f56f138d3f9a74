//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpoolLinkToSharedDir: a --spool that is a link to a directory other
// users may write in is refused before anything is written there, and the
// error names --spool.
func TestSpoolLinkToSharedDir(t *testing.T) {
	s3Store(t) // a bucket that can be written: only the spool is wrong
	shared := t.TempDir()
	if err := os.Chmod(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "spool")
	if err := os.Symlink(shared, link); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := wsreplay(t, "record", "--upstream", "ws://127.0.0.1:1", "--listen", "127.0.0.1:0",
		"--out", "s3://rec/staging", "--spool", link)
	if code == 0 || !strings.Contains(errOut, "--spool:") {
		t.Errorf("exit %d, stderr %q; want an error naming --spool", code, errOut)
	}
	if entries, _ := os.ReadDir(shared); len(entries) != 0 {
		t.Errorf("the shared directory holds %v, want nothing written", entries)
	}
}
