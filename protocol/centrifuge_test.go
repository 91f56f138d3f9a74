package protocol

import (
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// TestCentrifugeDetect: the JSON subprotocol, or with none the endpoint
// path; protobuf sessions and other kinds are not this profile's.
func TestCentrifugeDetect(t *testing.T) {
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"subprotocol", Opening{Subprotocol: "centrifuge-json"}, "centrifuge"},
		{"path", Opening{URL: mustURL(t, "/connection/websocket")}, "centrifuge"},
		{"path under a prefix", Opening{URL: mustURL(t, "/rt/connection/websocket?cf_ws_frame_ping_pong=true")}, "centrifuge"},
		{"protobuf subprotocol", Opening{Subprotocol: "centrifuge-protobuf", URL: mustURL(t, "/connection/websocket")}, ""},
		{"protobuf by query", Opening{URL: mustURL(t, "/connection/websocket?format=protobuf")}, ""},
		{"an SSE session", Opening{Kind: format.KindSSE, URL: mustURL(t, "/connection/websocket")}, ""},
		{"other path", Opening{URL: mustURL(t, "/connection/sse")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := Default().Detect(tt.o); p != nil {
				got = p.Name()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCentrifugeDescribe: commands and replies by method, id and
// channel; pushes by type and channel; {} is the heartbeat.
func TestCentrifugeDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"connect", send(`{"id":1,"connect":{"name":"js"}}`), Description{Kind: "connect", ID: "1", Summary: `connect id 1 {"name":"js"}`}},
		{"connect reply", receive(`{"id":1,"connect":{"client":"c1","version":"0.0.0","ping":25,"pong":true}}`),
			Description{Kind: "connect", ID: "1", Summary: `connect reply id 1 {"client":"c1","version":"0.0.0","ping":25,"pong":true}`}},
		{"subscribe", send(`{"id":2,"subscribe":{"channel":"news"}}`),
			Description{Kind: "subscribe", ID: "2", Channel: "news", Summary: `subscribe "news" id 2 {"channel":"news"}`}},
		{"subscribe reply", receive(`{"id":2,"subscribe":{}}`), Description{Kind: "subscribe", ID: "2", Summary: "subscribe reply id 2"}},
		{"rpc", send(`{"id":3,"rpc":{"method":"sum","data":[1,2]}}`),
			Description{Kind: "rpc", ID: "3", Name: "sum", Summary: `rpc "sum" id 3 {"method":"sum","data":[1,2]}`}},
		{"error reply", receive(`{"id":3,"error":{"code":103,"message":"permission denied"}}`),
			Description{Kind: "error", ID: "3", Summary: `error id 3 {"code":103,"message":"permission denied"}`}},
		{"publication", receive(`{"push":{"channel":"news","pub":{"data":{"n":1},"offset":4}}}`),
			Description{Kind: "pub", Channel: "news", Summary: `push pub "news" {"data":{"n":1},"offset":4}`}},
		{"join", receive(`{"push":{"channel":"news","join":{"info":{"user":"u"}}}}`),
			Description{Kind: "join", Channel: "news", Summary: `push join "news" {"info":{"user":"u"}}`}},
		{"server ping", receive(`{}`), Description{Kind: "ping", Heartbeat: true, Summary: "ping"}},
		{"client pong", send(`{}`), Description{Kind: "pong", Heartbeat: true, Summary: "pong"}},
		{"a ping beside a reply is no heartbeat", receive("{}\n{\"id\":2,\"subscribe\":{}}"), Description{Kind: "ping", Summary: "ping (+1 messages)"}},
		{"two pings", receive("{}\n{}"), Description{Kind: "ping", Heartbeat: true, Summary: "ping (+1 messages)"}},
		{"not json", receive("hello"), Description{}},
		{"an object of nothing known", receive(`{"x":1}`), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Centrifuge{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestCentrifugeHeartbeat: the server pings {} at the connect reply's
// interval, or every 25 s when it names none; until the reply has come,
// no beat is known yet (0 below), unless MaxFirst messages came without it.
func TestCentrifugeHeartbeat(t *testing.T) {
	var noReply []Message
	for range MaxFirst {
		noReply = append(noReply, receive(`{"push":{"channel":"a","pub":{}}}`))
	}
	tests := []struct {
		name  string
		first []Message
		want  time.Duration
	}{
		{"no messages yet", nil, 0},
		{"the connect command, no reply yet", []Message{send(`{"id":1,"connect":{}}`)}, 0},
		{"connect reply", []Message{send(`{"id":1,"connect":{}}`), receive(`{"id":1,"connect":{"client":"c","ping":10,"pong":true}}`)}, 10 * time.Second},
		{"connect reply after a push in one message", []Message{receive("{\"push\":{\"channel\":\"a\",\"pub\":{}}}\n{\"id\":1,\"connect\":{\"ping\":3}}")}, 3 * time.Second},
		{"a client's ping field is not the server's", []Message{send(`{"id":1,"connect":{"ping":1}}`)}, 0},
		{"connect reply without ping", []Message{receive(`{"id":1,"connect":{"client":"c"}}`)}, 25 * time.Second},
		{"MaxFirst messages without a connect reply", noReply, 25 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ok := Centrifuge{}.SendHeartbeat(Opening{Subprotocol: "centrifuge-json", First: tt.first})
			if tt.want == 0 {
				if ok {
					t.Errorf("got %+v; want no beat before the connect reply", b)
				}
				return
			}
			if !ok || b.Interval != tt.want || string(b.Message.Data) != "{}" || b.Message.Dir != format.Receive || b.Message.Binary {
				t.Errorf("got %+v, %v; want {} every %s", b, ok, tt.want)
			}
		})
	}
	if _, ok := Profile(Centrifuge{}).(HeartbeatReplier); ok {
		t.Error("Centrifuge answers client pings; a client's {} is a pong that needs no reply")
	}
}

// TestCentrifugePairing: replies wait for their command (same method and
// channel, or RPC method) and carry the live client's id, in a message of
// several replies too.
func TestCentrifugePairing(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"subscribe reply follows the live id", []step{
			{op: "rec", msg: `{"id":2,"subscribe":{"channel":"news"}}`},
			{op: "rec", msg: `{"id":3,"subscribe":{"channel":"chat"}}`},
			{op: "reply", msg: `{"id":2,"subscribe":{}}`, ready: false},
			{op: "live", msg: `{"id":5,"subscribe":{"channel":"chat"}}`},
			{op: "reply", msg: `{"id":2,"subscribe":{}}`, ready: false},
			{op: "reply", msg: `{"id":3,"subscribe":{"recoverable":true}}`, ready: true, want: `{"id":5,"subscribe":{"recoverable":true}}`},
			{op: "live", msg: `{"id":4,"subscribe":{"channel":"news"}}`},
			{op: "reply", msg: "{\"id\":2,\"subscribe\":{}}\n{\"push\":{\"channel\":\"news\",\"pub\":{}}}\n{\"id\":3,\"error\":{\"code\":1}}", ready: true,
				want: "{\"id\":4,\"subscribe\":{}}\n{\"push\":{\"channel\":\"news\",\"pub\":{}}}\n{\"id\":5,\"error\":{\"code\":1}}"},
		}},
		{"rpc by method", []step{
			{op: "rec", msg: `{"id":7,"rpc":{"method":"a"}}`},
			{op: "rec", msg: `{"id":8,"rpc":{"method":"b"}}`},
			{op: "live", msg: `{"id":1,"rpc":{"method":"b","data":{}}}`},
			{op: "reply", msg: `{"id":7,"rpc":{"data":1}}`, ready: false},
			{op: "reply", msg: `{"id":8,"rpc":{"data":2}}`, ready: true, want: `{"id":1,"rpc":{"data":2}}`},
		}},
		{"pings and pushes keep the clock", []step{
			{op: "reply", msg: `{}`, ready: true},
			{op: "reply", msg: `{"push":{"channel":"x","pub":{"data":{"id":2}}}}`, ready: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runSteps(t, Centrifuge{}, tt.steps) })
	}
}

// TestCentrifugeSplitter: a message of several replies is cut after each
// newline, keeping it.
func TestCentrifugeSplitter(t *testing.T) {
	s := Centrifuge{}.NewSplitter()
	got := s.Split(receive("{}\n{\"id\":1,\"connect\":{}}\n{\"push\":{}}"))
	want := []string{"{}\n", "{\"id\":1,\"connect\":{}}\n", "{\"push\":{}}"}
	if len(got) != len(want) {
		t.Fatalf("got %d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i].Data) != want[i] || got[i].Dir != format.Receive {
			t.Errorf("message %d: %+v, want %q", i, got[i], want[i])
		}
	}
	if d := (Centrifuge{}).Describe(got[1]); d.Kind != "connect" || d.ID != "1" {
		t.Errorf("a cut reply with its newline: %+v", d)
	}
}
