package replayer

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// protoOf returns a row's or a message's proto object, nil if none.
func protoOf(v any) map[string]any {
	p, _ := v.(map[string]any)["proto"].(map[string]any)
	return p
}

// TestAPIDescribesGraphQL: a graphql-transport-ws session's rows and
// messages carry what each message means (type, operation name, id), its
// heartbeats are marked, and the session names its protocol.
func TestAPIDescribesGraphQL(t *testing.T) {
	const id = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	evs := []*format.Event{
		sessionLine("g", "/graphql", "graphql-transport-ws", rec0),
		message("g", at(1), format.Send, format.Text, []byte(`{"type":"connection_init"}`)),
		message("g", at(2), format.Receive, format.Text, []byte(`{"type":"connection_ack"}`)),
		message("g", at(3), format.Send, format.Text, []byte(`{"type":"subscribe","id":"`+id+`","payload":{"query":"subscription OnPrice { price }"}}`)),
		message("g", at(4), format.Receive, format.Text, []byte(`{"type":"next","id":"`+id+`","payload":{"data":{"price":42}}}`)),
		message("g", at(5), format.Send, format.Text, []byte(`{"type":"ping"}`)),
		message("g", at(6), format.Receive, format.Text, []byte(`{"type":"pong"}`)),
	}
	for _, path := range []string{writePlain(t, evs...), writeRecording(t, evs...)} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ts := startServer(t, &Server{}, File(path))
			// Before the index: the first rows are described too.
			v := mustCall(t, ts, "GET", "sessions/g/messages?from=3&limit=1", "")
			if p := protoOf(v["messages"].([]any)[0]); p == nil || p["kind"] != "subscribe" || p["id"] != id {
				t.Errorf("row 3 before the index: proto %v", p)
			}
			if v := mustCall(t, ts, "GET", "sessions/g", ""); v["protocol"] != "graphql-transport-ws" {
				t.Errorf("session: protocol %v, want graphql-transport-ws", v["protocol"])
			}
			v = mustCall(t, ts, "GET", "sessions/g/messages", "")
			rows := v["messages"].([]any)
			if len(rows) != 6 {
				t.Fatalf("rows: %v", v)
			}
			sub := protoOf(rows[2])
			if sub == nil || sub["kind"] != "subscribe" || sub["name"] != "OnPrice" || sub["id"] != id || sub["heartbeat"] != nil {
				t.Errorf("row 3: proto %v, want subscribe OnPrice with its id", sub)
			}
			if s, _ := sub["summary"].(string); s != `subscribe OnPrice id "`+id+`"` {
				t.Errorf("row 3: summary %q", s)
			}
			if p := protoOf(rows[3]); p == nil || p["kind"] != "next" || p["id"] != id {
				t.Errorf("row 4: proto %v, want next with the id", p)
			}
			for _, i := range []int{4, 5} {
				if p := protoOf(rows[i]); p == nil || p["heartbeat"] != true {
					t.Errorf("row %d: proto %v, want a heartbeat", i+1, p)
				}
			}
			if p := protoOf(rows[0]); p == nil || p["heartbeat"] != nil {
				t.Errorf("row 1: proto %v, want connection_init, no heartbeat", p)
			}
			m := mustCall(t, ts, "GET", "sessions/g/messages/4", "")
			if p := protoOf(m); p == nil || p["kind"] != "next" || p["summary"] != `next id "`+id+`" {"data":{"price":42}}` {
				t.Errorf("message 4: proto %v", p)
			}
		})
	}
}

// TestAPIDescribesNoProtocol: a session no profile reads, or any session
// served with --protocol none, has rows without proto, and names no
// protocol.
func TestAPIDescribesNoProtocol(t *testing.T) {
	gql := writePlain(t, sessionLine("g", "/graphql", "graphql-transport-ws", rec0),
		message("g", rec0.Add(time.Millisecond), format.Send, format.Text, []byte(`{"type":"connection_init"}`)),
		message("g", rec0.Add(2*time.Millisecond), format.Send, format.Text, []byte(`{"type":"ping"}`)))
	for _, tt := range []struct {
		name, id string
		srv      *Server
		file     string
	}{
		{"no profile", "s1", &Server{}, tenMessages(t)},
		{"--protocol none", "g", &Server{Protocol: protocol.NoProtocol}, gql},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, tt.srv, File(tt.file))
			v := mustCall(t, ts, "GET", "sessions/"+tt.id+"/messages", "") // before the index
			for _, r := range v["messages"].([]any) {
				if p := protoOf(r); p != nil {
					t.Errorf("row %v: proto %v, want none", r.(map[string]any)["seq"], p)
				}
			}
			v = mustCall(t, ts, "GET", "sessions/"+tt.id, "")
			if _, ok := v["protocol"]; ok {
				t.Errorf("session: protocol %v, want none", v["protocol"])
			}
			v = mustCall(t, ts, "GET", "sessions/"+tt.id+"/messages", "")
			for _, r := range v["messages"].([]any) {
				if p := protoOf(r); p != nil {
					t.Errorf("row %v: proto %v, want none", r.(map[string]any)["seq"], p)
				}
			}
		})
	}
}

