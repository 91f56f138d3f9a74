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
// replaces an id leaves a JSON message valid JSON, and the message echoes
// the new id.
func FuzzProfiles(f *testing.F) {
	for _, s := range []string{`42/chat,7["say","hi"]`, `43/chat,7[1]`, `461-4[{}]`, `0{"sid":"a"}`, "2probe", "",
		`{"id":"1","type":"next","payload":{}}`, `{"type":"subscribe","id":"x","payload":{"query":"subscription S {s}"}}`,
		`{"type":"data","id":7}`, `{ "id" : "a" , "type":"complete"}`, "\xff\xfe", `{"id":"a","id":"b","type":"next"}`,
		`{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"r-1"}`, `{"jsonrpc":"2.0","result":3,"id":7}`,
		`[{"jsonrpc":"2.0","result":3,"id":7},{"jsonrpc":"2.0","error":{"code":1},"id":"8"}]`, `{"jsonrpc":"2.0","id":1,"id":2,"result":0}`,
		"CONNECT\naccept-version:1.2\nheart-beat:1000,1000\n\n\x00", "SUBSCRIBE\nid:sub-0\ndestination:/a\nreceipt:r\\c1\n\n\x00",
		"MESSAGE\r\nsubscription:0\r\ncontent-length:1\r\n\r\n\x00\x00\nRECEIPT\nreceipt-id:1\n\n\x00", "\n", "ERROR\nreceipt-id:\n\n",
		`["3","3","room:lobby","phx_join",{}]`, `["3","4","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
		`[null,"9","phoenix","heartbeat",{}]`, `{"ref":"1","topic":"t","event":"phx_reply","payload":{},"join_ref":"1"}`} {
		f.Add([]byte(s), false, true)
		f.Add([]byte(s), true, false)
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
	if json.Valid(m.Data) && !json.Valid(got) {
		t.Errorf("%s: rewrite of %q is not JSON: %q", p.Name(), m.Data, got)
	}
	after := e.Echoes(Message{Dir: m.Dir, Data: got})
	if len(after) != len(ids) || after[0].Value != "12345" || after[0].Scope != ids[0].Scope {
		t.Errorf("%s: rewrite of %q to id 12345 gave %q, which echoes %v", p.Name(), m.Data, got, after)
	}
}
