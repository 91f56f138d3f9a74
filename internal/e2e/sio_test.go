package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// sioResult is what sio-app-client.mjs and sio-browser.mjs print.
type sioResult struct {
	Main        []any    `json:"main"`
	Admin       []any    `json:"admin"`
	Transports  []string `json:"transports"`
	Upgrades    []string `json:"upgrades"`
	Disconnects []string `json:"disconnects"`
	Final       string   `json:"final"`
	Error       string   `json:"error"`
}

// seen is what must be the same live and replayed: the events, payloads
// and ack answers of each namespace in order, the transport the client
// started on, its upgrades, and the transport it ended on.
func (r sioResult) seen() sioResult {
	return sioResult{Main: r.Main, Admin: r.Admin, Transports: r.Transports, Upgrades: r.Upgrades, Final: r.Final}
}

func httpURL(wsURL string) string { return "http" + strings.TrimPrefix(wsURL, "ws") }

// A Socket.IO 4 server (and a Socket.IO 2 one) with two namespaces, a room,
// acks (one answering a Buffer), a binary event and short ping parameters;
// the default client (polling, then upgrade), a polling-only client and a
// websocket-only client, each recorded through wsreplay record and
// replayed by wsreplay serve. The replays see the same things, though the
// client first emits two events the recording lacks (so that its ack ids
// differ from the recorded ones), stays through a silence longer than
// pingInterval + pingTimeout (1.5 s against 1.3 s), and lingers 2 s (six
// ping intervals) past the end of the recording.
func TestSocketIOApp(t *testing.T) {
	need(t, false)
	for _, version := range []string{"4", "2"} {
		t.Run("v"+version, func(t *testing.T) {
			serverArgs := []string{}
			if version == "2" {
				serverArgs = append(serverArgs, "v2")
			}
			_, port := startNode(t, "sio-app-server.mjs", serverArgs...)
			proxyURL, stopRecord := record(t, port)
			modes := []string{"default", "polling", "websocket"}
			live := map[string]sioResult{}
			for _, mode := range modes {
				var r sioResult
				runNode(t, &r, "sio-app-client.mjs", httpURL(proxyURL), "mode="+mode, "v="+version)
				if r.Error != "" || len(r.Main) != 8 || len(r.Admin) != 2 {
					t.Fatalf("live %s: %+v", mode, r)
				}
				live[mode] = r
			}
			dir := stopRecord()
			checkSocketIOSessions(t, dir, 3)
			replayURL := httpURL(serve(t, dir, "--wait"))
			for _, mode := range modes {
				var r sioResult
				runNode(t, &r, "sio-app-client.mjs", replayURL, "mode="+mode, "v="+version, "linger=2000", "noise=2")
				if r.Error != "" {
					t.Errorf("replay %s: %s", mode, r.Error)
				}
				sameJSON(t, "Socket.IO "+version+" client, "+mode, live[mode].seen(), r.seen())
			}
		})
	}
}

// checkSocketIOSessions checks that wsreplay ls lists n sessions in dir,
// each of kind socketio.
func checkSocketIOSessions(t *testing.T, dir string, n int) {
	t.Helper()
	out, err := exec.Command(wsreplayBin, "ls", "--json", dir).Output()
	if err != nil {
		t.Fatalf("wsreplay ls: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != n {
		t.Fatalf("wsreplay ls lists %d sessions, want %d:\n%s", len(lines), n, out)
	}
	for _, l := range lines {
		var s struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal([]byte(l), &s); s.Kind != "socketio" {
			t.Errorf("wsreplay ls: session of kind %q, want socketio: %s", s.Kind, l)
		}
	}
}

// The default client inside Chromium (socket.io-client's browser bundle),
// its page on another origin of this machine than the server: live
// through wsreplay record, then against the replay with no flag (its acks
// wait for its emits; --wait is not needed), polling first (CORS) and
// upgrading.
func TestSocketIOChromium(t *testing.T) {
	need(t, true)
	_, port := startNode(t, "sio-app-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live, replay sioResult
	runNode(t, &live, "sio-browser.mjs", httpURL(proxyURL))
	dir := stopRecord()
	if live.Error != "" || len(live.Main) != 8 || len(live.Transports) != 1 || live.Transports[0] != "polling" {
		t.Fatalf("live: %+v", live)
	}
	runNode(t, &replay, "sio-browser.mjs", httpURL(serve(t, dir)), "2000", "2")
	if replay.Error != "" {
		t.Errorf("replay: %s", replay.Error)
	}
	sameJSON(t, "Socket.IO in Chromium", live.seen(), replay.seen())
}

// The server drops the connection (no close); the client reconnects and
// plays again. Replayed, the recorded drop makes the client reconnect, its
// reconnection gets the next recorded session, and its acks, under new ack
// ids, are answered.
func TestSocketIOReconnect(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "sio-app-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live, replay sioResult
	runNode(t, &live, "sio-app-client.mjs", httpURL(proxyURL), "drop=1")
	dir := stopRecord()
	if live.Error != "" || len(live.Main) != 16 || len(live.Transports) != 2 {
		t.Fatalf("live: %+v", live)
	}
	checkSocketIOSessions(t, dir, 2)
	runNode(t, &replay, "sio-app-client.mjs", httpURL(serve(t, dir, "--wait")), "drop=1", "noise=2")
	if replay.Error != "" {
		t.Errorf("replay: %s", replay.Error)
	}
	sameJSON(t, "Socket.IO reconnecting", live.seen(), replay.seen())
	sameJSON(t, "Socket.IO disconnect reasons", live.Disconnects[:1], replay.Disconnects[:1])
}

// The real socket.io client takes an event injected in the event form,
// with a binary attachment, as its handlers' arguments; a text that is no
// Socket.IO packet is refused (400) and sent to nobody, and the client's
// connection lives on (it was killed with a transport error).
func TestSocketIOInject(t *testing.T) {
	need(t, false)
	base := httpURL(serve(t, "../../testdata/socketio", "--session", "f8491729f05688fe", "--paused")) // sio4.ndjson
	type result struct {
		Events []struct {
			Name string `json:"name"`
			Args []any  `json:"args"`
		} `json:"events"`
		Error string `json:"error"`
	}
	var got result
	control := controlOf(t, base)
	done := make(chan error, 1)
	go func() { done <- nodeJSON(&got, "sio-inject-client.mjs", base) }()
	inject := func(body string) int {
		resp, err := http.Post(control+"/_wsreplay/api/replays/r1/inject", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tick := `{"event":"tick","args":[{"n":1}],"attachments":["AAEC"]}`
	for deadline := time.Now().Add(30 * time.Second); inject(tick) != http.StatusOK; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) { // 404 until the replay opens, 409 until the client joins "/"
			t.Fatal("the client's replay never took an injection")
		}
	}
	if st := inject(`{"text":"{\"plain\":\"json\"}"}`); st != http.StatusBadRequest {
		t.Errorf("plain JSON as text: %d, want 400", st)
	}
	if st := inject(`{"event":"done","args":["bye"]}`); st != http.StatusOK {
		t.Errorf("done: %d", st)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `{"events":[{"name":"tick","args":[{"n":1},{"bytes":[0,1,2]}]},{"name":"done","args":["bye"]}],"error":""}`; string(b) != want {
		t.Errorf("the client got %s\nwant %s", b, want)
	}
}