// mqttPacket builds an MQTT packet (fixed header byte, Remaining Length,
// body).
func mqttPacket(first byte, body ...byte) []byte {
	return append([]byte{first, byte(len(body))}, body...)
}

// TestAPIDescribesSplitMQTT: MQTT packets cut over WebSocket messages
// (mqtt.js sends a CONNECT in 9) are described on the message that
// completes them, which says where they began; the pieces before say
// they are pieces. A packet cut across a checkpoint of the index is cut
// the same when a page starts at that checkpoint.
func TestAPIDescribesSplitMQTT(t *testing.T) {
	connect := mqttPacket(0x10, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 4, 'j', 's', '_', '1')
	subscribe := mqttPacket(0x82, 0x10, 0x92, 0, 6, 'r', 'o', 'o', 'm', '/', '1', 1) // packet id 4242
	suback := mqttPacket(0x90, 0x10, 0x92, 1)
	at := func(n int) time.Time { return rec0.Add(time.Duration(n) * time.Millisecond) }
	evs := []*format.Event{sessionLine("m", "/mqtt", "mqtt", rec0)}
	n := 0
	add := func(dir format.Dir, b []byte) {
		n++
		evs = append(evs, message("m", at(n), dir, format.Binary, b))
	}
	cuts := []int{1, 2, 4, 8, 9, 10, 12, 14, len(connect)}
	for i, prev := 0, 0; i < len(cuts); prev, i = cuts[i], i+1 {
		add(format.Send, connect[prev:cuts[i]]) // messages 1..9
	}
	add(format.Receive, mqttPacket(0x20, 0, 0)) // 10: CONNACK
	for n < 254 {
		add(format.Send, []byte{0xc0, 0}) // PINGREQ
		add(format.Receive, []byte{0xd0, 0})
	}
	add(format.Send, subscribe[:3]) // 255, 256: before the checkpoint at 257
	add(format.Send, subscribe[3:6])
	add(format.Send, subscribe[6:9]) // 257, 258: after it
	add(format.Send, subscribe[9:])
	add(format.Receive, suback) // 259
	ts := startServer(t, &Server{}, File(writePlain(t, evs...)))
	mustCall(t, ts, "GET", "sessions/m", "") // the index, with its checkpoints
	v := mustCall(t, ts, "GET", "sessions/m/messages?limit=11", "")
	rows := v["messages"].([]any)
	for i := range 8 {
		if p := protoOf(rows[i]); p == nil || p["part"] != true {
			t.Errorf("row %d: proto %v, want a part", i+1, p)
		}
	}
	if p := protoOf(rows[8]); p == nil || p["kind"] != "CONNECT" || p["from_seq"] != 1.0 {
		t.Errorf("row 9: proto %v, want the CONNECT, from message 1", p)
	}
	if p := protoOf(rows[9]); p == nil || p["kind"] != "CONNACK" || p["from_seq"] != nil {
		t.Errorf("row 10: proto %v, want a CONNACK of its own", p)
	}
	if p := protoOf(rows[10]); p == nil || p["kind"] != "PINGREQ" || p["heartbeat"] != true {
		t.Errorf("row 11: proto %v, want a PINGREQ heartbeat", p)
	}
	v = mustCall(t, ts, "GET", "sessions/m/messages?from=257&limit=3", "")
	rows = v["messages"].([]any)
	if p := protoOf(rows[0]); p == nil || p["part"] != true {
		t.Errorf("row 257: proto %v, want a part", p)
	}
	if p := protoOf(rows[1]); p == nil || p["kind"] != "SUBSCRIBE" || p["id"] != "4242" || p["channel"] != "room/1" || p["from_seq"] != 255.0 {
		t.Errorf("row 258: proto %v, want SUBSCRIBE 4242 room/1 from message 255", p)
	}
	if p := protoOf(rows[2]); p == nil || p["kind"] != "SUBACK" || p["id"] != "4242" {
		t.Errorf("row 259: proto %v, want SUBACK 4242", p)
	}
	v = mustCall(t, ts, "GET", "sessions/m/messages?from=258&limit=1", "")
	if p := protoOf(v["messages"].([]any)[0]); p == nil || p["kind"] != "SUBSCRIBE" || p["from_seq"] != 255.0 {
		t.Errorf("row 258 first on its page: proto %v, want SUBSCRIBE from message 255", p)
	}
	m := mustCall(t, ts, "GET", "sessions/m/messages/258", "")
	if p := protoOf(m); p == nil || p["kind"] != "SUBSCRIBE" || p["from_seq"] != 255.0 {
		t.Errorf("message 258: proto %v", p)
	}
	v = mustCall(t, ts, "GET", "sessions/m/messages?from=258&limit=1&dir=send", "")
	if p := protoOf(v["messages"].([]any)[0]); p == nil || p["kind"] != "SUBSCRIBE" {
		t.Errorf("row 258, sent only: proto %v", p)
	}
}

