package replayer

import (
	"bytes"
	"context"
	"encoding/hex"

	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// mqttOf builds an MQTT packet (mqttPacket) of a body in parts.
func mqttOf(first byte, body ...[]byte) []byte { return mqttPacket(first, bytes.Join(body, nil)...) }

func mqttString(s string) []byte { return append([]byte{0, byte(len(s))}, s...) }
func mqttID(n int) []byte        { return []byte{byte(n >> 8), byte(n)} }

// The packets of the MQTT 3.1.1 session the tests below replay.
var (
	mqConnect   = mqttOf(0x10, mqttString("MQTT"), []byte{4, 0x02}, mqttID(2), mqttString("js_1"))
	mqSubscribe = func(id int) []byte { return mqttOf(0x82, mqttID(id), mqttString("room/1"), []byte{1}) }
	mqPublishQ1 = func(id int) []byte { return mqttOf(0x32, mqttString("room/1"), mqttID(id), []byte("hi")) }
	mqPublishQ0 = func(text string) []byte { return mqttOf(0x30, mqttString("room/1"), []byte(text)) }
	mqPingreq   = []byte{0xc0, 0}
	mqPingresp  = []byte{0xd0, 0}
)

// mqttSplitRecording is an MQTT session as mqtt.js and aedes over
// WebSocket streams record it: most packets cut over several WebSocket
// messages (a write each for the header, the length, the packet id...),
// the SUBACK's and PUBACK's packet ids in messages of their own; a
// broker's PUBLISH and PINGRESP in one message.
func mqttSplitRecording(t *testing.T) string {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	var evs []*format.Event
	add := func(ms int, dir format.Dir, pieces ...[]byte) {
		for _, p := range pieces {
			evs = append(evs, message("m", at(ms), dir, format.Binary, p))
		}
	}
	sub, pub := mqSubscribe(7), mqPublishQ1(8)
	add(0, format.Send, mqConnect[:1], mqConnect[1:2], mqConnect[2:8], mqConnect[8:])
	add(5, format.Receive, []byte{0x20}, []byte{0x02}, []byte{0, 0})
	add(50, format.Send, sub[:1], sub[1:2], sub[2:4], sub[4:])
	add(60, format.Receive, []byte{0x90}, []byte{0x03}, mqttID(7), []byte{1})
	add(70, format.Send, mqPingreq)
	add(75, format.Receive, append(mqPublishQ0("hello"), mqPingresp...))
	add(100, format.Send, pub[:1], pub[1:2], pub[2:10], pub[10:])
	add(110, format.Receive, []byte{0x40}, []byte{0x02}, mqttID(8))
	add(120, format.Receive, mqPublishQ0("hi"))
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: "m", Time: at(200), By: format.ByClient, Code: 1000, Clean: true})
	return writeRecording(t, append([]*format.Event{sessionLine("m", "/mqtt", "mqtt", rec0)}, evs...)...)
}

// TestMQTTSplitPacketsFollowTheClient: in a replay of an MQTT session
// whose packets span WebSocket messages, the SUBACK and PUBACK carry the
// packet ids the live client chose, in the recorded pieces (byte-exact
// but for the id bytes), never before the client's request; a PINGREQ
// inside a bigger message is answered at once; the recorded PINGRESP
// sharing a message with a PUBLISH is left out and the PUBLISH goes. The
// live client cuts its packets otherwise than the recorded one, and is on
// time or 300 ms slower than recorded before each request.
func TestMQTTSplitPacketsFollowTheClient(t *testing.T) {
	for _, c := range []struct {
		name string
		late time.Duration
	}{{"on time", 0}, {"client 300ms slower", 300 * time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, &Server{}, File(mqttSplitRecording(t)))
			conn := dial(t, ts, "/mqtt", "mqtt")
			tr := &transcript{}
			done := make(chan struct{})
			go func() {
				defer close(done)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				for {
					_, data, err := conn.Read(ctx)
					if err != nil {
						return
					}
					tr.add(hex.EncodeToString(data))
				}
			}()
			write := func(name string, b []byte) {
				tr.add("sent " + name) // before the write: a reply cannot come before it
				if err := conn.Write(context.Background(), websocket.MessageBinary, b); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			sleepTo := func(ms int, late time.Duration) {
				time.Sleep(time.Until(start.Add(time.Duration(ms)*time.Millisecond + late)))
			}
			write("connect", mqConnect)
			sleepTo(50, c.late)
			write("subscribe", append(mqSubscribe(1001), mqPingreq...))
			sleepTo(70, c.late)
			write("pingreq", mqPingreq)
			sleepTo(100, 2*c.late)
			pub := mqPublishQ1(1002)
			write("publish", pub[:3])
			write("publish rest", pub[3:])
			want := []string{"20", "02", "0000", "90", "03", "03e9", "01", hex.EncodeToString(mqPublishQ0("hello")),
				"40", "02", "03ea", hex.EncodeToString(mqPublishQ0("hi"))}
			deadline := time.Now().Add(10 * time.Second)
			for len(serverMessages(tr)) < len(want)+2 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			conn.Close(websocket.StatusNormalClosure, "")
			<-done
			tr.mu.Lock()
			events := slices.Clone(tr.events)
			tr.mu.Unlock()
			var data []string
			pings := 0
			for _, ev := range serverMessages(tr) {
				if ev == "d000" {
					pings++
					continue
				}
				data = append(data, ev)
			}
			if !slices.Equal(data, want) {
				t.Errorf("server messages:\n got %q\nwant %q", data, want)
			}
			if pings != 2 {
				t.Errorf("%d PINGRESPs, want 2 (the live PINGREQs', none recorded)\ntranscript: %q", pings, events)
			}
			after := map[string]string{"90": "sent subscribe", "03e9": "sent subscribe", "d000": "sent subscribe",
				"40": "sent publish rest", "03ea": "sent publish rest"}
			for i, ev := range events {
				if req, ok := after[ev]; ok && !slices.Contains(events[:i], req) {
					t.Errorf("%s came before %q\ntranscript: %q", ev, req, events)
				}
			}
		})
	}
}

