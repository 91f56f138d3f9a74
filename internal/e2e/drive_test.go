package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// driveApp is an application wsreplay drive's tests record with its real
// client and then drive: the same build, and builds with a regression
// (DRIVE_CHANGE), each of which must show as a named difference.
type driveApp struct {
	name, server, client string
	clientURL            func(proxy string) string // what the client connects to, through record
	clientArgs           []string
	changes              []driveChange
}

// driveChange is a regression and the line of drive's output that names
// it: a line of the difference starting with mark ("-" removed, "+" added
// or changed, "~" retimed) and holding want.
type driveChange struct {
	change, mark, want string
}

var driveApps = []driveApp{
	{name: "ws", server: "drive-ws-server.mjs", client: "drive-ws-client.mjs",
		clientURL: func(p string) string { return p + "/app" },
		changes: []driveChange{
			{"rename", "+", `{"op":"total","sum":2}`},
			{"missing", "-", `{"op":"farewell","total":10}`},
			{"slow", "~", `{"op":"total","total":2}`},
		}},
	{name: "socketio", server: "drive-sio-server.mjs", client: "drive-sio-client.mjs",
		clientURL: httpURL,
		changes: []driveChange{
			{"rename", "+", `"text":"welcome to lobby"`},
			{"missing", "-", `"farewell" ["see you"]`},
			{"slow", "~", `[{"answer":42}]`},
		}},
	{name: "socketio-polling", server: "drive-sio-server.mjs", client: "drive-sio-client.mjs",
		clientURL: httpURL, clientArgs: []string{"polling"},
		changes: []driveChange{{"rename", "+", `"text":"welcome to lobby"`}}},
	{name: "socketio-websocket", server: "drive-sio-server.mjs", client: "drive-sio-client.mjs",
		clientURL: httpURL, clientArgs: []string{"websocket"},
		changes: []driveChange{{"rename", "+", `"text":"welcome to lobby"`}}},
	{name: "graphql-ws", server: "drive-graphql-server.mjs", client: "drive-graphql-client.mjs",
		clientURL: func(p string) string { return p + "/graphql" },
		changes: []driveChange{
			{"rename", "+", `Cannot query field`},
			{"missing", "-", `tick 3 of 3`},
			{"slow", "~", `tick 1 of 3`},
		}},
}

// TestDrive: each application is recorded through wsreplay record with its
// real client (the ws one and the Socket.IO one hand out a session id the
// client then sends back; graphql-ws's client chooses its operation ids;
// the Socket.IO client with its defaults, polling then the upgrade, and
// with one transport only),
// then driven with wsreplay drive: against the same application the
// answers are equal and drive exits 0, with what the target answered in
// --out; against a renamed field, a missing reply or a slower answer the
// difference is shown and drive exits 1.
func TestDrive(t *testing.T) {
	need(t, false)
	for _, app := range driveApps {
		t.Run(app.name, func(t *testing.T) {
			_, port := startNode(t, app.server)
			proxy, stopRecord := record(t, port)
			var got struct {
				Error string `json:"error"`
			}
			runNode(t, &got, app.client, append([]string{app.clientURL(proxy)}, app.clientArgs...)...)
			if got.Error != "" {
				t.Fatalf("live client: %s", got.Error)
			}
			dir := stopRecord()
			out := filepath.Join(t.TempDir(), "answers.ndjson")
			text, code := drive(t, "ws://127.0.0.1:"+port, dir, "--out", out)
			if code != 0 || !strings.Contains(text, "1 run: equal") {
				t.Fatalf("drive against the same app: exit %d, want 0 and equal:\n%s", code, text)
			}
			if ls, err := exec.Command(wsreplayBin, "ls", "--json", out).Output(); err != nil || strings.Count(string(ls), "\n") != 1 {
				t.Errorf("--out %s: ls says %s (%v), want one session", out, ls, err)
			}
			for _, ch := range app.changes {
				t.Run(ch.change, func(t *testing.T) {
					_, port := start(t, nodeListening, "env", "DRIVE_CHANGE="+ch.change, "node", app.server)
					text, code := drive(t, "ws://127.0.0.1:"+port, dir, "--timeout", "2s", "--time-tolerance", "300ms")
					if code != 1 || !hasLine(text, ch.mark, ch.want) {
						t.Errorf("drive against %s: exit %d, want 1 and a line %q holding %s:\n%s", ch.change, code, ch.mark, ch.want, text)
					}
				})
			}
		})
	}
}

// hasLine reports a line of text that starts with mark and holds want.
func hasLine(text, mark, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, mark) && strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// drive runs wsreplay drive and returns its output (stdout and stderr)
// and exit status.
func drive(t *testing.T, target string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, wsreplayBin, append([]string{"drive", "--target", target}, args...)...).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("drive: %v\n%s", err, out)
	}
	return string(out), 0
}

// TestDriveLoad: 200 sessions at once for 20 s against the ws application
// (its recording played over and over); the report's connections and
// messages sent equal what the application counted, with no error and no
// difference.
func TestDriveLoad(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "drive-ws-server.mjs")
	proxy, stopRecord := record(t, port)
	var got struct {
		Error string `json:"error"`
	}
	runNode(t, &got, "drive-ws-client.mjs", proxy+"/app")
	dir := stopRecord()
	before := appCount(t, port)
	text, code := drive(t, "ws://127.0.0.1:"+port, dir, "--concurrency", "200", "--duration", "20s", "--ramp-up", "2s", "--timeout", "30s", "--json")
	var res struct {
		Report struct {
			Runs, Connections, Errors, Equal, Different, Sent, Received int
			MessagesPerSecond                                           float64 `json:"messages_per_second"`
			Latency                                                     struct {
				P50 int64 `json:"p50_ns"`
				P99 int64 `json:"p99_ns"`
			} `json:"latency"`
		} `json:"report"`
	}
	if err := json.Unmarshal([]byte(text), &res); err != nil {
		t.Fatalf("drive --json: exit %d, %v:\n%s", code, err, text)
	}
	r := res.Report
	after := appCount(t, port)
	t.Logf("%d runs, %d messages sent, %d received, %.0f messages/s, answer p50 %v p99 %v", r.Runs, r.Sent, r.Received,
		r.MessagesPerSecond, time.Duration(r.Latency.P50), time.Duration(r.Latency.P99))
	if code != 0 || r.Errors != 0 || r.Different != 0 || r.Equal != r.Runs || r.Runs < 200 {
		t.Errorf("exit %d, report %+v: want 0, at least 200 runs, all equal", code, r)
	}
	if n := after.Connections - before.Connections; n != r.Connections {
		t.Errorf("the app counted %d connections, the report %d", n, r.Connections)
	}
	if n := after.Messages - before.Messages; n != r.Sent {
		t.Errorf("the app counted %d messages, the report %d sent", n, r.Sent)
	}
}

type appCounts struct{ Connections, Messages int }

func appCount(t *testing.T, port string) appCounts {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + port + "/count")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c appCounts
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c
}
