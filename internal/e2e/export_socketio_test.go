package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// exportSocketIO records the Socket.IO application (two namespaces, acks,
// a binary event, a binary ack answer, a silence longer than pingInterval
// + pingTimeout) with a websocket-only client in Chromium, and exports the
// session with --to to into a directory below this one (where the module
// finds msw). It returns the live transcript and the module.
func exportSocketIO(t *testing.T, to string) (sioResult, string) {
	t.Helper()
	_, port := startNode(t, "sio-app-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live sioResult
	runNode(t, &live, "sio-browser.mjs", httpURL(proxyURL), "0", "0", "websocket")
	dir := stopRecord()
	if live.Error != "" || len(live.Main) != 8 || len(live.Admin) != 2 || len(live.Transports) != 1 || live.Transports[0] != "websocket" {
		t.Fatalf("live: %+v", live)
	}
	checkSocketIOSessions(t, dir, 1)
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	out, err := os.MkdirTemp(".", ".export-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(out) })
	module := filepath.Join(out, "sio."+to+".mjs")
	if b, err := exec.Command(wsreplayBin, "export", "--to", to, files[0], "--out", module).CombinedOutput(); err != nil {
		t.Fatalf("wsreplay export: %v\n%s", err, b)
	}
	return live, module
}

// A Socket.IO session exported for Playwright answers socket.io-client in
// Chromium (websocket transport) through page.routeWebSocket, with no
// server: the client's transcript equals the live one, though it first
// emits two events the recording lacks (so that its ack ids differ from
// the recorded ones) and lingers 2 s (six ping intervals) past the end of
// the recording; at the recorded pace, and at full speed with wait.
func TestExportSocketIOPlaywright(t *testing.T) {
	need(t, true)
	live, module := exportSocketIO(t, "playwright")
	for _, options := range []string{`{}`, `{"speed":"max","wait":true}`} {
		t.Run(options, func(t *testing.T) {
			var replay sioResult
			runNode(t, &replay, "sio-browser.mjs", "http://sio.example", "2000", "2", "websocket", module, options)
			if replay.Error != "" {
				t.Errorf("replay: %s", replay.Error)
			}
			sameJSON(t, "Socket.IO export in Chromium "+options, live.seen(), replay.seen())
		})
	}
}

// The same session exported for MSW answers socket.io-client's browser
// build in Node through MSW's WebSocket interception.
func TestExportSocketIOMSW(t *testing.T) {
	need(t, true)
	needPackage(t, "msw")
	live, module := exportSocketIO(t, "msw")
	for _, options := range []string{`{}`, `{"speed":"max","wait":true}`} {
		t.Run(options, func(t *testing.T) {
			var replay sioResult
			runNode(t, &replay, "--experimental-websocket", "export-sio-msw.mjs", module, "http://sio.example", "2000", "2", options)
			if replay.Error != "" {
				t.Errorf("replay: %s", replay.Error)
			}
			sameJSON(t, "Socket.IO export under MSW "+options, live.seen(), replay.seen())
		})
	}
}
