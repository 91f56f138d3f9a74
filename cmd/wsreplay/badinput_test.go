package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every command meets bad input with one line naming what and where, a
// non-zero exit, and no panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	demo, _ := os.ReadFile("../../testdata/demo.ndjson")
	empty := write("empty.ndjson", nil)
	cut := write("cut.ndjson", demo[:len(demo)/2])
	garbage := write("garbage.ndjson", bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0, 1}, 1000))
	// A 100 MB line: a message whose text never ends.
	huge := write("huge.ndjson", append(append([]byte(`{"type":"message","session":"s","time":"2026-01-01T00:00:00Z","dir":"receive","text":"`),
		bytes.Repeat([]byte("x"), 100<<20)...), '\n'))
	badHAR := write("bad.har", []byte(`{"log":{"entries":[{"_webSocketMessages":[{"type":"receive","time":"yesterday","opcode":1,"data":"x"}]}]}}`))

	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cat", empty}, "empty.ndjson: empty file, not a recording"},
		{[]string{"ls", empty}, "empty.ndjson: empty file, not a recording"},
		{[]string{"convert", empty, filepath.Join(dir, "out.ndjson")}, "empty.ndjson: empty file, not a recording"},
		{[]string{"serve", empty}, "empty.ndjson: empty file, not a recording"},
		{[]string{"cat", garbage}, "garbage.ndjson:1: not a wsreplay recording"},
		{[]string{"serve", garbage}, "garbage.ndjson:1: not a wsreplay recording"},
		{[]string{"convert", garbage, filepath.Join(dir, "out.ndjson")}, "garbage.ndjson:1: not a wsreplay recording"},
		{[]string{"cat", huge}, "huge.ndjson:1: invalid JSON at column 104857687: unterminated string"},
		{[]string{"serve", badHAR}, `bad.har: entries[0]._webSocketMessages[0].time: "yesterday" is not`},
		{[]string{"convert", badHAR, filepath.Join(dir, "out.ndjson")}, `"yesterday" is not`},
		{[]string{"serve", "--drop-at", "-5s"}, `--drop-at: "-5s" is not a duration`},
		{[]string{"serve", "--latency", "200ms±lots"}, `wsreplay: --latency: jitter "lots" is not a duration`},
		{[]string{"serve", "--bandwidth", "64"}, `wsreplay: --bandwidth: bandwidth "64" has no unit`},
		// Given a file, so that a flag taken by mistake fails fast, not serves.
		{[]string{"serve", "--latency", "0±1300000h", empty}, `wsreplay: --latency: jitter "1300000h" is over the limit of 24h`},
		{[]string{"serve", "--bandwidth", "NaNKB", empty}, `wsreplay: --bandwidth: bandwidth "NaNKB": "NaN" is not a positive number`},
		{[]string{"serve", "--stall-at", "1s:-1s", empty}, `wsreplay: --stall-at: stall length "-1s" must be positive`},
		{[]string{"serve", "--fault", "delay=25h", empty}, `wsreplay: --fault: fault "delay=25h": delay "25h" is over the limit of 24h`},
		{[]string{"serve", "--stall-at", "10s"}, `wsreplay: --stall-at: stall "10s" is not AT:FOR`},
		{[]string{"serve", "--fault", "drop:$.a,b;zz"}, `wsreplay: --fault: fault "drop:$.a,b;zz": selector "zz" is none of`},
		{[]string{"serve", "--refuse", "lots"}, `--refuse: invalid value "lots": parse error`},
		{[]string{"serve", "--nope"}, `wsreplay: --nope is no flag of wsreplay serve (see wsreplay serve --help)`},
		{[]string{"ls", "--nope=1", "x"}, `wsreplay: --nope is no flag of wsreplay ls`},
		{[]string{"serve", "--speed"}, `wsreplay: --speed needs a value`},
		{[]string{"serve", "--control-remote", "--control-token", "a"}, `--control-token: 1 characters; a control token needs 16 or more`},
		{[]string{"serve", "--speed", "1e-20"}, `--speed: "1e-20" is not a number from 0.001 to 1000, 0 or max`},
		{[]string{"serve", "--speed", "1e9"}, `--speed: "1e9" is not a number from 0.001 to 1000, 0 or max`},
		{[]string{"serve", "--protocol", "graphql"}, `wsreplay: --protocol: "graphql" is no protocol wsreplay knows (`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:1], " ")+" "+filepath.Base(tt.args[len(tt.args)-1]), func(t *testing.T) {
			_, errOut, code := wsreplay(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want non-zero and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") {
				t.Errorf("stack trace: %s", errOut)
			}
		})
	}
	// A recording cut short is a warning, not an error: what is there is used.
	out, errOut, code := wsreplay(t, "ls", cut)
	if code != 0 || !strings.Contains(errOut, "warning: "+cut) || !strings.Contains(errOut, "truncated") || !strings.Contains(out, "demo-1") {
		t.Errorf("cut recording: exit %d\n%s%s", code, out, errOut)
	}
}

// A bad value from the environment names the variable it came from (the
// command line has no such flag to look at); a WSREPLAY_ variable that is no
// flag's of the command is named in a warning, with the one it may mean.
func TestBadEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    []string
		notWant []string
	}{
		{"bad value from the environment", map[string]string{"WSREPLAY_SPEED": "fast"}, []string{"serve"},
			[]string{`wsreplay: WSREPLAY_SPEED: "fast" is not`}, []string{"--speed"}},
		{"bad duration from the environment", map[string]string{"WSREPLAY_DROP_AT": "soon"}, []string{"serve"},
			[]string{`wsreplay: WSREPLAY_DROP_AT: "soon" is not a duration`}, []string{"--drop-at"}},
		{"bad value on the command line", map[string]string{"WSREPLAY_SPEED": "2"}, []string{"serve", "--speed", "fast"},
			[]string{`wsreplay: --speed: "fast" is not`}, []string{"WSREPLAY_SPEED:"}},
		{"a misspelt variable", map[string]string{"WSREPLAY_LISTN": "127.0.0.1:0"}, []string{"serve", "--session", "nope"},
			[]string{"wsreplay: warning: WSREPLAY_LISTN is no flag's variable of wsreplay serve: ignored (did you mean WSREPLAY_LISTEN?)"}, nil},
		{"another command's variable", map[string]string{"WSREPLAY_UPSTREAM": "ws://x"}, []string{"serve", "--session", "nope"},
			[]string{"wsreplay: warning: WSREPLAY_UPSTREAM is a flag of wsreplay record, not of wsreplay serve: ignored"}, nil},
		{"nothing like a flag", map[string]string{"WSREPLAY_COLOUR": "blue"}, []string{"serve", "--session", "nope"},
			[]string{"wsreplay: warning: WSREPLAY_COLOUR is no flag's variable of wsreplay serve: ignored\n"}, []string{"did you mean"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, errOut, code := wsreplay(t, append(tt.args, "--listen", "127.0.0.1:0")...)
			if code == 0 {
				t.Errorf("exit 0: %s", errOut)
			}
			for _, w := range tt.want {
				if strings.Count(errOut, w) != 1 {
					t.Errorf("stderr %q; want %q once", errOut, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr %q has %q", errOut, w)
				}
			}
		})
	}
}
