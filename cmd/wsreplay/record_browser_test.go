package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// record --browser and --attach meet bad input with one line naming the
// flag or argument, a non-zero exit, and nothing recorded.
func TestRecordBrowserBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rec")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"both", []string{"--browser", "--attach", "ws://127.0.0.1:9222"}, "--browser starts a browser and --attach records from yours: give one"},
		{"upstream", []string{"--browser", "--upstream", "ws://localhost:3000"}, "--upstream does not apply to recording from a browser"},
		{"chromium without browser", []string{"--attach", "ws://127.0.0.1:9222", "--chromium", "/usr/bin/chromium"}, "--chromium needs --browser"},
		{"page with attach", []string{"--attach", "ws://127.0.0.1:9222", "http://localhost:5173/"}, `record takes no arguments (got "http://localhost:5173/"); with --attach, open the page in your browser`},
		{"not a page", []string{"--browser", "localhost:5173"}, `record --browser: not a page URL: "localhost:5173"`},
		{"two pages", []string{"--browser", "http://a/", "http://b/"}, "record --browser takes one page URL (got 2 arguments)"},
		{"no browser there", []string{"--attach", "ws://127.0.0.1:1"}, "--attach: find the browser at ws://127.0.0.1:1:"},
		{"not an address", []string{"--attach", "9222"}, `--attach: not a DevTools address: "9222" (want ws://127.0.0.1:9222)`},
		{"listen", []string{"--browser", "--listen", "127.0.0.1:1"}, "--listen does not apply to recording from a browser"},
		{"latency", []string{"--browser", "--latency", "5s"}, "--latency does not apply to recording from a browser"},
		{"bandwidth", []string{"--attach", "ws://127.0.0.1:9222", "--bandwidth", "64KiB/s"}, "--bandwidth does not apply to recording from a browser"},
		{"stall", []string{"--browser", "--stall-at", "1s:1s"}, "--stall-at does not apply to recording from a browser"},
		{"fault", []string{"--browser", "--fault", "drop"}, "--fault does not apply to recording from a browser"},
		{"admin", []string{"--browser", "--admin", "127.0.0.1:0"}, "--admin does not apply to recording from a browser"},
		{"admin recordings", []string{"--attach", "ws://127.0.0.1:9222", "--admin-recordings"}, "--admin-recordings does not apply to recording from a browser"},
		{"admin allow host", []string{"--browser", "--admin-allow-host", "metrics.internal"}, "--admin-allow-host does not apply to recording from a browser"},
		{"partial budget", []string{"--browser", "--partial-budget", "1MiB"}, "--partial-budget does not apply to recording from a browser"},
		{"handshake timeout", []string{"--browser", "--handshake-timeout", "1s"}, "--handshake-timeout does not apply to recording from a browser"},
		{"idle timeout", []string{"--browser", "--idle-timeout", "1s"}, "--idle-timeout does not apply to recording from a browser"},
		{"insecure upstream", []string{"--browser", "--insecure-upstream-tls"}, "--insecure-upstream-tls does not apply to recording from a browser"},
		{"no such chromium", []string{"--browser", "--headless", "--chromium", "/nonexistent/chromium"}, "--browser: start /nonexistent/chromium:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"record", "--out", out}, tt.args...)...)
			if code == 0 || !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Errorf("exit %d, stderr %q; want non-zero and one line with %q", code, errOut, tt.want)
			}
		})
	}
}
