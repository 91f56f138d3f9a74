//go:build unix

package s3store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestScanSpoolOwnFilesOnly: in a spool other users may write in (mode
// 1777), a file another user planted under a recording's name is neither
// listed for upload nor removed; the recorder's own files are.
func TestScanSpoolOwnFilesOnly(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to make a file owned by another user")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o1777); err != nil {
		t.Fatal(err)
	}
	mine := "20261125T100000.000Z_mine.ndjson"
	planted := "20261125T100001.000Z_planted.ndjson"
	for _, name := range []string{mine, planted} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, planted), 12345, 12345); err != nil {
		t.Fatal(err)
	}
	files, err := scanSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].name != mine {
		t.Errorf("scan listed %v, want only %s", files, mine)
	}
}
