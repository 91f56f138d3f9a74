package replayer

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// The recorded client cut its packets into several WebSocket messages; the
// server closed after its DISCONNECT. The live client sends whole packets.
func TestEndingCountsPacketsNotPieces(t *testing.T) {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	var evs []*format.Event
	add := func(ms int, dir format.Dir, pieces ...[]byte) {
		for _, p := range pieces {
			evs = append(evs, message("m", at(ms), dir, format.Binary, p))
		}
	}
	add(0, format.Send, mqConnect[:1], mqConnect[1:2], mqConnect[2:8], mqConnect[8:])
	add(5, format.Receive, []byte{0x20, 0x02, 0, 0})
	add(50, format.Send, []byte{0xe0}, []byte{0x00})
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: "m", Time: at(60), By: format.ByServer, Code: 1000, Clean: true})
	ts := startServer(t, &Server{}, File(writeRecording(t, append([]*format.Event{sessionLine("m", "/mqtt", "mqtt", rec0)}, evs...)...)))
	conn := dial(t, ts, "/mqtt", "mqtt")
	ctx := context.Background()
	conn.Write(ctx, websocket.MessageBinary, mqConnect)
	time.Sleep(50 * time.Millisecond)
	conn.Write(ctx, websocket.MessageBinary, []byte{0xe0, 0x00})
	rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	start := time.Now()
	for {
		_, data, err := conn.Read(rctx)
		if err != nil {
			t.Logf("after %.1fs: %v", time.Since(start).Seconds(), err)
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Errorf("the recorded close did not come after the live DISCONNECT")
			}
			return
		}
		t.Logf("%x", data)
	}
}
