package har

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/formattest"
)

func httpSessions() []*format.Event {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms)*time.Millisecond + 123*time.Microsecond) }
	hdr := map[string][]string{"Accept": {"text/event-stream"}}
	return []*format.Event{
		{Type: format.TypeSession, Version: 1, Session: "sse1", Time: t0, Kind: format.KindSSE, URL: "/events?x=1",
			Upstream: "http://backend:3000/events?x=1", RequestHeaders: hdr,
			ResponseHeaders: map[string][]string{"Content-Type": {"text/event-stream"}}},
		{Type: format.TypeMessage, Session: "sse1", Time: at(1), Dir: format.Receive, Opcode: format.Text, Data: []byte{},
			SSE: &format.SSE{Retry: 500, NoData: true}},
		{Type: format.TypeMessage, Session: "sse1", Time: at(10), Dir: format.Receive, Opcode: format.Text, Data: []byte("a\nb"),
			SSE: &format.SSE{ID: "1", HasID: true, Event: "tick"}},
		{Type: format.TypeMessage, Session: "sse1", Time: at(20), Dir: format.Receive, Opcode: format.Text, Data: []byte("c"),
			SSE: &format.SSE{}},
		{Type: format.TypeMessage, Session: "sse1", Time: at(30), Dir: format.Receive, Opcode: format.Text, Data: []byte("d"),
			SSE: &format.SSE{HasID: true}},
		{Type: format.TypeClose, Session: "sse1", Time: at(40), By: format.ByServer, Code: 1006},
		{Type: format.TypeSession, Version: 1, Session: "p1", Time: at(50), Kind: format.KindPoll, URL: "/poll?since=0",
			Upstream: "http://backend:3000/poll?since=0", RequestHeaders: map[string][]string{"Accept": {"*/*"}}},
		{Type: format.TypeMessage, Session: "p1", Time: at(50), Dir: format.Send, Opcode: format.Text, Data: []byte{},
			HTTP: &format.HTTP{Method: "GET", URL: "/poll?since=0", Headers: map[string][]string{"Accept": {"*/*"}}}},
		{Type: format.TypeMessage, Session: "p1", Time: at(60), Dir: format.Receive, Opcode: format.Text, Data: []byte(`[1]`),
			HTTP: &format.HTTP{Status: 200, Headers: map[string][]string{"Content-Type": {"application/json"}}}},
		{Type: format.TypeMessage, Session: "p1", Time: at(70), Dir: format.Send, Opcode: format.Binary, Data: []byte{0, 0xff},
			HTTP: &format.HTTP{Method: "POST", URL: "/poll/send", Headers: map[string][]string{}}},
		{Type: format.TypeMessage, Session: "p1", Time: at(370), Dir: format.Receive, Opcode: format.Text, Data: []byte{},
			HTTP: &format.HTTP{Status: 204, Headers: map[string][]string{}}},
		{Type: format.TypeClose, Session: "p1", Time: at(400), By: format.ByClient, Code: 1000, Reason: "poller idle", Clean: true},
	}
}

// Event streams and pollers written as HAR (an eventsource entry with
// "_eventSourceMessages"; an ordinary entry per exchange) read back the
// same.
func TestHARHTTPRoundTrip(t *testing.T) {
	t.Parallel()

	evs := httpSessions()
	var buf bytes.Buffer
	if err := Write(&buf, evs, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"_eventSourceMessages"`, `"eventName": "tick"`, `"_resourceType": "eventsource"`,
		`"url": "http://backend:3000/poll/send"`, `"encoding": "base64"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("HAR lacks %s:\n%s", want, buf.String())
		}
	}
	h, err := Read(&buf, "rt.har")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != len(evs) {
		t.Fatalf("got %d events, want %d", len(h.Events), len(evs))
	}
	for i := range evs {
		if g, w := formattest.Line(t, h.Events[i]), formattest.Line(t, evs[i]); g != w {
			t.Errorf("event %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// An EventSource entry as Chrome writes it: "eventId" is the last event id
// so far; a change is an id field.
func TestReadChromeEventSource(t *testing.T) {
	t.Parallel()

	const file = `{"log":{"entries":[{"startedDateTime":"2026-11-25T10:00:00.000Z","_resourceType":"eventsource",
	"request":{"url":"http://localhost:3000/events","headers":[]},"response":{"status":200,"headers":[]},
	"_eventSourceMessages":[{"time":1795600800.5,"eventName":"message","eventId":"","data":"a"},
	{"time":1795600801,"eventName":"tick","eventId":"7","data":"b"},{"time":1795600801.5,"eventName":"message","eventId":"7","data":"c"}]}]}}`
	h, err := Read(strings.NewReader(file), "chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h.Events {
		switch e.Type {
		case format.TypeSession:
			got = append(got, string(e.Kind)+" "+e.URL)
		case format.TypeMessage:
			got = append(got, e.SSE.Event+"|"+e.SSE.ID+"|"+string(e.Data)+"|"+e.Time.Format("05.0"))
		}
	}
	want := []string{"sse /events", "||a|00.5", "tick|7|b|01.0", "||c|01.5"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A Socket.IO session written to HAR (one websocket entry of its packets,
// marked in "_wsreplay") reads back as the same socketio session, kind and
// Engine.IO parameters included, beside the other kinds.
func TestHARSocketIORoundTrip(t *testing.T) {
	t.Parallel()

	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	eio := &format.EngineIO{Version: 4, SID: "abc", PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1e6, Upgrades: []string{"websocket"}}
	evs := append([]*format.Event{
		{Type: format.TypeSession, Version: 1, Session: "sio", Time: t0, URL: "/socket.io/?EIO=4&transport=polling",
			Upstream: "ws://backend:3000/socket.io/?EIO=4&transport=polling", Kind: format.KindSocketIO, EngineIO: eio},
		{Type: format.TypeMessage, Session: "sio", Time: t0.Add(time.Millisecond), Dir: format.Receive, Opcode: format.Text, Data: []byte(`42["tick",1]`)},
		{Type: format.TypeClose, Session: "sio", Time: t0.Add(2 * time.Millisecond), By: format.ByServer, Code: 1000, Clean: true},
	}, httpSessions()...)
	var buf bytes.Buffer
	if err := Write(&buf, evs, nil); err != nil {
		t.Fatal(err)
	}
	h, err := Read(&buf, "sio.har")
	if err != nil {
		t.Fatal(err)
	}
	var z format.Summarizer
	for _, e := range h.Events {
		z.Add(e)
	}
	sums := z.Summaries()
	if len(sums) != 1+countSessions(httpSessions()) {
		t.Fatalf("read back %d sessions, want %d", len(sums), 1+countSessions(httpSessions()))
	}
	got := h.Events[0]
	if got.Kind != format.KindSocketIO || got.EngineIO == nil || got.EngineIO.SID != "abc" ||
		got.EngineIO.PingInterval != 25000 || got.EngineIO.MaxPayload != 1e6 {
		t.Errorf("session line %+v, engineio %+v: want socketio with the parameters", got, got.EngineIO)
	}
}

func countSessions(evs []*format.Event) int {
	n := 0
	for _, e := range evs {
		if e.Type == format.TypeSession {
			n++
		}
	}
	return n
}
