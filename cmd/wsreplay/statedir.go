package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// defaultSpool is the spool of record --out s3:// when --spool is not
// given: a per-user state directory, never the working directory (a run
// started in a checkout must not leave files in it):
//
//   - $XDG_STATE_HOME/wsreplay/spool when XDG_STATE_HOME is an absolute
//     path, on any system;
//   - else on macOS ~/Library/Application Support/wsreplay/spool (kept:
//     not ~/Library/Caches, which the system may empty while sessions
//     wait there for their upload);
//   - on Windows %LocalAppData%\wsreplay\spool;
//   - on other systems ~/.local/state/wsreplay/spool (the XDG default).
func defaultSpool() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "wsreplay", "spool"), nil
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LocalAppData")
	case "darwin", "ios":
		home, _ := os.UserHomeDir()
		if home != "" {
			base = filepath.Join(home, "Library", "Application Support")
		}
	default:
		home, _ := os.UserHomeDir()
		if home != "" {
			base = filepath.Join(home, ".local", "state")
		}
	}
	if !filepath.IsAbs(base) {
		return "", errors.New("no per-user state directory (neither XDG_STATE_HOME nor a home directory is set)")
	}
	return filepath.Join(base, "wsreplay", "spool"), nil
}
