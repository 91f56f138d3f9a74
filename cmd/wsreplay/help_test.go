package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden --help outputs in testdata/help")

// The --help of every command is kept in testdata/help; a change shows in
// review. Placeholders name what goes there, never one of the values.
func TestHelpGolden(t *testing.T) {
	cmds := [][]string{{"--help"}, {"help"}}
	for _, c := range newApp(nil, nil).Commands {
		cmds = append(cmds, []string{c.Name, "--help"}, []string{"help", c.Name})
	}
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := wsreplay(t, args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			name := "wsreplay"
			if args[0] != "--help" && args[0] != "help" {
				name = args[0]
			} else if len(args) == 2 && args[0] == "help" {
				name = args[1]
			}
			golden := filepath.Join("testdata", "help", name+".txt")
			if *update && args[len(args)-1] == "--help" {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./cmd/wsreplay -run TestHelpGolden -update writes it)", err)
			}
			if out != string(want) {
				t.Errorf("wsreplay %s differs from %s (-update rewrites it):\n%s", strings.Join(args, " "), golden, out)
			}
			for _, bad := range []string{"--compress none", "--dir send", "--format ndjson", "going send"} {
				if strings.Contains(out, bad) {
					t.Errorf("placeholder reads like a value: %q", bad)
				}
			}
		})
	}
}

// A command's flag given before the command is named, with where it goes.
func TestMisplacedFlag(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--listen", "127.0.0.1:8765", "serve"}, "wsreplay: --listen is a flag of record and serve, not of wsreplay itself: put it after the command, as in: wsreplay serve --listen 127.0.0.1:8765\n"},
		{[]string{"--json", "ls", "x"}, "wsreplay: --json is a flag of ls, cat, diff and drive, not of wsreplay itself: put it after the command, as in: wsreplay ls --json\n"},
		{[]string{"--nope", "ls"}, "wsreplay: unknown flag --nope (see wsreplay --help)\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := wsreplay(t, tt.args...)
			if code != 2 || errOut != tt.want {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.want)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	tests := []struct {
		n     int
		thing string
		want  string
	}{
		{0, "session", "0 sessions"},
		{1, "session", "1 session"},
		{2, "message", "2 messages"},
		{1, "WebSocket entry", "1 WebSocket entry"},
		{3, "WebSocket entry", "3 WebSocket entries"},
		{2, "key", "2 keys"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n, " ", tt.thing), func(t *testing.T) {
			if got := plural(tt.n, tt.thing); got != tt.want {
				t.Errorf("plural(%d, %q) = %q, want %q", tt.n, tt.thing, got, tt.want)
			}
		})
	}
	// The command's own lines.
	_, errOut, code := wsreplay(t, "convert", "../../testdata/har/chrome.har", filepath.Join(t.TempDir(), "one.ndjson"))
	if code != 0 || !strings.Contains(errOut, "skipped 1 WebSocket entry without messages") || !strings.Contains(errOut, "wrote 1 session, 5 messages to") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
