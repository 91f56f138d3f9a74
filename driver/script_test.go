package driver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// TestPlanLeavesBeatsOut: the server's own heartbeats (ActionCable's
// pings here) are neither waited for nor counted: a client message waits
// for the application message it followed.
func TestPlanLeavesBeatsOut(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []*format.Event
	add := func(ms int, dir format.Dir, text string) {
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: "a", Time: t0.Add(time.Duration(ms) * time.Millisecond),
			Dir: dir, Opcode: format.Text, Data: []byte(text)})
	}
	evs = append(evs, &format.Event{Type: format.TypeSession, Version: 1, Session: "a", Time: t0, URL: "/cable", Subprotocol: "actioncable-v1-json"})
	add(1, format.Receive, `{"type":"welcome"}`)
	add(5, format.Send, `{"command":"subscribe","identifier":"{\"channel\":\"Chat\"}"}`)
	add(3000, format.Receive, `{"type":"ping","message":1764064803}`)
	add(3100, format.Receive, `{"identifier":"{\"channel\":\"Chat\"}","type":"confirm_subscription"}`)
	add(6000, format.Receive, `{"type":"ping","message":1764064806}`)
	add(6050, format.Send, `{"command":"message","identifier":"{\"channel\":\"Chat\"}","data":"{\"text\":\"hi\"}"}`)
	scripts, err := LoadScripts(&events{evs: evs}, "cable")
	if err != nil {
		t.Fatal(err)
	}
	s := scripts[0]
	var got []string
	for _, st := range s.steps {
		if st.ev.Dir == format.Send {
			got = append(got, fmt.Sprintf("%.20s after %d +%v", st.ev.Data, st.after, st.gap))
		}
	}
	want := []string{`{"command":"subscrib after 1 +4ms`, `{"command":"message" after 2 +2.95s`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || s.servers != 2 {
		t.Errorf("steps:\n%s\nwant:\n%s\n(%d server messages, want 2)", strings.Join(got, "\n"), strings.Join(want, "\n"), s.servers)
	}
}
