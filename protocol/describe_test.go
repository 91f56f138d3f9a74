package protocol

import (
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// TestDescribe: each profile reads its messages into kind, channel, name,
// id, heartbeat and a one-line summary; what it cannot read gets an empty
// description, so the caller shows the payload.
func TestDescribe(t *testing.T) {
	bin := Message{Dir: format.Receive, Binary: true, Data: []byte{1, 2, 3}}
	tests := []struct {
		name string
		p    Profile
		m    Message
		want Description
	}{
		{"sio event with ack", SocketIO{}, send(`42/chat,7["say","hi"]`),
			Description{Kind: "EVENT", Channel: "/chat", Name: "say", ID: "7", Summary: `socket.io EVENT /chat "say" ["hi"] ack 7`}},
		{"sio ack", SocketIO{}, receive(`43/chat,7[{"ok":true}]`),
			Description{Kind: "ACK", Channel: "/chat", ID: "7", Summary: `socket.io ACK /chat [{"ok":true}] ack 7`}},
		{"sio connect with query", SocketIO{}, send(`40/admin?x=1,{"token":1}`),
			Description{Kind: "CONNECT", Channel: "/admin", Summary: `socket.io CONNECT /admin?x=1 {"token":1}`}},
		{"sio binary event", SocketIO{}, send(`451-["up",{"_placeholder":true,"num":0}]`),
			Description{Kind: "BINARY_EVENT", Channel: "/", Name: "up", Summary: `socket.io BINARY_EVENT / "up" [{"_placeholder":true,"num":0}] +1 attachment`}},
		{"eio ping is a heartbeat", SocketIO{}, receive("2"), Description{Kind: "ping", Heartbeat: true, Summary: "engine.io ping"}},
		{"eio probe", SocketIO{}, send("2probe"), Description{Kind: "ping", Heartbeat: true, Summary: "engine.io ping probe"}},
		{"eio open", SocketIO{}, receive(`0{"sid":"a"}`), Description{Kind: "open", Summary: `engine.io open {"sid":"a"}`}},
		{"eio unknown type", SocketIO{}, receive("9x"), Description{Summary: "engine.io ? 9x"}},
		{"sio attachment", SocketIO{}, bin, Description{Kind: "attachment", Summary: "attachment 01 02 03"}},
		{"gql subscribe", GraphQLTransportWS{}, send(`{"id":"u-1","type":"subscribe","payload":{"query":"subscription OnPrice { price }"}}`),
			Description{Kind: "subscribe", Name: "OnPrice", ID: "u-1", Summary: `subscribe OnPrice id "u-1"`}},
		{"gql subscribe by operationName", GraphQLTransportWS{}, send(`{"id":"2","type":"subscribe","payload":{"operationName":"Q","query":"query Q{a} query R{b}"}}`),
			Description{Kind: "subscribe", Name: "Q", ID: "2", Summary: `subscribe Q id "2"`}},
		{"gql subscribe with variables", GraphQLTransportWS{}, send(`{"id":"4","type":"subscribe","payload":{"query":"subscription P($s: String!) { price(sym: $s) }","variables":{"s":"ACME"}}}`),
			Description{Kind: "subscribe", Name: "P", ID: "4", Summary: `subscribe P id "4" {"s":"ACME"}`}},
		{"gql anonymous query", GraphQLTransportWS{}, send(`{"id":"3","type":"subscribe","payload":{"query":"{ me { id } }"}}`),
			Description{Kind: "subscribe", Name: "query", ID: "3", Summary: `subscribe query id "3"`}},
		{"gql next", GraphQLTransportWS{}, receive(`{"id":"u-1","type":"next","payload":{"data":{"price":3}}}`),
			Description{Kind: "next", ID: "u-1", Summary: `next id "u-1" {"data":{"price":3}}`}},
		{"gql complete", GraphQLTransportWS{}, receive(`{"id":"u-1","type":"complete"}`),
			Description{Kind: "complete", ID: "u-1", Summary: `complete id "u-1"`}},
		{"gql ping", GraphQLTransportWS{}, send(`{"type":"ping"}`), Description{Kind: "ping", Heartbeat: true, Summary: "ping"}},
		{"gql pong", GraphQLTransportWS{}, receive(`{"type":"pong"}`), Description{Kind: "pong", Heartbeat: true, Summary: "pong"}},
		{"gql init", GraphQLTransportWS{}, send(`{"type":"connection_init","payload":{"token":"[redacted]"}}`),
			Description{Kind: "connection_init", Summary: `connection_init {"token":"[redacted]"}`}},
		{"gql not json", GraphQLTransportWS{}, receive(`hello`), Description{}},
		{"gql no type", GraphQLTransportWS{}, receive(`{"id":"1"}`), Description{}},
		{"gql binary", GraphQLTransportWS{}, bin, Description{}},
		{"apollo start", SubscriptionsTransportWS{}, send(`{"id":"1","type":"start","payload":{"query":"mutation Buy($n:Int){buy(n:$n)}"}}`),
			Description{Kind: "start", Name: "Buy", ID: "1", Summary: `start Buy id "1"`}},
		{"apollo ka", SubscriptionsTransportWS{}, receive(`{"type":"ka"}`), Description{Kind: "ka", Heartbeat: true, Summary: "ka"}},
		{"apollo data", SubscriptionsTransportWS{}, receive(`{"id":"1","type":"data","payload":{"data":null}}`),
			Description{Kind: "data", ID: "1", Summary: `data id "1" {"data":null}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestHeartbeats: the pings a client starts get the protocol's reply, and
// other messages none; Engine.IO 4's server pings come at the open
// packet's interval.
func TestHeartbeats(t *testing.T) {
	tests := []struct {
		name string
		p    HeartbeatReplier
		m    Message
		want string // "" for no reply
	}{
		{"eio3 ping", SocketIO{}, send("2"), "3"},
		{"eio probe", SocketIO{}, send("2probe"), "3probe"},
		{"eio server ping is not answered", SocketIO{}, receive("2"), ""},
		{"eio event", SocketIO{}, send(`42["a"]`), ""},
		{"gql ping", GraphQLTransportWS{}, send(`{"type":"ping","payload":{"t":1}}`), `{"type":"pong"}`},
		{"gql pong", GraphQLTransportWS{}, send(`{"type":"pong"}`), ""},
		{"gql subscribe", GraphQLTransportWS{}, send(`{"type":"subscribe","id":"1"}`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := tt.p.ReplyHeartbeat(tt.m)
			if got := string(r.Data); got != tt.want || ok != (tt.want != "") {
				t.Fatalf("got %q, %v; want %q", got, ok, tt.want)
			}
			if ok && r.Dir != format.Receive {
				t.Errorf("reply goes %s, want receive", r.Dir)
			}
		})
	}
	t.Run("eio4 server pings", func(t *testing.T) {
		b, ok := SocketIO{}.SendHeartbeat(Opening{Kind: format.KindSocketIO, EngineIO: &format.EngineIO{Version: 4, PingInterval: 300}})
		if !ok || b.Interval.Milliseconds() != 300 || string(b.Message.Data) != "2" || b.Message.Dir != format.Receive {
			t.Errorf("got %+v, %v", b, ok)
		}
		if _, ok := (SocketIO{}).SendHeartbeat(Opening{Kind: format.KindSocketIO, EngineIO: &format.EngineIO{Version: 3, PingInterval: 300}}); ok {
			t.Error("an Engine.IO 3 server pings")
		}
	})
}
