package replayer

import (
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/internal/engineio"
)

// With --wait, a step that passes the recorded emit before the client has
// made its own parks the ack answer; the client's emit then gets it under
// the client's ack id, not the recorded one.
func TestEngineIOWaitStepAckID(t *testing.T) {
	ts := startServer(t, &Server{Wait: true, Paused: true}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40")
	waitReplay(t, ts, "r1")
	mustCall(t, ts, "POST", "replays/r1/step", `{"until":"^430","regex":true}`)
	eioDo(t, "POST", sid, "", `427["ask",1]`)
	all, _ := pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), "43") })
	if got := string(all[len(all)-1].Data); got != `437[2]` {
		t.Errorf("ack answer %q, want 437[2] (the client's ack id 7)", got)
	}
}
