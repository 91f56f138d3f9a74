package protocol

import (
	"encoding/json"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

func TestGranted(t *testing.T) {
	send := func(s string) Message { return Message{Dir: format.Send, Data: []byte(s)} }
	recv := func(s string) Message { return Message{Dir: format.Receive, Data: []byte(s)} }
	tests := []struct {
		name     string
		env      Enveloper
		recorded []Message
		live     Message // the live counterpart of the recorded server message learn
		learn    int
		client   Message // a recorded client message to rewrite
		want     string
	}{
		{name: "a session id in JSON",
			recorded: []Message{send(`{"op":"login"}`), recv(`{"op":"welcome","session":"sess-1-abc"}`), send(`{"op":"add","session":"sess-1-abc"}`)},
			live:     recv(`{"op":"welcome","session":"sess-9-xyz"}`),
			client:   send(`{"op":"add","session":"sess-1-abc"}`),
			want:     `{"op":"add","session":"sess-9-xyz"}`},
		{name: "in a Socket.IO packet", env: SocketIO{},
			recorded: []Message{recv(`42["session",{"id":"u-12345678"}]`), send(`42["join",{"user":"u-12345678","room":"r1"}]`)},
			live:     recv(`42["session",{"id":"u-87654321"}]`),
			client:   send(`42["join",{"user":"u-12345678","room":"r1"}]`),
			want:     `42["join",{"user":"u-87654321","room":"r1"}]`},
		{name: "a value the client chose first is not the server's",
			recorded: []Message{send(`{"id":"op-12345678"}`), recv(`{"id":"op-12345678"}`), send(`{"stop":"op-12345678"}`)},
			live:     recv(`{"id":"op-99999999"}`), learn: 0,
			client: send(`{"stop":"op-12345678"}`),
			want:   `{"stop":"op-12345678"}`},
		{name: "short and wordy values are data",
			recorded: []Message{recv(`{"a":"abc1","b":"welcome-everyone"}`), send(`{"a":"abc1","b":"welcome-everyone"}`)},
			live:     recv(`{"a":"xyz2","b":"welcome-everybody"}`),
			client:   send(`{"a":"abc1","b":"welcome-everyone"}`),
			want:     `{"a":"abc1","b":"welcome-everyone"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGranted(tc.recorded, tc.env)
			g.Learn(tc.learn, tc.live)
			got := g.Rewrite(tc.client)
			if string(got) != tc.want {
				t.Errorf("Rewrite = %s, want %s", got, tc.want)
			}
			if back := g.Restore(Message{Dir: format.Send, Data: got}); string(back) != string(tc.client.Data) {
				t.Errorf("Restore = %s, want the recorded %s", back, tc.client.Data)
			}
		})
	}
}

// FuzzGranted: any recorded and live messages, JSON or not, with or
// without a Socket.IO header: no panic, and what Rewrite changes stays
// JSON.
func FuzzGranted(f *testing.F) {
	f.Add(`{"session":"sess-1-abc"}`, `{"s":"sess-1-abc"}`, `{"session":"sess-2-xyz"}`, false)
	f.Add(`42["session",{"id":"u-12345678"}]`, `42["join","u-12345678"]`, `42["session",{"id":"u-87654321"}]`, true)
	f.Add(`{"a":"\"{\\\"x\\\":\\\"id-0000001\\\"}\""}`, `["id-0000001"]`, `{"a":"\"{\\\"x\\\":\\\"id-0000002\\\"}\""}`, false)
	f.Fuzz(func(t *testing.T, server, client, live string, sio bool) {
		var env Enveloper
		if sio {
			env = SocketIO{}
		}
		recv := Message{Dir: format.Receive, Data: []byte(server)}
		send := Message{Dir: format.Send, Data: []byte(client)}
		g := NewGranted([]Message{recv, send}, env).Fresh()
		g.Learn(0, Message{Dir: format.Receive, Data: []byte(live)})
		out := g.Rewrite(send)
		g.Restore(Message{Dir: format.Send, Data: out})
		if body, ok := g.body(Message{Dir: format.Send, Data: out}); string(out) != client && (!ok || !json.Valid(body)) {
			t.Errorf("Rewrite(%q) = %q, not JSON", client, out)
		}
	})
}
