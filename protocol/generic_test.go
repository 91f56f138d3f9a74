package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// TestLearnedPairing: in a JSON protocol no profile knows, values the
// client chose that come back in server messages make those messages
// wait for the live client's counterpart and carry its values.
func TestLearnedPairing(t *testing.T) {
	const u1, u2 = "0b6f3c1e-6a52-4f7d-9a51-1c7f2f0f8e01", "9d2c4b7a-1e3f-4c58-8b6d-2a4e6f8a0c13"
	tests := []struct {
		name  string
		steps []step
	}{
		{"a uuid echoed under another name", []step{
			{op: "rec", msg: `{"op":"subscribe","channel":"prices","reqId":"` + u1 + `"}`},
			{op: "reply", msg: `{"type":"subscribed","inReplyTo":"` + u1 + `","data":[1,2]}`, ready: false},
			{op: "reply", msg: `{"type":"tick","data":[1,2]}`, ready: true},
			{op: "live", msg: `{"op":"subscribe","channel":"prices","reqId":"` + u2 + `"}`},
			{op: "reply", msg: `{"type":"subscribed","inReplyTo":"` + u1 + `","data":[1,2]}`, ready: true,
				want: `{"type":"subscribed","inReplyTo":"` + u2 + `","data":[1,2]}`},
			{op: "reply", msg: `{"type":"update","subs":["` + u1 + `"]}`, ready: true, want: `{"type":"update","subs":["` + u2 + `"]}`},
		}},
		{"a counter echoed under its own name only", []step{
			{op: "rec", msg: `{"action":"get","id":3}`},
			{op: "live", msg: `{"action":"get","id":5}`},
			{op: "reply", msg: `{"id":3,"count":3,"items":[3]}`, ready: true, want: `{"id":5,"count":3,"items":[3]}`},
		}},
		{"the live client's type is kept", []step{
			{op: "rec", msg: `{"call":"f","seq":"17"}`},
			{op: "live", msg: `{"call":"f","seq":42}`},
			{op: "reply", msg: `{"seq":"17","ok":true}`, ready: true, want: `{"seq":42,"ok":true}`},
			{op: "reply", msg: `{"seq":17,"ok":true}`, ready: true}, // a number 17 is not the string "17"
		}},
		{"words tell requests apart", []step{
			{op: "rec", msg: `{"op":"sub","ch":"prices","rid":"a-1"}`},
			{op: "rec", msg: `{"op":"sub","ch":"news","rid":"a-2"}`},
			{op: "live", msg: `{"op":"sub","ch":"news","rid":"b-7"}`},
			{op: "reply", msg: `{"rid":"a-1","ok":1}`, ready: false},
			{op: "reply", msg: `{"rid":"a-2","ok":1}`, ready: true, want: `{"rid":"b-7","ok":1}`},
		}},
		{"a fresh token or a clock does not keep requests apart", []step{
			{op: "rec", msg: `{"op":"sub","token":"[redacted]","at":1.5,"live":false,"rid":"a-1"}`},
			{op: "live", msg: `{"op":"sub","token":"eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo","at":9.25,"live":true,"rid":"b-1"}`},
			{op: "reply", msg: `{"rid":"a-1"}`, ready: true, want: `{"rid":"b-1"}`},
		}},
		{"inside a double-encoded string", []step{
			{op: "rec", msg: `{"command":"subscribe","identifier":"{\"channel\":\"Chat\",\"sub\":\"s-00000001\"}"}`},
			{op: "live", msg: `{"command":"subscribe","identifier":"{\"channel\":\"Chat\",\"sub\":\"s-99999999\"}"}`},
			{op: "reply", msg: `{"type":"confirm_subscription","identifier":"{\"channel\":\"Chat\",\"sub\":\"s-00000001\"}"}`, ready: true,
				want: `{"type":"confirm_subscription","identifier":"{\"channel\":\"Chat\",\"sub\":\"s-99999999\"}"}`},
		}},
		{"no id-like values: nothing waits", []step{
			{op: "rec", msg: `{"op":"sub","ch":"prices","snapshot":true,"depth":0,"ratio":1.5}`},
			{op: "reply", msg: `{"ch":"prices","snapshot":true,"depth":0,"ratio":1.5}`, ready: true},
		}},
		{"a constant is not an id", []step{
			{op: "rec", msg: `{"v":"2","op":"a"}`},
			{op: "live", msg: `{"v":"2","op":"a"}`},
			{op: "rec", msg: `{"v":"2","op":"b"}`},
			{op: "reply", msg: `{"v":"2","x":1}`, ready: true},
		}},
		{"an array's elements are under no key", []step{
			{op: "rec", msg: `["r-1","r-2"]`},
			{op: "reply", msg: `{"r":"r-1"}`, ready: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { playSteps(t, NewPairing(NewLearned()), tt.steps) })
	}
}

// TestLearnedUnchanged: a server message that carries no learned value is
// returned as it is, the same slice, whatever to() says.
func TestLearnedUnchanged(t *testing.T) {
	l := NewLearned()
	l.Request(send(`{"op":"get","id":"req-0001"}`))
	all := func(ID) (string, bool) { return `"zzz"`, true }
	for _, s := range []string{`{"id":"req-0002"}`, `{"other":"req-0001x"}`, `not json`, `[1, {"id" : 2}]`, `"req-0001"`} {
		m := receive(s)
		if got := l.Rewrite(m, all); &got[0] != &m.Data[0] || len(got) != len(m.Data) {
			t.Errorf("%s: got %s", s, got)
		}
	}
	bin := Message{Dir: format.Receive, Binary: true, Data: []byte(`{"id":"req-0001"}`)}
	if got := l.Rewrite(bin, all); !bytes.Equal(got, bin.Data) {
		t.Errorf("binary rewritten: %s", got)
	}
}

// TestLearnedBounded: a replay of endless fresh ids remembers at most
// maxLearned values, the newest.
func TestLearnedBounded(t *testing.T) {
	l := NewLearned()
	for i := range 3 * maxLearned {
		l.Request(send(fmt.Sprintf(`{"op":"get","id":"r%d","at":%d}`, i, 1000+i)))
	}
	if n := len(l.values); n > maxLearned {
		t.Errorf("%d values remembered, want at most %d", n, maxLearned)
	}
	last := fmt.Sprintf(`{"id":"r%d"}`, 3*maxLearned-1)
	if ids := l.Echoes(receive(last)); len(ids) != 1 {
		t.Errorf("the newest id is forgotten: %v", ids)
	}
	if ids := l.Echoes(receive(`{"id":"r0"}`)); len(ids) != 0 {
		t.Errorf("the oldest id is remembered: %v", ids)
	}
}

// TestCandidate: the rule for what looks like an id.
func TestCandidate(t *testing.T) {
	tests := []struct {
		key, raw string
		want     bool
	}{
		{"id", `"42"`, true},
		{"id", `"a7f3"`, true},
		{"id", `42`, true},
		{"id", `-42`, true},
		{"id", `0`, false},
		{"id", `1.5`, false},
		{"id", `1e3`, false},
		{"id", `true`, false},
		{"id", `null`, false},
		{"id", `"prices"`, false},
		{"id", `""`, false},
		{"id", `{"a":"1"}`, false},
		{"", `"r-1"`, false}, // an array's element is under no key
		{"id", `"` + string(bytes.Repeat([]byte("1"), maxIDLen+1)) + `"`, false},
		{"id", `123456789012345678901`, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			if _, got := candidate("."+tt.key, tt.key, []byte(tt.raw)); got != tt.want {
				t.Errorf("candidate(%s: %s) = %v, want %v", tt.key, tt.raw, got, tt.want)
			}
		})
	}
}

// FuzzLearned holds the generic rule to its contract on any client and
// server messages: no panic, nothing modified, a rewritten JSON message
// is still JSON, and a server message with no learned value comes back
// unchanged byte for byte.
func FuzzLearned(f *testing.F) {
	seeds := [][3]string{
		{`{"op":"get","id":"r-1"}`, `{"op":"get","id":"x-9"}`, `{"id":"r-1","data":"r-1"}`},
		{`{"id":3}`, `{"id":"3"}`, `[{"id":3},{"n":"{\"id\":3}"}]`},
		{`{"s":"{\"sub\":\"s-00000001\"}"}`, `{"s":"{\"sub\":\"s-2\"}"}`, `{"x":"{\"sub\":\"s-00000001\"}"}`},
		{`{"a":{"b":[{"c":"0b6f3c1e-6a52"}]}}`, `{"a":{"b":[{"c":"1"}]}}`, `{"z":["0b6f3c1e-6a52"]}`},
		{`{"id":"\u0031"}`, `{"id":"2"}`, `{"id":"1"}`},
		{`not json`, `{"id":1}`, `{"id":1`},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, rec, live, server []byte) {
		orig := bytes.Clone(server)
		m := receive(string(server))
		l := NewLearned()
		every := func(ID) (string, bool) { return `"live-1"`, true }
		if got := l.Rewrite(m, every); !bytes.Equal(got, server) {
			t.Fatalf("nothing learned, yet %q became %q", server, got)
		}
		p := NewPairing(l)
		p.Recorded(send(string(rec)))
		p.Live(send(string(live)))
		p.Ready(m)
		for _, got := range [][]byte{p.Rewrite(m), l.Rewrite(m, every)} {
			if json.Valid(server) && !json.Valid(got) {
				t.Fatalf("rewrite of %q is not JSON: %q", server, got)
			}
		}
		if len(l.Echoes(m)) == 0 {
			if got := l.Rewrite(m, every); !bytes.Equal(got, server) {
				t.Fatalf("%q echoes nothing learned, yet became %q", server, got)
			}
		}
		if !bytes.Equal(server, orig) {
			t.Fatal("the message was modified")
		}
	})
}

// BenchmarkLearned: what the generic rule costs a replay per server
// message (Ready's Echoes and then Rewrite), with a full memory.
func BenchmarkLearned(b *testing.B) {
	l := NewLearned()
	for i := range maxLearned {
		l.Request(send(fmt.Sprintf(`{"op":"get","channel":"prices","id":"req-%08d","at":%d}`, i, i)))
	}
	p := NewPairing(l)
	m := receive(`{"type":"result","id":"req-00004000","data":{"rows":[{"sym":"ACME","px":101.5,"qty":300},` +
		`{"sym":"INIT","px":99.25,"qty":120}],"meta":"{\"page\":2,\"of\":\"req-00004000\"}"},"ts":1733560000000}`)
	b.SetBytes(int64(len(m.Data)))
	for b.Loop() {
		p.Ready(m)
		p.Rewrite(m)
	}
}
