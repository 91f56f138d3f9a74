package diff

import (
	"encoding/json"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// Any string either parses as a path or is an error, never a panic; a path
// that parses leaves valid JSON behind when it removes what it names.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"$.ts", "$..id", "$.list[*].x", "$['a-b'][0]", "$..*", "$[", "$.a..b[*]", `$["x"]`, "$.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Errorf("String() = %q, want %q", p.String(), s)
		}
		c, ok := canonicalJSON([]byte(`{"ts":1,"id":2,"list":[{"x":1},{"id":[3]}],"a-b":[0,{"b":1}],"x":{"a":{"b":2}}}`), []Path{p})
		if !ok || !json.Valid(c) {
			t.Errorf("after removing %s: %q", s, c)
		}
	})
}

// Any message of a Socket.IO session or an event stream gets a key,
// never a panic; the same message twice gets the same key.
func FuzzMeaning(f *testing.F) {
	for _, s := range []string{`0{"sid":"x","pingInterval":1}`, `42/admin,7["a",{"ts":1}]`, `451-[{"_placeholder":true,"num":0}]`, `40{"sid":"y"}`, `4`, `43`, `2probe`, `{"n":1}`} {
		f.Add([]byte(s), true)
	}
	ignore := []Path{mustPath("$..ts"), mustPath("$[1]")}
	f.Fuzz(func(t *testing.T, data []byte, send bool) {
		dir := format.Receive
		if send {
			dir = format.Send
		}
		for _, m := range []*Message{
			{Dir: dir, Opcode: format.Text, Data: data},
			{Dir: dir, Opcode: format.Text, Data: data, SSE: &format.SSE{Event: "e"}},
			{Dir: dir, Opcode: format.Text, Data: data, HTTP: &format.HTTP{Method: "GET", URL: string(data)}},
		} {
			m.canonicalize(ignore, nil, true)
			k := m.key
			m.canonicalize(ignore, nil, true)
			if m.key != k {
				t.Errorf("%q: key %q, then %q", data, k, m.key)
			}
		}
	})
}