// TestAPIDescribesSocketIO: a Socket.IO session's rows name the packet
// type, namespace, event and ack id, not the raw 42["tick",...].
func TestAPIDescribesSocketIO(t *testing.T) {
	at := func(n int) time.Time { return rec0.Add(time.Duration(n) * time.Millisecond) }
	s := sessionLine("sio", "/socket.io/?EIO=4&transport=websocket", "", rec0)
	s.Kind = format.KindSocketIO
	evs := []*format.Event{s,
		message("sio", at(1), format.Send, format.Text, []byte(`40/chat,`)),
		message("sio", at(2), format.Receive, format.Text, []byte(`42/chat,["tick",{"n":1}]`)),
		message("sio", at(3), format.Send, format.Text, []byte(`42/chat,7["ask",2]`)),
		message("sio", at(4), format.Receive, format.Text, []byte(`43/chat,7[4]`)),
		message("sio", at(5), format.Receive, format.Text, []byte(`2`)),
	}
	ts := startServer(t, &Server{}, File(writePlain(t, evs...)))
	mustCall(t, ts, "GET", "sessions/sio", "")
	rows := mustCall(t, ts, "GET", "sessions/sio/messages", "")["messages"].([]any)
	if p := protoOf(rows[1]); p == nil || p["kind"] != "EVENT" || p["channel"] != "/chat" || p["name"] != "tick" {
		t.Errorf("row 2: proto %v, want EVENT /chat tick", p)
	}
	if p := protoOf(rows[2]); p == nil || p["name"] != "ask" || p["id"] != "7" {
		t.Errorf("row 3: proto %v, want ask with ack id 7", p)
	}
	if p := protoOf(rows[3]); p == nil || p["kind"] != "ACK" || p["id"] != "7" {
		t.Errorf("row 4: proto %v, want ACK 7", p)
	}
	if p := protoOf(rows[4]); p == nil || p["heartbeat"] != true {
		t.Errorf("row 5: proto %v, want a heartbeat", p)
	}
}

// TestWriteTimelineDescribes: the exported timeline carries each
// message's protocol description too, for a protocol found from the
// session's first messages (JSON-RPC here), and a summary cannot end the
// script it is in.
func TestWriteTimelineDescribes(t *testing.T) {
	evs := []*format.Event{
		sessionLine("s", "/rpc", "", rec0),
		message("s", rec0.Add(time.Millisecond), format.Send, format.Text, []byte(`{"jsonrpc":"2.0","method":"</script><b>","id":"k7"}`)),
		message("s", rec0.Add(2*time.Millisecond), format.Receive, format.Text, []byte(`{"jsonrpc":"2.0","result":1,"id":"k7"}`)),
	}
	var page strings.Builder
	err := WriteTimeline(&page, TimelineSession{ID: "s", URL: "/rpc", Next: nextOf(evs)})
	if err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if strings.Count(html, "</script>") != 2 {
		t.Fatalf("a summary ends the script it is in:\n%s", html)
	}
	_, rest, _ := strings.Cut(html, `<script type="application/json" id="wsreplay-data">`)
	data, _, _ := strings.Cut(rest, "</script>")
	var got struct {
		Messages [][]any     `json:"messages"`
		Info     sessionView `json:"info"`
	}
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatalf("the data does not parse: %v\n%s", err, data)
	}
	if got.Info.Protocol != "jsonrpc" || len(got.Messages) != 2 || len(got.Messages[0]) != 5 || len(got.Messages[1]) != 5 {
		t.Fatalf("protocol %q, messages %v; want jsonrpc, each with a description", got.Info.Protocol, got.Messages)
	}
	if p := got.Messages[0][4].(map[string]any); p["name"] != "</script><b>" || p["id"] != "k7" {
		t.Errorf("message 1: proto %v", p)
	}
	if p := got.Messages[1][4].(map[string]any); p["id"] != "k7" {
		t.Errorf("message 2: proto %v", p)
	}
}
