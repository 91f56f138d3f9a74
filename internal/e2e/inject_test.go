package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A page's EventSource receives an event injected through the timeline's
// inject box by its meaning (event name, id, data) and then raw data, as
// the box's two modes send them; data an EventSource would not receive as
// given (a carriage return) is refused with 400 and a one-line reason.
func TestChromiumSSEInject(t *testing.T) {
	need(t, true)
	rec := filepath.Join(t.TempDir(), "sse.ndjson")
	lines := `{"type":"session","v":1,"session":"news","time":"2026-11-25T10:00:00Z","url":"/events","kind":"sse"}
{"type":"message","session":"news","time":"2026-11-25T10:00:00.01Z","dir":"receive","text":"hello","sse":{"id":"1"}}
{"type":"message","session":"news","time":"2026-11-25T11:00:00Z","dir":"receive","text":"an hour later","sse":{"id":"2"}}
`
	if err := os.WriteFile(rec, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	base, _ := serveOne(t, rec)
	control := controlOf(t, base)
	done := make(chan error, 1)
	var got struct {
		Modes          []string `json:"modes"`
		RawHidesFields bool     `json:"rawHidesFields"`
		Log            []struct {
			Type, ID, Data string
		} `json:"log"`
		Msg    string   `json:"msg"`
		Errors []string `json:"errors"`
	}
	go func() { done <- nodeJSON(&got, "sse-inject.mjs", base, control, "news") }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) > 0 || got.Msg != "" {
		t.Fatalf("the page: errors %q, message %q", got.Errors, got.Msg)
	}
	if strings.Join(got.Modes, ",") != "event,raw" || !got.RawHidesFields {
		t.Errorf("the inject box's modes: %q (raw hides the event's fields: %v), want event,raw", got.Modes, got.RawHidesFields)
	}
	b, _ := json.Marshal(got.Log)
	want := `[{"Type":"message","ID":"1","Data":"hello"},{"Type":"tick","ID":"7","Data":"{\"n\":1}"},{"Type":"message","ID":"7","Data":"plain"}]`
	if string(b) != want {
		t.Errorf("the EventSource received %s\nwant %s", b, want)
	}
	resp, err := http.Post(control+"/_wsreplay/api/replays/r1/inject", "application/json", strings.NewReader(`{"event":"tick","data":"a\r\nb"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "carriage return") || strings.Count(strings.TrimSpace(string(body)), "\n") > 0 {
		t.Errorf("data with CRLF: %d %s, want 400 with a one-line reason", resp.StatusCode, body)
	}
}

// The real @microsoft/signalr client, on the WebSocket transport it
// negotiates, receives an event injected by its meaning as an invocation
// of its client method, with the arguments given; an event the profile
// cannot write (no target) is refused with 400.
func TestSignalRClientInject(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "signalr-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live []signalRRun
	runNode(t, &live, "signalr-client.mjs", httpURL(proxyURL)+"/hub")
	dir := stopRecord()
	if len(live) != 2 || live[0].Transport != "WebSocketTransport" {
		t.Fatalf("live run: %+v", live)
	}
	base := httpURL(serve(t, dir))
	var got struct {
		Got []struct {
			Name string `json:"name"`
			Args []any  `json:"args"`
		} `json:"got"`
		Statuses []int  `json:"statuses"`
		Closed   string `json:"closed"`
		Error    string `json:"error"`
	}
	runNode(t, &got, "signalr-inject-client.mjs", base+"/hub", controlOf(t, base))
	b, _ := json.Marshal(got.Got)
	if got.Error != "" || string(b) != `[{"name":"tick","args":[{"n":1},"x"]},{"name":"done","args":["bye"]}]` ||
		fmt.Sprint(got.Statuses) != "[200 400 200]" {
		t.Errorf("the client: %+v\ngot %s, want tick({n:1}, x) and done(bye); statuses %v, want [200 400 200]", got, b, got.Statuses)
	}
}
