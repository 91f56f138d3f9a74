package protocol

import (
	"encoding/json"
	"strings"
	"testing"
)

// step is one event of a replay as a Pairing meets it: a recorded client
// message reached (rec), a live client message (live), or a recorded
// server message asked about (reply), with whether it may go and what it
// becomes.
type step struct {
	op    string // "rec", "live" or "reply"
	msg   string
	ready bool   // reply: may it go now
	want  string // reply: the message sent ("" the same as msg)
}

// TestPairing: replies wait for the live request that is the counterpart
// of theirs (k-th with k-th, by the protocol's "same request"), whichever
// half comes first, and go out with the live client's ids.
func TestPairing(t *testing.T) {
	tests := []struct {
		name  string
		e     Echoer
		steps []step
	}{
		{"sio ack follows the live ack id", SocketIO{}, []step{
			{op: "rec", msg: `42/chat,3["say","a"]`},
			{op: "reply", msg: `43/chat,3["ok"]`, ready: false},
			{op: "live", msg: `42/chat,11["say","a"]`},
			{op: "reply", msg: `43/chat,3["ok"]`, ready: true, want: `43/chat,11["ok"]`},
		}},
		{"sio live client ahead of the recording", SocketIO{}, []step{
			{op: "live", msg: `420["a"]`},
			{op: "live", msg: `421["a"]`},
			{op: "rec", msg: `425["a"]`},
			{op: "reply", msg: `435[1]`, ready: true, want: `430[1]`},
			{op: "rec", msg: `426["a"]`},
			{op: "reply", msg: `436[2]`, ready: true, want: `431[2]`},
		}},
		{"sio events pair by name, acks by namespace", SocketIO{}, []step{
			{op: "rec", msg: `421["a"]`},
			{op: "rec", msg: `422["b"]`},
			{op: "rec", msg: `42/x,1["a"]`},
			{op: "live", msg: `427["b"]`},
			{op: "reply", msg: `432[]`, ready: true, want: `437[]`},
			{op: "reply", msg: `431[]`, ready: false},
			{op: "reply", msg: `43/x,1[]`, ready: false},
			{op: "live", msg: `42/x,9["a"]`},
			{op: "reply", msg: `43/x,1[]`, ready: true, want: `43/x,9[]`},
			{op: "reply", msg: `431[]`, ready: false},
		}},
		{"sio binary ack", SocketIO{}, []step{
			{op: "rec", msg: `451-4["up",{"_placeholder":true,"num":0}]`},
			{op: "live", msg: `451-0["up",{"_placeholder":true,"num":0}]`},
			{op: "reply", msg: `461-4[{"_placeholder":true,"num":0}]`, ready: true, want: `461-0[{"_placeholder":true,"num":0}]`},
		}},
		{"sio answers nothing known keep the clock", SocketIO{}, []step{
			{op: "reply", msg: `42["tick",1]`, ready: true},
			{op: "reply", msg: `438["late"]`, ready: true}, // an ack of no recorded emit
		}},
		{"graphql ids follow the client's uuids", GraphQLTransportWS{}, []step{
			{op: "rec", msg: `{"id":"rec-1","type":"subscribe","payload":{"query":"subscription S { s }"}}`},
			{op: "rec", msg: `{"id":"rec-2","type":"subscribe","payload":{"query":"query Q { q }"}}`},
			{op: "reply", msg: `{"id":"rec-1","type":"next","payload":{"data":{"s":1}}}`, ready: false},
			{op: "live", msg: `{"type":"subscribe","id":"b5e1","payload":{"query":"query Q { q }"}}`},
			{op: "reply", msg: `{"id":"rec-2", "type":"next","payload":{"data":{"q":"rec-2"}}}`, ready: true,
				want: `{"id":"b5e1", "type":"next","payload":{"data":{"q":"rec-2"}}}`},
			{op: "reply", msg: `{"type":"complete","id":"rec-2"}`, ready: true, want: `{"type":"complete","id":"b5e1"}`},
			{op: "live", msg: `{"id":"77aa","type":"subscribe","payload":{"query":"subscription S { s }"}}`},
			{op: "reply", msg: `{"id":"rec-1","type":"next","payload":{"data":{"s":1}}}`, ready: true,
				want: `{"id":"77aa","type":"next","payload":{"data":{"s":1}}}`},
			{op: "reply", msg: `{"type":"pong"}`, ready: true},
		}},
		{"graphql id reused by the recording waits again", GraphQLTransportWS{}, []step{
			{op: "rec", msg: `{"id":"1","type":"subscribe","payload":{"query":"{a}"}}`},
			{op: "live", msg: `{"id":"x","type":"subscribe","payload":{"query":"{a}"}}`},
			{op: "reply", msg: `{"id":"1","type":"complete"}`, ready: true, want: `{"id":"x","type":"complete"}`},
			{op: "rec", msg: `{"id":"1","type":"subscribe","payload":{"query":"{a}"}}`},
			{op: "reply", msg: `{"id":"1","type":"complete"}`, ready: false},
			{op: "live", msg: `{"id":"y","type":"subscribe","payload":{"query":"{a}"}}`},
			{op: "reply", msg: `{"id":"1","type":"complete"}`, ready: true, want: `{"id":"y","type":"complete"}`},
		}},
		{"apollo start and data", SubscriptionsTransportWS{}, []step{
			{op: "rec", msg: `{"id":"1","type":"start","payload":{"query":"{a}"}}`},
			{op: "live", msg: `{"id":"5","type":"start","payload":{"query":"{a}"}}`},
			{op: "reply", msg: `{"id":"1","type":"data","payload":{}}`, ready: true, want: `{"id":"5","type":"data","payload":{}}`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { playSteps(t, NewPairing(tt.e), tt.steps) })
	}
}

// playSteps feeds steps to p in order and checks each reply's readiness
// and rewrite.
func playSteps(t *testing.T, p *Pairing, steps []step) {
	t.Helper()
	for i, s := range steps {
		switch s.op {
		case "rec":
			p.Recorded(send(s.msg))
		case "live":
			p.Live(send(s.msg))
		case "reply":
			m := receive(s.msg)
			if got := p.Ready(m); got != s.ready {
				t.Errorf("step %d: Ready(%q) = %v, want %v", i, s.msg, got, s.ready)
			}
			if !s.ready {
				continue
			}
			want := s.want
			if want == "" {
				want = s.msg
			}
			if got := string(p.Rewrite(m)); got != want {
				t.Errorf("step %d: Rewrite(%q)\n got %q\nwant %q", i, s.msg, got, want)
			}
		}
	}
}

// TestPairingBounded: live requests the recording never had are kept up
// to a bound, not without end.
func TestPairingBounded(t *testing.T) {
	p := NewPairing(GraphQLTransportWS{})
	for i := range 3 * maxLive {
		id, _ := json.Marshal(strings.Repeat("x", i%7) + string(rune('a'+i%26)))
		p.Live(send(`{"type":"subscribe","id":` + string(id) + `,"payload":{"query":"{never}"}}`))
	}
	if n := len(p.live["\x00{never}"]); n != maxLive {
		t.Errorf("%d live requests held, want %d", n, maxLive)
	}
}

// TestSetTopString: the member's value is replaced and every other byte
// kept; objects without the member, with it twice, or not JSON are left.
func TestSetTopString(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" for no change
	}{
		{"first", `{"id":"a","type":"next"}`, `{"id":"NEW","type":"next"}`},
		{"spaces kept", "{ \"type\" : \"next\" ,\n \"id\" :\t\"a\" }", "{ \"type\" : \"next\" ,\n \"id\" :\t\"NEW\" }"},
		{"nested id untouched", `{"payload":{"id":"a"},"id":"a"}`, `{"payload":{"id":"a"},"id":"NEW"}`},
		{"escaped key", `{"i\u0064":"a"}`, `{"i\u0064":"NEW"}`},
		{"number value", `{"id":7}`, `{"id":"NEW"}`},
		{"no member", `{"type":"ping"}`, ""},
		{"twice: the last, as clients read it", `{"id":"a","id":"b"}`, `{"id":"a","id":"NEW"}`},
		{"array", `["id","a"]`, ""},
		{"torn", `{"id":"a"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := setTopString([]byte(tt.in), "id", "NEW")
			if ok != (tt.want != "") || ok && string(got) != tt.want {
				t.Errorf("got %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

// runSteps plays steps through a new Pairing of e.
func runSteps(t *testing.T, e Echoer, steps []step) {
	t.Helper()
	playSteps(t, NewPairing(e), steps)
}
