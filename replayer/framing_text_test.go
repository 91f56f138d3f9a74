package replayer

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

func TestFramingTextAfterPartialNoPanic(t *testing.T) {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	pub := mqPublishQ0("hello world, long enough")
	evs := []*format.Event{sessionLine("m", "/mqtt", "mqtt", rec0),
		message("m", at(0), format.Send, format.Binary, mqConnect),
		message("m", at(5), format.Receive, format.Binary, pub[:len(pub)-1]),
		message("m", at(6), format.Receive, format.Text, []byte("x")),
	}
	ts := startServer(t, &Server{}, File(writeRecording(t, evs...)))
	conn := dial(t, ts, "/mqtt", "mqtt")
	conn.Write(context.Background(), websocket.MessageBinary, mqConnect)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			t.Logf("read: %v", err)
			break
		}
		t.Logf("%v %q", typ, data)
	}
}
