package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The default spool is in the user's state directory: XDG_STATE_HOME when
// it is set (to an absolute path), else the system's per-user place.
func TestDefaultSpool(t *testing.T) {
	home := t.TempDir()
	var fallback string
	switch runtime.GOOS {
	case "windows":
		t.Setenv("LocalAppData", home)
		fallback = filepath.Join(home, "wsreplay", "spool")
	case "darwin", "ios":
		fallback = filepath.Join(home, "Library", "Application Support", "wsreplay", "spool")
	default:
		fallback = filepath.Join(home, ".local", "state", "wsreplay", "spool")
	}
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	for _, tt := range []struct{ name, xdg, want string }{
		{"XDG_STATE_HOME", "/srv/state", filepath.Join("/srv/state", "wsreplay", "spool")},
		{"XDG_STATE_HOME unset", "", fallback},
		{"XDG_STATE_HOME relative", "state", fallback}, // the XDG spec: ignored
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.xdg == "/srv/state" && runtime.GOOS == "windows" {
				t.Skip("not an absolute path on Windows")
			}
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			if got, err := defaultSpool(); err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// record --out s3:// without --spool spools in the state directory, says so
// in its start-up line, and leaves nothing in the working directory (it
// made ./wsreplay-spool there).
func TestS3DefaultSpool(t *testing.T) {
	s3Store(t)
	state, work := t.TempDir(), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Chdir(work)
	up := backend(t)
	url, recErr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", "s3://rec/default-spool")
	spool := filepath.Join(state, "wsreplay", "spool")
	if want := "recording to s3://rec/default-spool (spooling to " + spool + ")\n"; !strings.Contains(recErr.String(), want) {
		t.Errorf("the start-up lines do not say %q:\n%s", want, recErr)
	}
	if err := echoSession(t.Context(), url+"/live", "hi"); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("record exited %d:\n%s", code, recErr)
	}
	if fi, err := os.Stat(spool); err != nil || !fi.IsDir() || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("spool %s: %v, %v; want a directory of mode 0700", spool, fi, err)
	}
	if left, _ := os.ReadDir(work); len(left) != 0 {
		t.Errorf("record left %v in its working directory", left)
	}
}
