package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "demo.replay.mjs")
	_, errOut, code := wsreplay(t, "export", "../../testdata/demo.ndjson.zst", "--to", "playwright", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"//   wsreplay export --to playwright ../../testdata/demo.ndjson.zst --out " + out + "\n",
		`import replay from "./demo.replay.mjs";`,
		`Session "demo-1" on "/live?room=lobby"`,
		"export default async function replay(page, options = {}) {",
		`export const ending = { at: 30005, code: 1001, reason: "server restarting", clean: true };`,
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("module lacks %q", want)
		}
	}
	if info, _ := os.Stat(out); info.Mode().Perm() != 0o600 {
		t.Errorf("module is %v, want 0600 like every file made from a recording", info.Mode().Perm())
	}

	stdout, _, code := wsreplay(t, "export", "--to", "msw", "../../testdata/demo.ndjson", "--session", "demo-1")
	if code != 0 || !strings.Contains(stdout, "export const handlers = [handler(recordedURL)];") {
		t.Errorf("--to msw to stdout: exit %d\n%s", code, stdout)
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	two := filepath.Join(dir, "two.ndjson")
	os.WriteFile(two, []byte(`{"type":"session","v":1,"session":"a","time":"2026-11-25T10:00:00Z"}
{"type":"session","v":1,"session":"b","time":"2026-11-25T10:00:00Z"}
`), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--to", "cypress", two}, `--to: "cypress" is not playwright or msw`},
		{[]string{"--to", "msw"}, "export: name a recording (a file, a directory, or anything ls takes)"},
		{[]string{"--to", "msw", two}, "two.ndjson holds 2 sessions; choose one with --session (a, b)"},
		{[]string{"--to", "msw", two, "--session", "c"}, `--session: ` + two + ` has no session "c"`},
		{[]string{"--to", "msw", two, "--session", "a", "--sidecar", "sometimes"}, `--sidecar: "sometimes" is not auto, always or never`},
		{[]string{"--to", "msw", two, "--session", "a", "--sidecar", "always"}, "--sidecar always: the sidecar goes next to the module; give --out FILE"},
		{[]string{"--to", "msw", filepath.Join(dir, "none.ndjson")}, "none.ndjson: no such file or directory"},
		{[]string{"--to", "playwright", "../../testdata/socketio/sio2.ndjson"}, "is Engine.IO 3 (Socket.IO 2): export mocks Engine.IO 4 (Socket.IO 3 and 4) only"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"export"}, tt.args...)...)
			if code != 2 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, errOut, tt.want)
			}
		})
	}
}

// A recording cut short by a killed recorder is exported from the lines
// before the cut, with a warning where the cut was read, as the other
// commands read one.
func TestExportTornTail(t *testing.T) {
	const (
		open   = `{"type":"session","v":1,"session":"a","time":"2026-11-25T10:00:00Z","url":"/a"}` + "\n"
		msg    = `{"type":"message","session":"a","time":"2026-11-25T10:00:01Z","dir":"receive","text":"hello from a"}` + "\n"
		closed = `{"type":"close","session":"a","time":"2026-11-25T10:00:02Z","by":"server","code":1000,"reason":"bye","clean":true}` + "\n"
		other  = `{"type":"session","v":1,"session":"b","time":"2026-11-25T10:00:00Z","url":"/b"}` + "\n"
		torn   = `{"type":"message","session":"a","ti`
	)
	tests := []struct {
		name, file string
		args       []string
		warn       string // "": none
	}{
		// Every session is read (to list them): the cut is read too.
		{"named, cut after its close", open + other + msg + closed + torn, []string{"--session", "a"}, "rec.ndjson:5:"},
		{"named, cut before its close", open + other + msg + torn, []string{"--session", "a"}, "rec.ndjson:4:"},
		{"the only one", open + msg + closed + torn, nil, "rec.ndjson:4:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := filepath.Join(t.TempDir(), "rec.ndjson")
			os.WriteFile(rec, []byte(tt.file), 0o600)
			out, errOut, code := wsreplay(t, append([]string{"export", "--to", "msw", rec}, tt.args...)...)
			if code != 0 || !strings.Contains(out, "hello from a") {
				t.Fatalf("exit %d, stderr %q; want 0 and a module with the message", code, errOut)
			}
			if tt.warn == "" && errOut != "" || tt.warn != "" && !strings.Contains(errOut, "warning: "+rec[:len(rec)-len("rec.ndjson")]+tt.warn) {
				t.Errorf("stderr %q, want a warning about %q", errOut, tt.warn)
			}
		})
	}
}

// A directory (anything ls takes) is exported a module per session into
// --out DIR, named by recording order, kind, path and id, with index.mjs;
// a session of a kind export does not mock gets one line naming it, the
// others are written, and the exit status is 1.
func TestExportDirectory(t *testing.T) {
	in := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(in, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("1.ndjson", `{"type":"session","v":1,"session":"ws1","time":"2026-11-25T10:00:00Z","url":"/live?room=1"}
{"type":"message","session":"ws1","time":"2026-11-25T10:00:01Z","dir":"receive","text":"hello"}
`)
	write("2.ndjson", `{"type":"session","v":1,"session":"ev2","time":"2026-11-25T10:00:02Z","url":"/events","kind":"sse"}
{"type":"message","session":"ev2","time":"2026-11-25T10:00:03Z","dir":"receive","text":"tick","sse":{"id":"1"}}
{"type":"session","v":1,"session":"sj3","time":"2026-11-25T10:00:04Z","url":"/echo/1/a/websocket","kind":"sockjs"}
`)
	out := filepath.Join(t.TempDir(), "mocks")
	_, errOut, code := wsreplay(t, "export", "--to", "playwright", in, "--out", out)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one session not exported)", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "wsreplay: export: session sj3 is of kind sockjs") {
		t.Errorf("stderr:\n%s\nwant a line naming session sj3, then what was written and the count", errOut)
	}
	for _, name := range []string{"1-websocket-live-ws1.mjs", "2-sse-events-ev2.mjs", "index.mjs"} {
		m, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name == "index.mjs" && !strings.Contains(string(m), `import * as m1 from "./2-sse-events-ev2.mjs";`) {
			t.Errorf("index.mjs:\n%s", m)
		}
	}

	_, errOut, code = wsreplay(t, "export", "--to", "msw", in)
	if code != 2 || !strings.Contains(errOut, "holds 3 sessions; choose one with --session (ws1, ev2, sj3), or give --out DIR for a module each") {
		t.Errorf("several sessions to standard output: exit %d, %q", code, errOut)
	}
	stdout, _, code := wsreplay(t, "export", "--to", "msw", in, "--session", "ev2")
	if code != 0 || !strings.Contains(stdout, `  { at: 1000, id: "1", data: "tick" },`) {
		t.Errorf("--session ev2 of a directory: exit %d\n%s", code, stdout)
	}
}
