package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// exportRecording is a session with text (JSON and not, non-ASCII) and
// binary messages, a client message in the middle, and an ending.
func exportRecording(t *testing.T, dir, ending string) string {
	t.Helper()
	data := `{"type":"session","v":1,"session":"exp-1","time":"2026-11-25T10:00:00Z","url":"/live?room=1"}
{"type":"message","session":"exp-1","time":"2026-11-25T10:00:00.010Z","dir":"receive","text":"{\"type\":\"hello\"}"}
{"type":"message","session":"exp-1","time":"2026-11-25T10:00:00.020Z","dir":"send","text":"hello from the client"}
{"type":"message","session":"exp-1","time":"2026-11-25T10:00:00.030Z","dir":"receive","binary":"AAEC/w=="}
{"type":"message","session":"exp-1","time":"2026-11-25T10:00:00.040Z","dir":"receive","text":"third ✓ \u2028 \"quoted\""}
` + ending + "\n"
	p := filepath.Join(dir, "rec.ndjson")
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	cleanEnding = `{"type":"close","session":"exp-1","time":"2026-11-25T10:00:00.050Z","by":"server","code":4001,"reason":"bye now","clean":true}`
	dropEnding  = `{"type":"close","session":"exp-1","time":"2026-11-25T10:00:00.050Z","by":"server","code":1006,"clean":false}`
)

type exportEvent struct {
	Ev       string `json:"ev"`
	Data     string `json:"data,omitempty"`
	Code     int    `json:"code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	WasClean bool   `json:"wasClean,omitempty"`
	T        int    `json:"t,omitempty"`
}

type exportRun struct {
	Log    []exportEvent `json:"log"`
	Client []string      `json:"client"`
}

// exportCases are what each generated module must do: the messages in
// order, then the ending; with wait, nothing recorded after the client's
// message before the client has sent it.
var exportCases = []struct {
	name, ending, options string
	sidecar               bool
	close                 exportEvent
	dial                  string // the client's URL; "": the recorded path
}{
	{"clean close", cleanEnding, `{"speed":"max"}`, false, exportEvent{Ev: "close", Code: 4001, Reason: "bye now", WasClean: true}, ""},
	{"recorded pace", cleanEnding, `{"speed":1}`, false, exportEvent{Ev: "close", Code: 4001, Reason: "bye now", WasClean: true}, ""},
	{"wait", cleanEnding, `{"speed":"max","wait":true,"clientDelay":300}`, false, exportEvent{Ev: "close", Code: 4001, Reason: "bye now", WasClean: true}, ""},
	// Neither API can drop a mocked socket: the closest is code 1006,
	// which the client sees with wasClean true (documented in the module).
	{"drop", dropEnding, `{"speed":0}`, false, exportEvent{Ev: "close", Code: 1006, WasClean: true}, ""},
	{"sidecar", cleanEnding, `{"speed":"max"}`, true, exportEvent{Ev: "close", Code: 4001, Reason: "bye now", WasClean: true}, ""},
	// url: a path the recording was not made on, as a Playwright glob (on
	// a BrowserContext) or an MSW URL.
	{"url", cleanEnding, `{"speed":"max","url":"**/elsewhere/*","onContext":true}`, false,
		exportEvent{Ev: "close", Code: 4001, Reason: "bye now", WasClean: true}, "ws://app.example/elsewhere/feed"},
}

func TestExportPlaywright(t *testing.T) {
	need(t, true)
	testExport(t, "playwright", "export-playwright.mjs")
}

func TestExportMSW(t *testing.T) {
	need(t, false)
	needPackage(t, "msw")
	// Node 20 has its global WebSocket, which MSW intercepts, behind a flag.
	testExport(t, "msw", "--experimental-websocket", "export-msw.mjs")
}

func testExport(t *testing.T, to string, script ...string) {
	for _, tc := range exportCases {
		t.Run(tc.name, func(t *testing.T) {
			// The module imports its packages (msw) from this directory's
			// node_modules: it has to live below it.
			dir, err := os.MkdirTemp(".", ".export-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			rec := exportRecording(t, dir, tc.ending)
			module := filepath.Join(dir, "rec."+to+".mjs")
			args := []string{"export", "--to", to, rec, "--out", module}
			if tc.sidecar {
				args = append(args, "--sidecar", "always")
			}
			if out, err := exec.Command(wsreplayBin, args...).CombinedOutput(); err != nil {
				t.Fatalf("wsreplay export: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(dir, "rec."+to+".json")); (err == nil) != tc.sidecar {
				t.Errorf("sidecar written: %v, want %v", err == nil, tc.sidecar)
			}
			options, dial := tc.options, tc.dial
			if dial == "" {
				dial = "ws://app.example/live?room=1"
			}
			if to == "msw" {
				options = strings.Replace(options, `"**/elsewhere/*"`, `"ws://app.example/elsewhere/feed"`, 1)
			}
			var got exportRun
			runNode(t, &got, script[0], append(script[1:], module, dial, options)...)
			checkExportRun(t, got, tc.close, tc.name == "wait")
		})
	}
}

func checkExportRun(t *testing.T, got exportRun, close exportEvent, wait bool) {
	t.Helper()
	var evs []exportEvent
	for _, e := range got.Log {
		e.T = 0
		evs = append(evs, e)
	}
	want := []exportEvent{
		{Ev: "open"},
		{Ev: "message", Data: `{"type":"hello"}`},
		{Ev: "message", Data: "binary:000102ff"},
		{Ev: "message", Data: "third ✓ \u2028 \"quoted\""},
		close,
	}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("the client saw\n%+v\nwant\n%+v", evs, want)
	}
	if !wait {
		return
	}
	if !reflect.DeepEqual(got.Client, []string{"hello from the client"}) {
		t.Errorf("onClientMessage got %q, want the client's message", got.Client)
	}
	// The binary message was recorded after the client's message, which
	// the client sends 300 ms after open.
	if len(got.Log) > 2 && got.Log[2].T < 290 {
		t.Errorf("with wait, the message after the client's came %d ms after open, before the client sent its own (300 ms)", got.Log[2].T)
	}
}

// needPackage is need for one more Node package.
func needPackage(t *testing.T, name string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("node_modules", name)); err == nil {
		return
	}
	missing := "the Node package " + name + " is not installed (npm ci --prefix internal/e2e)"
	if os.Getenv("CI") == "true" {
		t.Fatalf("under CI every interoperability test must run, but %s", missing)
	}
	t.Skip(missing)
}
