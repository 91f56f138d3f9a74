package replayer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// A recorded MQTT server message that ends inside a packet, followed by a
// server TEXT message (untrusted recording): the text goes as recorded?
func TestFramingTextAfterPartialPacket(t *testing.T) {
	for _, text := range []string{"x", "abcdefghij", string(make([]byte, 40))} {
		t.Run(fmt.Sprint(len(text)), func(t *testing.T) {
			at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
			evs := []*format.Event{sessionLine("m", "/mqtt", "mqtt", rec0),
				message("m", at(0), format.Send, format.Binary, mqConnect),
				message("m", at(5), format.Receive, format.Binary, []byte{0x20, 0x02, 0x00}),
				message("m", at(6), format.Receive, format.Text, []byte(text)),
				message("m", at(7), format.Receive, format.Binary, []byte{0x00}),
			}
			ts := startServer(t, &Server{}, File(writeRecording(t, evs...)))
			conn := dial(t, ts, "/mqtt", "mqtt")
			conn.Write(context.Background(), websocket.MessageBinary, mqConnect)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			var got []string
			for {
				typ, data, err := conn.Read(ctx)
				if err != nil {
					t.Logf("read: %v", err)
					break
				}
				got = append(got, fmt.Sprintf("%v:%q", typ, data))
			}
			t.Logf("got %v", got)
			want := []string{fmt.Sprintf("%v:%q", websocket.MessageBinary, []byte{0x20, 0x02, 0x00}), fmt.Sprintf("%v:%q", websocket.MessageText, text), fmt.Sprintf("%v:%q", websocket.MessageBinary, []byte{0})}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}
