package har

import (
	"bytes"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// TestHARSockJSRoundTrip: a sockjs session written to HAR (a WebSocket
// entry of its application messages) reads back as a sockjs session with
// its messages and SockJS's close code.
func TestHARSockJSRoundTrip(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	evs := []*format.Event{
		{Type: format.TypeSession, Version: 1, Session: "sj", Time: t0, URL: "/echo/1/ab/xhr_streaming", Kind: format.KindSockJS},
		{Type: format.TypeMessage, Session: "sj", Time: t0.Add(time.Millisecond), Dir: format.Receive, Opcode: format.Text,
			Data: []byte("welcome"), Transport: "xhr-streaming"},
		{Type: format.TypeClose, Session: "sj", Time: t0.Add(2 * time.Millisecond), By: format.ByServer, Code: 3000, Reason: "Go away!", Clean: true},
	}
	var buf bytes.Buffer
	if err := Write(&buf, evs, nil); err != nil {
		t.Fatal(err)
	}
	h, err := Read(&buf, "sj.har")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 3 || h.Events[0].Kind != format.KindSockJS || string(h.Events[1].Data) != "welcome" ||
		h.Events[2].Code != 3000 || h.Events[2].Reason != "Go away!" {
		for _, e := range h.Events {
			t.Logf("%+v", e)
		}
		t.Fatal("want the sockjs session line, welcome, and the close 3000")
	}
}
