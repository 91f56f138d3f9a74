package e2e

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// recordedSessionLines returns "kind protocol url" of every session
// recorded in dir, sorted.
func recordedSessionLines(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	var out []string
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		r := format.NewReader(strings.NewReader(string(raw)), &format.ReaderOptions{Name: name})
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Type == format.TypeSession {
				out = append(out, e.Kind.String()+" "+e.Protocol+" "+e.URL)
			}
		}
		r.Close()
	}
	sort.Strings(out)
	return out
}

// countInRecordings counts s in the recordings of dir.
func countInRecordings(t *testing.T, dir, s string) int {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	n := 0
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		n += strings.Count(string(raw), s)
	}
	return n
}

// withoutBootstraps returns a directory holding the recordings of dir but
// the bootstraps' (poll sessions): a recording made before they were
// recorded.
func withoutBootstraps(t *testing.T, dir string) string {
	t.Helper()
	out := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), `"kind":"poll"`) {
			if err := os.WriteFile(filepath.Join(out, filepath.Base(name)), raw, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// withoutQuery cuts the query (SockJS's t= cache-buster) off each line.
func withoutQuery(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i], _, _ = strings.Cut(l, "?")
	}
	return out
}

type sockJSRun struct {
	Transport string   `json:"transport"`
	Messages  []string `json:"messages"`
	Close     *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"close"`
	Error string `json:"error"`
}

// sockjs-client 1.6 with its default transports against sockjs-node 0.3,
// through wsreplay record with no flag, then against wsreplay serve with
// only the URL changed: the same transcript, for two connections (a page
// reload), each of whose GET /echo/info is answered (never 404 or 204) and
// whose websocket on new random path parts gets a recorded session; and
// the same from a recording without the /info exchanges (an older one).
func TestSockJSNoFlag(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "sockjs-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live []sockJSRun
	runNode(t, &live, "sockjs-client.mjs", httpURL(proxyURL)+"/echo")
	dir := stopRecord()
	if len(live) != 2 || live[0].Transport != "websocket" || len(live[0].Messages) != 4 || live[0].Close == nil || live[0].Close.Code != 3000 {
		t.Fatalf("live run: %+v", live)
	}
	got := withoutQuery(recordedSessionLines(t, dir))
	want := []string{"poll sockjs /echo/info", "poll sockjs /echo/info", "sockjs  /echo/", "sockjs  /echo/"}
	for i := range got {
		if i < len(want) && strings.HasPrefix(want[i], "sockjs") && strings.HasPrefix(got[i], want[i]) {
			got[i] = want[i] // the server and session parts are random
		}
	}
	sameJSON(t, "recorded sessions", want, got)

	for _, tt := range []struct{ name, dir string }{{"recorded /info", dir}, {"no /info recorded", withoutBootstraps(t, dir)}} {
		url := httpURL(serve(t, tt.dir))
		var replay []sockJSRun
		runNode(t, &replay, "sockjs-client.mjs", url+"/echo")
		sameJSON(t, "sockjs-client, "+tt.name, live, replay)
	}
}

type signalRRun struct {
	Transport string   `json:"transport"`
	News      []string `json:"news"`
	Results   []string `json:"results"`
	Error     string   `json:"error"`
}

// @microsoft/signalr 10 with the default negotiation against a hub server
// written from the published protocol documents, through wsreplay record
// with no flag, then against wsreplay serve with only the URL changed: the
// same transcript for two start()s of one HubConnection, each negotiate
// answered with fresh ids and the WebSocket presenting the token played.
// The negotiate answers are recorded with their connectionToken hidden; a
// recording without them (an older one) replays the same.
func TestSignalRNoFlag(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "signalr-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live []signalRRun
	runNode(t, &live, "signalr-client.mjs", httpURL(proxyURL)+"/hub")
	dir := stopRecord()
	if len(live) != 2 || live[0].Transport != "WebSocketTransport" || len(live[1].News) != 3 || len(live[1].Results) != 2 {
		t.Fatalf("live run: %+v", live)
	}
	got := recordedSessionLines(t, dir)
	want := []string{"poll signalr /hub/negotiate?negotiateVersion=1", "poll signalr /hub/negotiate?negotiateVersion=1",
		"websocket  /hub?id=%5Bredacted%5D", "websocket  /hub?id=%5Bredacted%5D"}
	sameJSON(t, "recorded sessions", want, got)
	if n := countInRecordings(t, dir, `\"connectionToken\":\"[redacted]\"`); n != 2 {
		t.Errorf("%d negotiate answers recorded with their connectionToken hidden, want 2", n)
	}

	for _, tt := range []struct{ name, dir string }{{"recorded negotiate", dir}, {"no negotiate recorded", withoutBootstraps(t, dir)}} {
		url := httpURL(serve(t, tt.dir))
		var replay []signalRRun
		runNode(t, &replay, "signalr-client.mjs", url+"/hub")
		sameJSON(t, "@microsoft/signalr, "+tt.name, live, replay)
	}
}
