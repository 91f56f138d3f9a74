package protocol

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// FuzzProfiles holds every built-in profile to its contract on arbitrary
// bytes: no panic; the message is never modified; a rewrite that replaces
// nothing returns the message unchanged, byte for byte; a rewrite that
// replaces an id leaves each JSON record that was valid still valid, and
// gives a message that echoes the new id (Socket.IO and MQTT too); a
// Framer's Splitter gives back every byte it is fed, in order, and holds
// nothing after Rest.
func FuzzProfiles(f *testing.F) {
	for _, s := range []string{`42/chat,7["say","hi"]`, `43/chat,7[1]`, `461-4[{}]`, `0{"sid":"a"}`, "2probe", "",
		`{"id":"1","type":"next","payload":{}}`, `{"type":"subscribe","id":"x","payload":{"query":"subscription S {s}"}}`,
		`{"type":"data","id":7}`, `{ "id" : "a" , "type":"complete"}`, "\xff\xfe", `{"id":"a","id":"b","type":"next"}`,
		`{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"r-1"}`, `{"jsonrpc":"2.0","result":3,"id":7}`,
		`[{"jsonrpc":"2.0","result":3,"id":7},{"jsonrpc":"2.0","error":{"code":1},"id":"8"}]`, `{"jsonrpc":"2.0","id":1,"id":2,"result":0}`,
		"CONNECT\naccept-version:1.2\nheart-beat:1000,1000\n\n\x00", "SUBSCRIBE\nid:sub-0\ndestination:/a\nreceipt:r\\c1\n\n\x00",
		"MESSAGE\r\nsubscription:0\r\ncontent-length:1\r\n\r\n\x00\x00\nRECEIPT\nreceipt-id:1\n\n\x00", "\n", "ERROR\nreceipt-id:\n\n",
		`["3","3","room:lobby","phx_join",{}]`, `["3","4","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
		`[null,"9","phoenix","heartbeat",{}]`, `{"ref":"1","topic":"t","event":"phx_reply","payload":{},"join_ref":"1"}`,
		`{"id":2,"subscribe":{"channel":"news"}}`, "{}\n{\"id\":2,\"subscribe\":{}}\n{\"id\":3,\"error\":{}}", `{"id":1,"connect":{"ping":25}}`,
		`{"push":{"channel":"news","pub":{"data":1}}}`, `{"id":4294967295,"rpc":{"method":"m"}}`, `{"id":1,"id":2,"rpc":{}}`,
		`{"identifier":"{\"channel\":\"C\"}","type":"confirm_subscription"}`, `{"command":"subscribe","identifier":"{\"channel\":\"C\"}"}`,
		`{"type":"ping","message":1}`, `{"identifier":"x","message":{"a":1},"identifier":"y"}`,
		"{\"protocol\":\"json\",\"version\":1}\x1e", "{\"type\":3,\"invocationId\":\"0\",\"result\":1}\x1e{\"type\":6}\x1e",
		"{\"type\":1,\"invocationId\":\"2\",\"target\":\"Add\"}\x1e", "{\"type\":2,\"invocationId\":\"1\"}\x1e\x1e"} {
		f.Add([]byte(s), false, true)
		f.Add([]byte(s), true, false)
	}
	for _, b := range mqttCorpus() {
		f.Add(b, true, true)
		f.Add(b, true, false)
	}
	f.Fuzz(func(t *testing.T, data []byte, binary, fromClient bool) {
		dir := format.Receive
		if fromClient {
			dir = format.Send
		}
		m := Message{Dir: dir, Binary: binary, Data: data}
		orig := bytes.Clone(data)
		for _, p := range Default() {
			checkProfile(t, p, m)
			if !bytes.Equal(data, orig) {
				t.Fatalf("%s modified the message", p.Name())
			}
		}
	})
}

func checkProfile(t *testing.T, p Profile, m Message) {
	d := p.Describe(m)
	if d.Summary == "" && d.Kind != "" {
		t.Errorf("%s: kind %q without a summary", p.Name(), d.Kind)
	}
	p.Recognize(Opening{First: []Message{m}})
	if f, ok := p.(Framer); ok {
		checkSplitter(t, p.Name(), f.NewSplitter(), m)
	}
	if h, ok := p.(HeartbeatReplier); ok {
		h.ReplyHeartbeat(m)
	}
	e, ok := p.(Echoer)
	if !ok {
		return
	}
	e.Request(m)
	if got := e.Rewrite(m, func(ID) (string, bool) { return "", false }); !bytes.Equal(got, m.Data) {
		t.Errorf("%s: a rewrite with nothing learned changed %q into %q", p.Name(), m.Data, got)
	}
	ids := e.Echoes(m)
	if len(ids) == 0 {
		return
	}
	got := e.Rewrite(m, func(ID) (string, bool) { return "12345", true })
	if p.Name() != "socketio" && !m.Binary {
		checkStillJSON(t, p, m, got)
	}
	after := e.Echoes(Message{Dir: m.Dir, Binary: m.Binary, Data: got})
	if len(after) != len(ids) || after[0].Value != "12345" || after[0].Scope != ids[0].Scope {
		t.Errorf("%s: rewrite of %q to id 12345 gave %q, which echoes %v", p.Name(), m.Data, got, after)
	}
}

// checkStillJSON: each record of a JSON protocol's message (a Framer cuts
// it into records) that was JSON before a rewrite still is after.
func checkStillJSON(t *testing.T, p Profile, m Message, got []byte) {
	records := func(data []byte) [][]byte {
		f, ok := p.(Framer)
		if !ok {
			return [][]byte{data}
		}
		var out [][]byte
		for _, r := range f.NewSplitter().Split(Message{Dir: m.Dir, Data: data}) {
			out = append(out, bytes.TrimRight(r.Data, "\x1e\n"))
		}
		return out
	}
	before, after := records(m.Data), records(got)
	if len(before) != len(after) {
		t.Fatalf("%s: a rewrite of %q made %d records of %d: %q", p.Name(), m.Data, len(after), len(before), got)
	}
	for i := range before {
		if json.Valid(before[i]) && !json.Valid(after[i]) {
			t.Errorf("%s: rewrite of %q is not JSON: %q", p.Name(), m.Data, got)
		}
	}
}

// checkSplitter: a splitter fed m twice, then asked for the rest, gives
// back every byte in order, with m's direction and kind, and holds
// nothing after.
func checkSplitter(t *testing.T, name string, s Splitter, m Message) {
	var got []byte
	for _, out := range append(append(s.Split(m), s.Split(m)...), s.Rest()...) {
		if out.Dir != m.Dir || out.Binary != m.Binary {
			t.Fatalf("%s: split %+v gave %+v", name, m, out)
		}
		got = append(got, out.Data...)
	}
	if want := bytes.Repeat(m.Data, 2); !bytes.Equal(got, want) {
		t.Errorf("%s: split %q twice gave back %q", name, m.Data, got)
	}
	if rest := s.Rest(); len(rest) != 0 {
		t.Errorf("%s: Rest after Rest: %+v", name, rest)
	}
}

// mqttCorpus is MQTT packets for FuzzProfiles to start from: whole, cut,
// and several in one message.
func mqttCorpus() [][]byte {
	return [][]byte{connect311, connect5, subscribe311, subscribe5, suback5, unsubscribe5, publishQ1, publishQ2,
		puback5, pubrel, pingreq, connect311[:5], append(bytes.Clone(suback311), puback...),
		append(bytes.Clone(pubcomp), publishQ0[:4]...)}
}
