package protocol

import (
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// TestPhoenixRecognize: by the client's path and vsn query, or with
// neither by a first client message that joins a channel.
func TestPhoenixRecognize(t *testing.T) {
	tests := []struct {
		name string
		o    Opening
		want bool
	}{
		{"vsn 2", Opening{URL: mustURL(t, "/socket/websocket?token=x&vsn=2.0.0")}, true},
		{"vsn 1", Opening{URL: mustURL(t, "/live/websocket?vsn=1.0.0")}, true},
		{"other vsn", Opening{URL: mustURL(t, "/socket/websocket?vsn=3.0.0")}, false},
		{"vsn on another path", Opening{URL: mustURL(t, "/socket?vsn=2.0.0")}, false},
		{"/websocket alone", Opening{URL: mustURL(t, "/socket/websocket")}, false},
		{"join as the first client message", Opening{URL: mustURL(t, "/ws"),
			First: []Message{receive(`hello`), send(`["1","1","room:lobby","phx_join",{}]`)}}, true},
		{"1.0.0 join", Opening{First: []Message{send(`{"topic":"room:1","event":"phx_join","payload":{},"ref":"1"}`)}}, true},
		{"first client message is no join", Opening{First: []Message{send(`["1","2","room:lobby","new_msg",{}]`),
			send(`["1","1","room:lobby","phx_join",{}]`)}}, false},
		{"a four-element array", Opening{First: []Message{send(`["1","1","room:lobby","phx_join"]`)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Phoenix{}).Recognize(tt.o); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if p := Set(nil).Detect(Opening{URL: mustURL(t, "/socket/websocket?vsn=2.0.0")}); p == nil || p.Name() != "phoenix" {
		t.Errorf("Default() detected %v, want phoenix", p)
	}
}

// TestPhoenixDescribe: event, topic, ref and a reply's status, in both
// serializers; heartbeats and their replies are heartbeats.
func TestPhoenixDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"join", send(`["3","3","room:lobby","phx_join",{"token":"t"}]`),
			Description{Kind: "phx_join", Channel: "room:lobby", ID: "3", Summary: `phx_join "room:lobby" ref "3" join_ref "3" {"token":"t"}`}},
		{"reply", receive(`["3","3","room:lobby","phx_reply",{"status":"ok","response":{}}]`),
			Description{Kind: "phx_reply", Channel: "room:lobby", Name: "ok", ID: "3",
				Summary: `phx_reply "room:lobby" ref "3" join_ref "3" {"status":"ok","response":{}}`}},
		{"broadcast", receive(`[null,null,"room:lobby","new_msg",{"body":"hi"}]`),
			Description{Kind: "new_msg", Channel: "room:lobby", Summary: `new_msg "room:lobby" {"body":"hi"}`}},
		{"heartbeat", send(`[null,"9","phoenix","heartbeat",{}]`),
			Description{Kind: "heartbeat", Channel: "phoenix", ID: "9", Heartbeat: true, Summary: `heartbeat "phoenix" ref "9"`}},
		{"heartbeat reply", receive(`[null,"9","phoenix","phx_reply",{"status":"ok","response":{}}]`),
			Description{Kind: "phx_reply", Channel: "phoenix", Name: "ok", ID: "9", Heartbeat: true,
				Summary: `phx_reply "phoenix" ref "9" {"status":"ok","response":{}}`}},
		{"1.0.0 push", send(`{"topic":"room:1","event":"new_msg","payload":{"a":1},"ref":"4"}`),
			Description{Kind: "new_msg", Channel: "room:1", ID: "4", Summary: `new_msg "room:1" ref "4" {"a":1}`}},
		{"1.0.0 error reply", receive(`{"topic":"room:1","event":"phx_reply","payload":{"status":"error","response":{"reason":"x"}},"ref":"4"}`),
			Description{Kind: "phx_reply", Channel: "room:1", Name: "error", ID: "4",
				Summary: `phx_reply "room:1" ref "4" {"status":"error","response":{"reason":"x"}}`}},
		{"no event", send(`["1","1","room:lobby","",{}]`), Description{}},
		{"binary", Message{Dir: format.Receive, Binary: true, Data: []byte{0, 1, 2}}, Description{}},
		{"not phoenix", send(`{"type":"subscribe"}`), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Phoenix{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestPhoenixHeartbeat: a client's heartbeat is answered at once with
// its own ref, in the serializer it came in; nothing else is.
func TestPhoenixHeartbeat(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string // "" for no reply
	}{
		{"v2", send(`[null,"12","phoenix","heartbeat",{}]`), `[null,"12","phoenix","phx_reply",{"status":"ok","response":{}}]`},
		{"v1", send(`{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"5"}`),
			`{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":"5"}`},
		{"number ref kept a number", send(`[null,7,"phoenix","heartbeat",{}]`), `[null,7,"phoenix","phx_reply",{"status":"ok","response":{}}]`},
		{"from the server", receive(`[null,"12","phoenix","heartbeat",{}]`), ""},
		{"a push", send(`["1","12","room:1","heartbeat",{}]`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := Phoenix{}.ReplyHeartbeat(tt.m)
			if string(r.Data) != tt.want || ok != (tt.want != "") {
				t.Fatalf("got %q, %v; want %q", r.Data, ok, tt.want)
			}
			if ok && r.Dir != format.Receive {
				t.Errorf("reply goes %s", r.Dir)
			}
		})
	}
}

// TestPhoenixPairing: a join's reply and the channel's pushes wait for
// the live join and carry its ref and join_ref; a push's reply waits for
// the live push; broadcasts without refs keep the clock.
func TestPhoenixPairing(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"join, push, reply", []step{
			{op: "rec", msg: `["3","3","room:lobby","phx_join",{}]`},
			{op: "reply", msg: `["3","3","room:lobby","phx_reply",{"status":"ok","response":{}}]`, ready: false},
			{op: "reply", msg: `["3",null,"room:lobby","presence_state",{}]`, ready: false},
			{op: "reply", msg: `[null,null,"room:lobby","new_msg",{"body":"3"}]`, ready: true},
			{op: "live", msg: `["11","11","room:lobby","phx_join",{}]`},
			{op: "reply", msg: `["3","3","room:lobby","phx_reply",{"status":"ok","response":{}}]`, ready: true,
				want: `["11","11","room:lobby","phx_reply",{"status":"ok","response":{}}]`},
			{op: "reply", msg: `["3",null,"room:lobby","presence_state",{}]`, ready: true, want: `["11",null,"room:lobby","presence_state",{}]`},
			{op: "rec", msg: `["3","4","room:lobby","new_msg",{"body":"a"}]`},
			{op: "reply", msg: `["3","4","room:lobby","phx_reply",{"status":"ok","response":{}}]`, ready: false},
			{op: "live", msg: `["11","12","room:lobby","new_msg",{"body":"a"}]`},
			{op: "reply", msg: `["3","4","room:lobby","phx_reply",{"status":"ok","response":{}}]`, ready: true,
				want: `["11","12","room:lobby","phx_reply",{"status":"ok","response":{}}]`},
		}},
		{"1.0.0 objects", []step{
			{op: "rec", msg: `{"topic":"t","event":"phx_join","payload":{},"ref":"1"}`},
			{op: "live", msg: `{"topic":"t","event":"phx_join","payload":{},"ref":"8"}`},
			{op: "reply", msg: `{"join_ref":"1","topic":"t","event":"phx_reply","payload":{"status":"ok"},"ref":"1"}`, ready: true,
				want: `{"join_ref":"8","topic":"t","event":"phx_reply","payload":{"status":"ok"},"ref":"8"}`},
			{op: "reply", msg: `{"ref":"1", "topic":"t","event":"phx_reply","payload":{},"join_ref":"1"}`, ready: true,
				want: `{"ref":"8", "topic":"t","event":"phx_reply","payload":{},"join_ref":"8"}`},
		}},
		{"topics tell joins apart", []step{
			{op: "rec", msg: `["1","1","a","phx_join",{}]`},
			{op: "rec", msg: `["2","2","b","phx_join",{}]`},
			{op: "live", msg: `["5","5","b","phx_join",{}]`},
			{op: "reply", msg: `["1","1","a","phx_reply",{"status":"ok"}]`, ready: false},
			{op: "reply", msg: `["2","2","b","phx_reply",{"status":"ok"}]`, ready: true, want: `["5","5","b","phx_reply",{"status":"ok"}]`},
		}},
		{"heartbeats are answered live, not paired", []step{
			{op: "rec", msg: `[null,"7","phoenix","heartbeat",{}]`},
			{op: "reply", msg: `[null,"7","phoenix","phx_reply",{"status":"ok","response":{}}]`, ready: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { playSteps(t, NewPairing(Phoenix{}), tt.steps) })
	}
}
