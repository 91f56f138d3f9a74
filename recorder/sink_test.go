package recorder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A file sink that recorded nothing leaves no file it created: an empty
// file, or an empty compressed stream, is no recording. A file that was
// there before stays.
func TestFileSinkWithoutSessions(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"none.ndjson", "none.ndjson.gz", "none.ndjson.zst"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			sink, err := NewFileSink(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := sink.Close(); err != nil {
				t.Fatalf("%s: Close: %v", name, err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("%s: left behind (stat: %v)", name, err)
			}
		})
	}

	kept := filepath.Join(dir, "kept.ndjson")
	if err := os.WriteFile(kept, []byte(`{"type":"session","v":1,"session":"s","time":"2026-11-25T10:00:00Z"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sink, err := NewFileSink(kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink.Close()
	if data, err := os.ReadFile(kept); err != nil || len(data) == 0 {
		t.Errorf("an existing recording was touched: %v, %d bytes", err, len(data))
	}

	// With a session, the file is written.
	path := filepath.Join(dir, "one.ndjson.gz")
	sink, err = NewFileSink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink.Add(&format.Event{Type: format.TypeSession, Session: "s", Time: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)})
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a recording with a session: %v", err)
	}
}