// serverMessages returns the messages a transcript holds, in order.
func serverMessages(tr *transcript) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for _, ev := range tr.events {
		if !strings.HasPrefix(ev, "sent ") {
			out = append(out, ev)
		}
	}
	return out
}

// TestMQTTHeartbeatNotInsideAPacket: a PINGREQ the client sends while the
// replay has sent part of a packet (aedes writes a CONNACK in pieces) is
// answered once the packet is whole, not between its pieces, where the
// client would read the PINGRESP as the rest of the packet.
func TestMQTTHeartbeatNotInsideAPacket(t *testing.T) {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	file := writeRecording(t, sessionLine("m", "/mqtt", "mqtt", rec0),
		message("m", at(0), format.Send, format.Binary, mqConnect),
		message("m", at(10), format.Receive, format.Binary, []byte{0x20}),
		message("m", at(10), format.Receive, format.Binary, []byte{0x02}),
		message("m", at(600), format.Receive, format.Binary, []byte{0, 0}),
		message("m", at(700), format.Receive, format.Binary, mqPublishQ0("hi")))
	ts := startServer(t, &Server{}, File(file))
	conn := dial(t, ts, "/mqtt", "mqtt")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageBinary, mqConnect); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 2 {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, hex.EncodeToString(data))
	}
	if err := conn.Write(ctx, websocket.MessageBinary, mqPingreq); err != nil { // the CONNACK half sent
		t.Fatal(err)
	}
	for len(got) < 5 {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, hex.EncodeToString(data))
	}
	want := []string{"20", "02", "0000", "d000", hex.EncodeToString(mqPublishQ0("hi"))}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestEndingCausedByTheClientFlushesFirst: a recorded close the client
// caused waits for the client's message, and what the replay has to send
// before it goes out first (here the CONNACK the client waits for before it
// sends its DISCONNECT), even when every recorded message is due at once.
func TestEndingCausedByTheClientFlushesFirst(t *testing.T) {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	disconnect := []byte{0xe0, 0}
	file := writeRecording(t, sessionLine("m", "/mqtt", "mqtt", rec0),
		message("m", at(0), format.Send, format.Binary, mqConnect),
		message("m", at(10), format.Receive, format.Binary, []byte{0x20, 2, 0, 0}),
		message("m", at(10), format.Send, format.Binary, disconnect),
		&format.Event{Type: format.TypeClose, Session: "m", Time: at(10), By: format.ByServer, Code: format.CodeAbnormal})
	ts := startServer(t, &Server{}, File(file))
	conn := dial(t, ts, "/mqtt", "mqtt")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageBinary, mqConnect); err != nil {
		t.Fatal(err)
	}
	if _, data, err := conn.Read(ctx); err != nil || hex.EncodeToString(data) != "20020000" {
		t.Fatalf("got %x, %v; want the CONNACK", data, err)
	}
	if err := conn.Write(ctx, websocket.MessageBinary, disconnect); err != nil {
		t.Fatal(err)
	}
	if _, _, err := conn.Read(ctx); websocket.CloseStatus(err) != -1 || ctx.Err() != nil {
		t.Errorf("ended with %v, want the recorded drop", err)
	}
}
