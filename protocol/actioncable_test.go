package protocol

import (
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

const chatID = `{\"channel\":\"ChatChannel\",\"room\":\"r-1\"}`

// TestActionCableDetect: the subprotocol, or with none a welcome from
// the server and a command with an identifier from the client.
func TestActionCableDetect(t *testing.T) {
	welcome, sub := receive(`{"type":"welcome"}`), send(`{"command":"subscribe","identifier":"`+chatID+`"}`)
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"subprotocol", Opening{Subprotocol: "actioncable-v1-json"}, "actioncable"},
		{"anycable's extended subprotocol", Opening{Subprotocol: "actioncable-v1-ext-json"}, "actioncable"},
		{"msgpack is not read", Opening{Subprotocol: "actioncable-v1-msgpack"}, ""},
		{"welcome then subscribe", Opening{First: []Message{welcome, sub}}, "actioncable"},
		{"welcome alone tells nothing", Opening{First: []Message{welcome}}, ""},
		{"another first server message", Opening{First: []Message{receive(`{"type":"hello"}`), welcome, sub}}, ""},
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

// TestActionCableDescribe: types and commands, the channel of the
// identifier, a client message's action; pings are heartbeats.
func TestActionCableDescribe(t *testing.T) {
	id := `{"channel":"ChatChannel","room":"r-1"}`
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"welcome", receive(`{"type":"welcome"}`), Description{Kind: "welcome", Summary: "welcome"}},
		{"ping", receive(`{"type":"ping","message":1764000000}`), Description{Kind: "ping", Heartbeat: true, Summary: "ping 1764000000"}},
		{"subscribe", send(`{"command":"subscribe","identifier":"` + chatID + `"}`),
			Description{Kind: "subscribe", Channel: "ChatChannel", ID: id, Summary: `subscribe "ChatChannel"`}},
		{"confirm", receive(`{"identifier":"` + chatID + `","type":"confirm_subscription"}`),
			Description{Kind: "confirm_subscription", Channel: "ChatChannel", ID: id, Summary: `confirm_subscription "ChatChannel"`}},
		{"data", receive(`{"identifier":"` + chatID + `","message":{"text":"hi"}}`),
			Description{Kind: "message", Channel: "ChatChannel", ID: id, Summary: `message "ChatChannel" {"text":"hi"}`}},
		{"perform", send(`{"command":"message","identifier":"` + chatID + `","data":"{\"action\":\"speak\",\"text\":\"yo\"}"}`),
			Description{Kind: "message", Channel: "ChatChannel", Name: "speak", ID: id, Summary: `message "ChatChannel" "speak" {"action":"speak","text":"yo"}`}},
		{"disconnect", receive(`{"type":"disconnect","reason":"unauthorized","reconnect":false}`),
			Description{Kind: "disconnect", Summary: "disconnect"}},
		{"identifier not JSON", receive(`{"identifier":"room-1","type":"reject_subscription"}`),
			Description{Kind: "reject_subscription", Channel: "room-1", ID: "room-1", Summary: `reject_subscription "room-1"`}},
		{"no type nor command", receive(`{"x":1}`), Description{}},
		{"not json", receive(`ping`), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (ActionCable{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestActionCableHeartbeat: the server pings every 3 s, each beat with
// the Unix time it is sent.
func TestActionCableHeartbeat(t *testing.T) {
	b, ok := ActionCable{}.SendHeartbeat(Opening{Subprotocol: "actioncable-v1-json"})
	if !ok || b.Interval != 3*time.Second || b.At == nil {
		t.Fatalf("got %+v, %v", b, ok)
	}
	at := b.At(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	if want := `{"type":"ping","message":1796637600}`; string(at.Data) != want || at.Dir != format.Receive {
		t.Errorf("At = %+v, want %s", at, want)
	}
	if d := (ActionCable{}).Describe(b.Message); d.Kind != "ping" || !d.Heartbeat {
		t.Errorf("Message is %s, described %+v", b.Message.Data, d)
	}
}

// TestActionCablePairing: a confirmation and the channel's data wait for
// the live subscribe to the same channel and carry its identifier.
func TestActionCablePairing(t *testing.T) {
	rec := `{\"channel\":\"ChatChannel\",\"room\":\"r-1\"}`
	live := `{\"channel\":\"ChatChannel\",\"room\":\"r-1\",\"nonce\":\"9f\"}`
	runSteps(t, ActionCable{}, []step{
		{op: "reply", msg: `{"type":"welcome"}`, ready: true},
		{op: "rec", msg: `{"command":"subscribe","identifier":"` + rec + `"}`},
		{op: "reply", msg: `{"identifier":"` + rec + `","type":"confirm_subscription"}`, ready: false},
		{op: "live", msg: `{"command":"subscribe","identifier":"{\"channel\":\"Other\"}"}`},
		{op: "reply", msg: `{"identifier":"` + rec + `","type":"confirm_subscription"}`, ready: false},
		{op: "live", msg: `{"command":"subscribe","identifier":"` + live + `"}`},
		{op: "reply", msg: `{"identifier":"` + rec + `","type":"confirm_subscription"}`, ready: true,
			want: `{"identifier":"` + live + `","type":"confirm_subscription"}`},
		{op: "reply", msg: `{"identifier":"` + rec + `","message":{"text":"hi"}}`, ready: true,
			want: `{"identifier":"` + live + `","message":{"text":"hi"}}`},
		{op: "reply", msg: `{"type":"ping","message":1}`, ready: true},
	})
}
