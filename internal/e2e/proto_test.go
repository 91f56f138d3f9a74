package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// protoCase is one protocol's interoperability test: a real server and a
// client application on the protocol's real client library (proto-NAME.mjs,
// see proto-lib.mjs), recorded through wsreplay record and replayed by
// wsreplay serve with only the URL changed.
type protoCase struct {
	server string // the server script, which prints "listening PORT"
	// start, if set, starts the server instead (one that is not a Node
	// script) and returns its port.
	start  func(t *testing.T) string
	client string // the client application script
	path   string // the path and query the client connects to
	// timeout is the longest the client waits for a heartbeat's answer
	// (or, with no heartbeat, for a reply) before it gives up on the
	// connection: the replay must keep it through twice that past the
	// recording's end and through a pause of twice that.
	timeout time.Duration
	// events is how many events the live transcript has, its end line
	// left out.
	events int
	// beats: the client counts the heartbeats answered; lingering past the
	// recording's end, it must count some.
	beats bool
	// protocol is the profile the recording's session line names, told
	// by the upgrade; "" for a protocol told only by its first messages,
	// which the session line, written before them, cannot name.
	protocol string
}

// transcript is what a client application printed: its events in order,
// and its last line.
type transcript struct {
	events []json.RawMessage
	end    struct {
		End   string `json:"end"`
		Beats int    `json:"beats"`
		Error string `json:"error"`
	}
	stderr string
}

// runTranscript runs a client application to its end. Any goroutine may
// call it.
func runTranscript(script string, args ...string) transcript {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var tr transcript
	tr.stderr = stderr.String()
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	for i, l := range lines {
		if i == len(lines)-1 {
			if jerr := json.Unmarshal(l, &tr.end); jerr != nil || (tr.end.End == "" && tr.end.Error == "") {
				tr.end.Error = fmt.Sprintf("no end line (exit: %v): %s", err, l)
			}
			break
		}
		tr.events = append(tr.events, json.RawMessage(l))
	}
	if err != nil && tr.end.Error == "" {
		tr.end.Error = fmt.Sprintf("exit: %v", err)
	}
	return tr
}

// String shows the transcript, one event a line, and how it ended.
func (tr transcript) String() string {
	var b strings.Builder
	for i, e := range tr.events {
		fmt.Fprintf(&b, "  %2d %s\n", i+1, e)
	}
	if tr.end.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", tr.end.Error)
		if stderr := strings.TrimSpace(tr.stderr); stderr != "" {
			if len(stderr) > 2000 {
				stderr = stderr[:2000] + " …"
			}
			fmt.Fprintf(&b, "  stderr: %s\n", stderr)
		}
	} else {
		fmt.Fprintf(&b, "  end: ok, %d heartbeats\n", tr.end.Beats)
	}
	return b.String()
}

// diff names the first event where replay differs from live.
func (tr transcript) diff(live transcript) string {
	for i := range max(len(tr.events), len(live.events)) {
		var l, r any
		if i < len(live.events) {
			json.Unmarshal(live.events[i], &l)
		}
		if i < len(tr.events) {
			json.Unmarshal(tr.events[i], &r)
		}
		if i >= len(live.events) || i >= len(tr.events) || !reflect.DeepEqual(l, r) {
			show := func(evs []json.RawMessage) string {
				if i < len(evs) {
					return string(evs[i])
				}
				return "(nothing)"
			}
			return fmt.Sprintf("event %d: live %s, replay %s", i+1, show(live.events), show(tr.events))
		}
	}
	return ""
}

// sessionProtocols returns the protocol named by the session line of
// each recording in dir.
func sessionProtocols(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if len(files) == 0 {
		t.Fatalf("no recording in %s", dir)
	}
	var protocols []string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := bufio.NewReader(f).ReadBytes('\n')
		f.Close()
		var line struct {
			Type     string `json:"type"`
			Protocol string `json:"protocol"`
		}
		if err := json.Unmarshal(first, &line); err != nil || line.Type != "session" {
			t.Fatalf("%s begins with %q, not a session line", name, first)
		}
		protocols = append(protocols, line.Protocol)
	}
	return protocols
}

// protoVariant is one way of replaying: the speed and the client's
// arguments (see proto-lib.mjs).
type protoVariant struct {
	name  string
	speed string
	args  func(control string) []string
}

func protoVariants(timeout time.Duration) []protoVariant {
	twice := fmt.Sprint((2 * timeout).Milliseconds())
	pauseAndLinger := func(control string) []string {
		return []string{"pause=" + twice, "control=" + control, "linger=" + twice}
	}
	return []protoVariant{
		{"url-swap", "1", func(string) []string { return nil }},
		{"late-300ms", "1", func(string) []string { return []string{"late=300"} }},
		{"pause-and-linger", "1", pauseAndLinger},
		{"pause-and-linger-speed-0.5", "0.5", pauseAndLinger},
	}
}

// testProtocol records the client application live through wsreplay
// record, then replays the recording to the same application under each
// variant: its transcript must equal the live one. The variants run at
// once, each against its own wsreplay serve (go test runs only GOMAXPROCS
// parallel tests at a time, and these mostly wait).
func testProtocol(t *testing.T, pc protoCase) {
	need(t, false)
	t.Parallel()
	port := ""
	if pc.start != nil {
		port = pc.start(t)
	} else {
		_, port = startNode(t, pc.server)
	}
	proxyURL, stopRecord := record(t, port)
	// A client that waits for what never comes gives up after this.
	deadline := "deadline=" + fmt.Sprint((10*time.Second + 4*pc.timeout).Milliseconds())
	live := runTranscript(pc.client, proxyURL+pc.path, deadline)
	dir := stopRecord()
	if live.end.Error != "" || len(live.events) != pc.events {
		t.Fatalf("live through wsreplay record: want %d events and an ok end, got\n%s", pc.events, live)
	}
	if pc.protocol != "" {
		for _, got := range sessionProtocols(t, dir) {
			if got != pc.protocol {
				t.Errorf("a session line names the protocol %q, want %q", got, pc.protocol)
			}
		}
	}
	variants := protoVariants(pc.timeout)
	replays := make([]chan transcript, len(variants))
	args := make([][]string, len(variants))
	for i, v := range variants {
		url := serve(t, dir, "--speed", v.speed)
		args[i] = v.args(controlOf(t, httpURL(url)) + "/_wsreplay/api")
		replays[i] = make(chan transcript, 1)
		go func() {
			replays[i] <- runTranscript(pc.client, append([]string{url + pc.path, deadline}, args[i]...)...)
		}()
	}
	for i, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			replay := <-replays[i]
			if d := replay.diff(live); d != "" || replay.end.Error != "" {
				t.Errorf("replay (speed %s, %s) differs from live: %s\nlive:\n%sreplay:\n%s", v.speed, strings.Join(args[i], " "), d, live, replay)
			}
			if pc.beats && strings.Contains(v.name, "linger") && replay.end.Error == "" && replay.end.Beats == 0 {
				t.Errorf("lingering %v past the recording's end, the client saw no heartbeat answered", 2*pc.timeout)
			}
		})
	}
}
