package protocol

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

const rs = "\x1e"

// TestSignalRDetect: a client that begins with the JSON hub protocol's
// handshake, and no other.
func TestSignalRDetect(t *testing.T) {
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"json handshake", Opening{URL: mustURL(t, "/chathub?id=abc"), First: []Message{send(`{"protocol":"json","version":1}` + rs)}}, "signalr"},
		{"after the server's first word", Opening{First: []Message{receive("x"), send(`{"protocol":"json","version":1}` + rs)}}, "signalr"},
		{"messagepack handshake is not read", Opening{First: []Message{send(`{"protocol":"messagepack","version":1}` + rs)}}, ""},
		{"no record separator", Opening{First: []Message{send(`{"protocol":"json","version":1}`)}}, ""},
		{"handshake not first", Opening{First: []Message{send(`{"type":6}` + rs), send(`{"protocol":"json","version":1}` + rs)}}, ""},
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

// TestSignalRDescribe: each message type, the target and invocationId;
// pings are heartbeats; several records in one message.
func TestSignalRDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"handshake", send(`{"protocol":"json","version":1}` + rs), Description{Kind: "handshake", Summary: `handshake protocol "json" version 1`}},
		{"handshake answer", receive(`{}` + rs), Description{Kind: "handshake", Summary: "handshake ok"}},
		{"handshake error", receive(`{"error":"unknown protocol"}` + rs), Description{Kind: "handshake", Summary: `handshake error "unknown protocol"`}},
		{"invocation", send(`{"arguments":["ann","hi"],"invocationId":"0","target":"SendMessage","type":1}` + rs),
			Description{Kind: "Invocation", Name: "SendMessage", ID: "0", Summary: `Invocation "SendMessage" id "0" arguments ["ann","hi"]`}},
		{"server invocation", receive(`{"type":1,"target":"ReceiveMessage","arguments":["ann","hi"]}` + rs),
			Description{Kind: "Invocation", Name: "ReceiveMessage", Summary: `Invocation "ReceiveMessage" arguments ["ann","hi"]`}},
		{"completion", receive(`{"type":3,"invocationId":"0","result":42}` + rs),
			Description{Kind: "Completion", ID: "0", Summary: `Completion id "0" result 42`}},
		{"stream item", receive(`{"type":2,"invocationId":"1","item":{"n":1}}` + rs),
			Description{Kind: "StreamItem", ID: "1", Summary: `StreamItem id "1" item {"n":1}`}},
		{"ping", receive(`{"type":6}` + rs), Description{Kind: "Ping", Heartbeat: true, Summary: "Ping"}},
		{"close", receive(`{"type":7,"error":"bye","allowReconnect":true}` + rs), Description{Kind: "Close", Summary: `Close error "bye"`}},
		{"unknown type", receive(`{"type":42}` + rs), Description{Kind: "type 42", Summary: "type 42"}},
		{"two records", receive(`{}` + rs + `{"type":6}` + rs), Description{Kind: "handshake", Summary: "handshake ok (+1 messages)"}},
		{"type 0", receive(`{"type":0}` + rs), Description{}},
		{"not json", receive("hi" + rs), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (SignalR{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestSignalRHeartbeat: the server pings every 15 s; a client's ping
// needs no reply.
func TestSignalRHeartbeat(t *testing.T) {
	b, ok := SignalR{}.SendHeartbeat(Opening{})
	if !ok || b.Interval != 15*time.Second || string(b.Message.Data) != `{"type":6}`+rs || b.Message.Dir != format.Receive {
		t.Errorf("got %+v, %v", b, ok)
	}
	if _, ok := Profile(SignalR{}).(HeartbeatReplier); ok {
		t.Error("SignalR answers a client's ping; the protocol wants no answer")
	}
}

// TestSignalRPairing: completions and stream items wait for the live
// invocation of the same target and carry its invocationId, in a message
// of several records too; the record separators stay.
func TestSignalRPairing(t *testing.T) {
	runSteps(t, SignalR{}, []step{
		{op: "rec", msg: `{"type":1,"invocationId":"0","target":"Add","arguments":[1,2]}` + rs},
		{op: "rec", msg: `{"type":4,"invocationId":"1","target":"Counter","arguments":[3]}` + rs},
		{op: "reply", msg: `{"type":3,"invocationId":"0","result":3}` + rs, ready: false},
		{op: "live", msg: `{"type":4,"invocationId":"7","target":"Counter","arguments":[3]}` + rs},
		{op: "reply", msg: `{"type":2,"invocationId":"1","item":0}` + rs + `{"type":2,"invocationId":"1","item":1}` + rs, ready: true,
			want: `{"type":2,"invocationId":"7","item":0}` + rs + `{"type":2,"invocationId":"7","item":1}` + rs},
		{op: "reply", msg: `{"type":3,"invocationId":"0","result":3}` + rs, ready: false},
		{op: "live", msg: `{"type":1,"invocationId":"8","target":"Add","arguments":[1,2]}` + rs},
		{op: "reply", msg: `{"type":3,"invocationId":"0","result":3}` + rs + `{"type":6}` + rs, ready: true,
			want: `{"type":3,"invocationId":"8","result":3}` + rs + `{"type":6}` + rs},
		{op: "reply", msg: `{"type":1,"target":"Notify","arguments":[]}` + rs, ready: true},
	})
}

// TestSignalRSplitter: records are cut after each separator, which each
// keeps.
func TestSignalRSplitter(t *testing.T) {
	got := SignalR{}.NewSplitter().Split(receive(`{}` + rs + `{"type":6}` + rs))
	if len(got) != 2 || string(got[0].Data) != `{}`+rs || string(got[1].Data) != `{"type":6}`+rs {
		t.Fatalf("got %+v", got)
	}
}

// TestSignalRNegotiate: POST <hub>/negotiate is a bootstrap; only an
// answer with a connection is recorded as one (not a redirect); a client
// of negotiateVersion 0 gets no connectionToken.
func TestSignalRNegotiate(t *testing.T) {
	s := SignalR{}
	neg := httptest.NewRequest("POST", "/hub/negotiate?negotiateVersion=1", nil)
	if !s.Bootstrap(neg) || s.Bootstrap(httptest.NewRequest("GET", "/hub/negotiate", nil)) {
		t.Error("Bootstrap should take POST .../negotiate only")
	}
	if !s.RecognizeBootstrap(neg, 200, []byte(`{"connectionId":"a","availableTransports":[]}`)) ||
		s.RecognizeBootstrap(neg, 200, []byte(`{"url":"https://elsewhere/hub","accessToken":"x"}`)) {
		t.Error("RecognizeBootstrap should take an answer with a connection only")
	}
	w := httptest.NewRecorder()
	s.AnswerBootstrap(w, httptest.NewRequest("POST", "/hub/negotiate", nil), nil)
	if body := w.Body.String(); strings.Contains(body, "connectionToken") || !strings.Contains(body, `"negotiateVersion":0`) {
		t.Errorf("version 0 answer %s: want no connectionToken", body)
	}
}

// An injected event is an invocation of the client method, one record
// that the profile reads back as such.
func TestSignalRInject(t *testing.T) {
	var p SignalR
	m, err := p.Inject("news", []json.RawMessage{json.RawMessage(`{"n":1}`), json.RawMessage(`"x"`)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\"type\":1,\"target\":\"news\",\"arguments\":[{\"n\":1},\"x\"]}\x1e"; string(m.Data) != want || m.Binary || m.Dir != format.Receive {
		t.Errorf("Inject: %q (binary %v, %s), want %q", m.Data, m.Binary, m.Dir, want)
	}
	if d := p.Describe(m); d.Kind != "Invocation" || d.Name != "news" {
		t.Errorf("described as %+v", d)
	}
	if m, err := p.Inject("ping", nil); err != nil || string(m.Data) != "{\"type\":1,\"target\":\"ping\",\"arguments\":[]}\x1e" {
		t.Errorf("no args: %q, %v", m.Data, err)
	}
	if _, err := p.Inject("", nil); err == nil {
		t.Error("an empty target was taken")
	}
	if _, err := p.Inject("news", []json.RawMessage{json.RawMessage(`{nope`)}); err == nil {
		t.Error("an argument that is not JSON was taken")
	}
}
