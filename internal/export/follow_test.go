package export

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// conversation is a session on url with subprotocol sub; each message is
// ">" (client) or "<" (server) and its text, or "b>"/"b<" and base64 for
// binary, 10 ms apart.
func conversation(url, sub string, msgs ...string) *Session {
	s := &Session{}
	s.Add(&format.Event{Type: format.TypeSession, Session: "s1", Time: t0, URL: url, Subprotocol: sub})
	for i, m := range msgs {
		e := &format.Event{Type: format.TypeMessage, Session: "s1", Time: t0.Add(time.Duration(i+1) * 10 * time.Millisecond),
			Dir: format.Receive, Opcode: format.Text}
		if strings.HasPrefix(m, "b") {
			e.Opcode = format.Binary
			m = m[1:]
		}
		if m[0] == '>' {
			e.Dir = format.Send
		}
		e.Data = []byte(m[1:])
		if e.Opcode == format.Binary {
			e.Data, _ = base64.StdEncoding.DecodeString(m[1:])
		}
		s.Add(e)
	}
	return s
}

// TestFollow: the annotation of each JSON protocol's requests and
// replies, as the module writes them: where the ids are, what makes the
// same request, and which request's ids a reply carries where.
func TestFollow(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		s        *Session
		protocol string
		want     []string // the annotation of each message, "" for none
	}{
		{"graphql-transport-ws", conversation("/graphql", "graphql-transport-ws",
			`>{"type":"connection_init"}`,
			`<{"type":"connection_ack"}`,
			`>{"id":"9f1c-aa","type":"subscribe","payload":{"query":"{ a }","operationName":"A","variables":{"n":1}}}`,
			`<{"id":"9f1c-aa","type":"next","payload":{"data":{"a":1}}}`,
			`>{"type":"ping"}`,
			`<{"id":"9f1c-aa","type":"complete"}`),
			"graphql-transport-ws", []string{"", "",
				`request: { ids: [["id"]], same: [["type"], ["payload", "query"], ["payload", "operationName"]] }`,
				`echoes: [{ path: ["id"], request: 2, id: 0 }]`, "",
				`echoes: [{ path: ["id"], request: 2, id: 0 }]`}},
		{"subscriptions-transport-ws", conversation("/graphql", "graphql-ws",
			`>{"id":"1","type":"start","payload":{"query":"{ a }"}}`,
			`<{"id":"1","type":"data","payload":{"data":{"a":1}}}`),
			"subscriptions-transport-ws", []string{
				`request: { ids: [["id"]], same: [["type"], ["payload", "query"]] }`,
				`echoes: [{ path: ["id"], request: 0, id: 0 }]`}},
		{"jsonrpc", conversation("/rpc", "",
			`>{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"a7f3-91"}`,
			`>{"jsonrpc":"2.0","method":"notify","params":{"x":1}}`,
			`<{"jsonrpc":"2.0","result":3,"id":"a7f3-91"}`),
			"jsonrpc", []string{
				`request: { ids: [["id"]], same: [["jsonrpc"], ["method"]] }`, "",
				`echoes: [{ path: ["id"], request: 0, id: 0 }]`}},
		{"phoenix", conversation("/socket/websocket?vsn=2.0.0", "",
			`>["1","1","room:lobby","phx_join",{}]`,
			`<["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`>["1","2","room:lobby","new_msg",{"body":"hi"}]`,
			`<["1","2","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`<["1",null,"room:lobby","new_msg",{"body":"hi"}]`),
			"phoenix", []string{
				`request: { ids: [[1], [0]], same: [[2], [3]] }`,
				`echoes: [{ path: [1], request: 0, id: 0 }, { path: [0], request: 0, id: 1 }]`,
				`request: { ids: [[1]], same: [[2], [3]] }`,
				`echoes: [{ path: [1], request: 2, id: 0 }, { path: [0], request: 0, id: 1 }]`,
				`echoes: [{ path: [0], request: 0, id: 1 }]`}},
		{"centrifuge", conversation("/connection/websocket", "centrifuge-json",
			`>{"id":1,"connect":{}}`,
			`<{"id":1,"connect":{"client":"c1"}}`,
			`>{"id":2,"subscribe":{"channel":"news"}}`,
			`<{"id":2,"subscribe":{}}`),
			"centrifuge", []string{
				`request: { ids: [["id"]], same: [], has: [["connect"]] }`,
				`echoes: [{ path: ["id"], request: 0, id: 0 }]`,
				`request: { ids: [["id"]], same: [["subscribe", "channel"]] }`,
				`echoes: [{ path: ["id"], request: 2, id: 0 }]`}},
		// ActionCable's identifier is JSON in a string: the channel in it
		// makes the same request, the whole string is the id.
		{"actioncable", conversation("/cable", "actioncable-v1-json",
			`<{"type":"welcome"}`,
			`>{"command":"subscribe","identifier":"{\"channel\":\"Chat\",\"room\":\"r1\"}"}`,
			`<{"identifier":"{\"channel\":\"Chat\",\"room\":\"r1\"}","type":"confirm_subscription"}`),
			"actioncable", []string{"",
				`request: { ids: [["identifier"]], same: [["command"], ["identifier", ["channel"]]] }`,
				`echoes: [{ path: ["identifier"], request: 1, id: 0 }]`}},
		// No profile: the generic rule, its values inside a double-encoded
		// string too; a long string (a token) counts by its place.
		{"generic", conversation("/app", "",
			`>{"op":"get","reqId":"r-17","auth":"abcdefghijklmnopqrstuvwxyzabcdefghijkl"}`,
			`<{"reqId":"r-17","data":1}`,
			`>{"op":"watch","params":"{\"sub\":\"w-0042\"}"}`,
			`<{"event":"{\"sub\":\"w-0042\",\"v\":2}"}`),
			"", []string{
				`request: { ids: [["reqId"]], same: [["op"]], has: [["auth"]] }`,
				`echoes: [{ path: ["reqId"], request: 0, id: 0 }], guessed: true`,
				`request: { ids: [["params", ["sub"]]], same: [["op"]] }`,
				`echoes: [{ path: ["event", ["sub"]], request: 2, id: 0 }], guessed: true`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Follow(nil)
			if tt.s.Following.Protocol != tt.protocol {
				t.Errorf("protocol %q, want %q", tt.s.Following.Protocol, tt.protocol)
			}
			for i := range tt.s.Messages {
				got := annotation(&tt.s.Messages[i])
				if i >= len(tt.want) || got != tt.want[i] {
					t.Errorf("message %d: annotation %s\nwant %s", i, got, tt.want[min(i, len(tt.want)-1)])
				}
			}
		})
	}
}

// annotation is what messageLiteral writes of m past its payload.
func annotation(m *Message) string {
	plain := *m
	plain.Request, plain.Echoes, plain.Guessed = nil, nil, false
	return strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(messageLiteral(m, false),
		strings.TrimSuffix(messageLiteral(&plain, false), " }")), " }"), ", ")
}

