package replayer

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// --loop of a graphql-ws feed: the client subscribes once; each loop the
// recorded "next" messages used to come again.
func TestLoopKeepsFollowingIDs(t *testing.T) {
	for _, proto := range []string{"graphql-transport-ws", "", "plain"} {
		t.Run(proto, func(t *testing.T) {
			at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
			m := func(ms int, dir format.Dir, text string) *format.Event {
				return message("g", at(ms), dir, format.Text, []byte(text))
			}
			if proto == "plain" {
				rec := writeRecording(t, sessionLine("g", "/graphql", "", rec0),
					m(0, format.Send, `{"op":"hello"}`),
					m(5, format.Receive, `{"op":"welcome"}`),
					m(10, format.Send, `{"op":"watch","ref":"w-1"}`),
					m(20, format.Receive, `{"ref":"w-1","price":1}`),
					m(30, format.Receive, `{"ref":"w-1","price":2}`),
				)
				ts := startServer(t, &Server{Loop: true}, File(rec))
				conn := dial(t, ts, "/graphql")
				ctx := context.Background()
				conn.Write(ctx, websocket.MessageText, []byte(`{"op":"hello"}`))
				conn.Write(ctx, websocket.MessageText, []byte(`{"op":"watch","ref":"w-1"}`))
				rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				n := 0
				for {
					if _, _, err := conn.Read(rctx); err != nil {
						break
					}
					n++
				}
				t.Logf("plain: %d messages in 2 s of a 30 ms loop", n)
				if n < 20 {
					t.Errorf("loop stalled: %d messages in 2 s", n)
				}
				return
			}
			rec := writeRecording(t, sessionLine("g", "/graphql", proto, rec0),
				m(0, format.Send, `{"type":"connection_init"}`),
				m(5, format.Receive, `{"type":"connection_ack"}`),
				m(10, format.Send, `{"id":"sub-1","type":"subscribe","payload":{"query":"subscription P { price }"}}`),
				m(20, format.Receive, `{"id":"sub-1","type":"next","payload":{"data":{"price":1}}}`),
				m(30, format.Receive, `{"id":"sub-1","type":"next","payload":{"data":{"price":2}}}`),
			)
			ts := startServer(t, &Server{Loop: true}, File(rec))
			var conn *websocket.Conn
			if proto != "" {
				conn = dial(t, ts, "/graphql", proto)
			} else {
				conn = dial(t, ts, "/graphql")
			}
			ctx := context.Background()
			conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`))
			conn.Write(ctx, websocket.MessageText, []byte(`{"id":"sub-1","type":"subscribe","payload":{"query":"subscription P { price }"}}`))
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			n := 0
			for {
				_, _, err := conn.Read(rctx)
				if err != nil {
					break
				}
				n++
			}
			t.Logf("%s: %d messages in 2 s of a 30 ms loop", proto, n)
			if n < 20 {
				t.Errorf("loop stalled: %d messages in 2 s", n)
			}
		})
	}
}
