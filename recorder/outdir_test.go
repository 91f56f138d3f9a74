package recorder

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A directory other users may write in, without the sticky bit, is refused:
// they could swap the recordings or plant links at their names.
func TestSharedDirRefused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mode  os.FileMode
		allow bool
		ok    bool
	}{
		{"private", 0o700, false, true},
		{"group-readable", 0o750, false, true},
		{"world-writable", 0o777, false, false},
		{"group-writable", 0o770, false, false},
		{"sticky like /tmp", 0o777 | os.ModeSticky, false, true},
		{"allowed by option", 0o777, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			opts := &QueueOptions{AllowSharedDir: tt.allow}
			for kind, open := range map[string]func() (*FileSink, error){
				"dir":  func() (*FileSink, error) { return NewDirSink(dir, opts) },
				"file": func() (*FileSink, error) { return NewFileSink(filepath.Join(dir, "all.ndjson"), opts) },
			} {
				t.Run(kind, func(t *testing.T) {
					s, err := open()
					if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, ErrSharedDir) {
						t.Errorf("%s sink in a %v directory: err %v, want ok=%v", kind, tt.mode, err, tt.ok)
					}
					if s != nil {
						s.Close()
					}
				})
			}
		})
	}
}

// Links planted at the names the recorder writes are never followed: their
// targets stay as they were, and the recording is still made where it can.
func TestPlantedLinksNotFollowed(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	const content = "precious\n"
	if err := os.WriteFile(victim, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	final := filepath.Join(dir, format.FileName(start, "00000000000000aa", format.Zstd))
	partialB := filepath.Join(dir, format.FileName(start, "00000000000000bb", format.None)+format.PartialSuffix)
	// The compressed file's temporary name used to be <final>.tmp; the
	// second session's .partial name is predictable from its id.
	for _, link := range []string{final + ".tmp", partialB} {
		if err := os.Symlink(victim, link); err != nil {
			t.Fatal(err)
		}
	}
	st := newDirStore(dir, format.Zstd, slog.New(slog.DiscardHandler), &sinkStats{}, 0)
	for _, id := range []string{"00000000000000aa", "00000000000000bb"} {
		st.write(&format.Event{Type: format.TypeSession, Version: format.Version, Session: id, Time: start, URL: "/"})
		st.write(&format.Event{Type: format.TypeMessage, Session: id, Time: start, Dir: format.Receive, Opcode: format.Text, Data: []byte("overwrite")})
		st.write(&format.Event{Type: format.TypeClose, Session: id, Time: start, By: format.ByServer, Code: 1000, Clean: true})
	}
	st.flush()
	st.close()
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Errorf("the link's target now holds %q, want %q", got, content)
	}
	if fi, err := os.Lstat(final); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("session aa: final file %v (%v), want a regular file", fi, err)
	}

	// --out FILE through a link is refused.
	link := filepath.Join(dir, "all.ndjson")
	os.Symlink(victim, link)
	if s, err := NewFileSink(link, nil); err == nil {
		s.Close()
		t.Error("NewFileSink followed a symbolic link")
	}
	if got, _ := os.ReadFile(victim); string(got) != content {
		t.Errorf("the link's target now holds %q, want %q", got, content)
	}
}

// --out FILE appends only to a regular file of this user with one link: a
// file or FIFO that another user planted (in a sticky /tmp) would read
// every recorded secret. A file of ours that others may read becomes 0600.
func TestOutFileMustBeOurs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.ndjson")
	mkfifo(t, fifo)
	linked := filepath.Join(dir, "linked.ndjson")
	os.WriteFile(linked, nil, 0o600)
	os.Link(linked, filepath.Join(dir, "other-name"))
	wide := filepath.Join(dir, "wide.ndjson")
	os.WriteFile(wide, nil, 0o666)
	os.Chmod(wide, 0o666)
	cases := map[string]bool{fifo: false, linked: false, wide: true}
	if os.Geteuid() == 0 {
		theirs := filepath.Join(dir, "theirs.ndjson")
		os.WriteFile(theirs, nil, 0o666)
		os.Chown(theirs, 2002, 2002)
		cases[theirs] = false
	}
	for path, ok := range cases {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := NewFileSink(path, nil)
			if (err == nil) != ok {
				t.Errorf("%s: err %v, want ok=%v", filepath.Base(path), err, ok)
			}
			if path == wide {
				if fi, err := os.Stat(wide); err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("a world-readable --out FILE stays %v (%v), want 0600", fi.Mode().Perm(), err)
				}
			}
			if s != nil {
				s.Close()
			}
		})
	}
}

// A directory that another user owns is refused even with the sticky bit:
// its owner may rename and replace anything in it.
func TestOutDirOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory away")
	}
	dir := filepath.Join(t.TempDir(), "theirs")
	os.Mkdir(dir, 0o700)
	os.Chmod(dir, 0o1777)
	os.Chown(dir, 2002, 2002)
	if s, err := NewDirSink(dir, nil); !errors.Is(err, ErrSharedDir) {
		if s != nil {
			s.Close()
		}
		t.Errorf("NewDirSink in another user's sticky directory: %v", err)
	}
}