// A recorded id used again (a counter that restarts) belongs, in the
// replies after it, to the request that used it last.
func TestFollowReusedID(t *testing.T) {
	t.Parallel()

	s := conversation("/rpc", "",
		`>{"jsonrpc":"2.0","method":"a","id":1}`,
		`<{"jsonrpc":"2.0","result":"A","id":1}`,
		`>{"jsonrpc":"2.0","method":"b","id":1}`,
		`<{"jsonrpc":"2.0","result":"B","id":1}`)
	s.Follow(nil)
	if got, want := annotation(&s.Messages[3]), `echoes: [{ path: ["id"], request: 2, id: 0 }]`; got != want {
		t.Errorf("second reply: %s, want %s", got, want)
	}
}

// Protocols whose messages are not JSON keep today's behaviour, and the
// module's header says so; so does a session named as of no protocol.
func TestFollowNotJSON(t *testing.T) {
	t.Parallel()

	stomp := conversation("/stomp", "v12.stomp",
		">CONNECT\naccept-version:1.2\nhost:h\n\n\x00",
		"<CONNECTED\nversion:1.2\n\n\x00",
		">DISCONNECT\nreceipt:77\n\n\x00",
		"<RECEIPT\nreceipt-id:77\n\n\x00")
	// MQTT 3.1.1: CONNECT, CONNACK, SUBSCRIBE (packet id 10), SUBACK.
	mqtt := conversation("/mqtt", "mqtt",
		"b>EAwABE1RVFQEAgA8AAA=", "b<IAIAAA==", "b>ggYACgABYQA=", "b<kAMACgA=")
	none := conversation("/graphql", "graphql-transport-ws",
		`>{"id":"9f1c-aa","type":"subscribe","payload":{"query":"{ a }"}}`,
		`<{"id":"9f1c-aa","type":"next","payload":{"data":{"a":1}}}`)
	none.opening.Protocol = "none"
	for _, tt := range []struct {
		name   string
		s      *Session
		header string
	}{
		{"stomp", stomp, "Protocol: stomp. Its messages are not JSON"},
		{"mqtt", mqtt, "Protocol: mqtt. Its messages are not JSON"},
		{"none", none, "Protocol: none found. No reply carries a client's id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Follow(nil)
			for i, m := range tt.s.Messages {
				if m.Request != nil || m.Echoes != nil {
					t.Errorf("message %d annotated: %s", i, messageLiteral(&m, false))
				}
			}
			f, err := Write(MSW, tt.s, &Options{Command: "c"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.ReplaceAll(string(f.Module), "\n// ", " "), tt.header) {
				t.Errorf("header lacks %q:\n%s", tt.header, f.Module[:600])
			}
		})
	}
}

// The module's messages carry the annotation, in the module and in a
// sidecar (as JSON), and its header says what is followed.
func TestWriteFollowing(t *testing.T) {
	t.Parallel()

	s := conversation("/graphql", "graphql-transport-ws",
		`>{"id":"9f1c-aa","type":"subscribe","payload":{"query":"{ a }"}}`,
		`<{"id":"9f1c-aa","type":"next","payload":{"data":{"a":1}}}`)
	s.Follow(nil)
	f, err := Write(Playwright, s, &Options{Command: "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"// Protocol: graphql-transport-ws. Replies to the client's requests (1) wait for them",
		`{ at: 10, dir: "send", text: '{"id":"9f1c-aa","type":"subscribe","payload":{"query":"{ a }"}}', request: { ids: [["id"]], same: [["type"], ["payload", "query"]] } },`,
		`{ at: 20, dir: "receive", text: '{"id":"9f1c-aa","type":"next","payload":{"data":{"a":1}}}', echoes: [{ path: ["id"], request: 0, id: 0 }] },`,
		"const follow = options.followIds ?? true;",
	} {
		if !strings.Contains(string(f.Module), want) {
			t.Errorf("module lacks %q", want)
		}
	}
	f, err = Write(MSW, s, &Options{Command: "c", Sidecar: SidecarAlways, SidecarName: "s.json"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"echoes": [{ "path": ["id"], "request": 0, "id": 0 }]`; !strings.Contains(string(f.Sidecar), want) {
		t.Errorf("sidecar lacks %s:\n%s", want, f.Sidecar)
	}
}
