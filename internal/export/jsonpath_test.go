package export

import (
	"encoding/json"
	"testing"

	"github.com/wsreplay/wsreplay/protocol"
)

func TestJSONPath(t *testing.T) {
	t.Parallel()

	const data = `{"a":[1,{"b":"x"}],"s":"{\"in\":[2,\"y\"]}","k\"q":3}`
	tests := []struct {
		name    string
		p       Path
		value   string // what valueAt finds
		set     string // data with the value at p set to 9
		renamed string // data with the member at p renamed "z", "" if p ends in no member
		literal string
	}{
		{"member in array", Path{{Member: "a", Index: -1}, {Index: 1}, {Member: "b", Index: -1}}, `"x"`,
			`{"a":[1,{"b":9}],"s":"{\"in\":[2,\"y\"]}","k\"q":3}`,
			`{"a":[1,{"z":"x"}],"s":"{\"in\":[2,\"y\"]}","k\"q":3}`, `["a", 1, "b"]`},
		{"inside a string", Path{{Member: "s", Index: -1}, {Enter: true}, {Member: "in", Index: -1}, {Index: 1}}, `"y"`,
			`{"a":[1,{"b":"x"}],"s":"{\"in\":[2,9]}","k\"q":3}`, "", `["s", ["in", 1]]`},
		{"member inside a string", Path{{Member: "s", Index: -1}, {Enter: true}, {Member: "in", Index: -1}}, `[2,"y"]`,
			`{"a":[1,{"b":"x"}],"s":"{\"in\":9}","k\"q":3}`,
			`{"a":[1,{"b":"x"}],"s":"{\"z\":[2,\"y\"]}","k\"q":3}`, `["s", ["in"]]`},
		{"escaped key", Path{{Member: `k"q`, Index: -1}}, `3`,
			`{"a":[1,{"b":"x"}],"s":"{\"in\":[2,\"y\"]}","k\"q":9}`,
			`{"a":[1,{"b":"x"}],"s":"{\"in\":[2,\"y\"]}","z":3}`, `["k\"q"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, ok := valueAt([]byte(data), tt.p); !ok || string(v) != tt.value {
				t.Errorf("valueAt = %s %v, want %s", v, ok, tt.value)
			}
			if out, ok := setAt([]byte(data), tt.p, []byte("9")); !ok || string(out) != tt.set {
				t.Errorf("setAt = %s %v\nwant %s", out, ok, tt.set)
			}
			out, ok := renameAt([]byte(data), tt.p, "z")
			if tt.renamed == "" && ok || tt.renamed != "" && string(out) != tt.renamed {
				t.Errorf("renameAt = %s %v\nwant %s", out, ok, tt.renamed)
			}
			if got := pathJS(tt.p); got != tt.literal {
				t.Errorf("pathJS = %s, want %s", got, tt.literal)
			}
		})
	}
	if _, ok := valueAt([]byte(data), Path{{Member: "none", Index: -1}}); ok {
		t.Errorf("valueAt found a member that is not there")
	}
}

// FuzzProbe holds the probing to what a recording may hold: no panic,
// every copy it makes is JSON, and each place it finds holds the value it
// was found with.
func FuzzProbe(f *testing.F) {
	for _, s := range []string{
		`{"id":"9f1c","type":"subscribe","payload":{"query":"{ a }"}}`,
		`["1","1","room:lobby","phx_join",{}]`,
		`{"command":"subscribe","identifier":"{\"channel\":\"Chat\"}"}`,
		`{"a":[1,{"b":"x"}],"s":"{\"in\":[2,\"y\"]}","k\"q":3e5}`,
		`{"":{"":[[],{},""]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data := []byte(s)
		if !isJSON(data) {
			return
		}
		// A member given twice: the last counts, as in JavaScript, and
		// the places under the first may not be found (its replies are
		// then not followed). Only places with no such member on their
		// way are checked.
		seen := map[string]int{}
		walkMembers(data, func(p Path, _ []byte) { seen[pathJS(p)]++ })
		twice := func(p Path) bool {
			for i := 1; i <= len(p); i++ {
				if seen[pathJS(p[:i])] > 1 {
					return true
				}
			}
			return false
		}
		walkLeaves(data, func(p Path, raw []byte) {
			if v, ok := valueAt(data, p); !twice(p) && (!ok || string(v) != string(raw)) {
				t.Fatalf("valueAt(%s) = %s %v, want %s", pathJS(p), v, ok, raw)
			}
			if out, ok := setAt(data, p, []byte(`"x1"`)); !twice(p) && (!ok || !json.Valid(out)) {
				t.Fatalf("setAt(%s) = %s %v: not JSON", pathJS(p), out, ok)
			}
		})
		walkMembers(data, func(p Path, _ []byte) {
			if out, ok := renameAt(data, p, "z"); !twice(p) && (!ok || !json.Valid(out)) {
				t.Fatalf("renameAt(%s) = %s %v: not JSON", pathJS(p), out, ok)
			}
		})
		l := protocol.NewLearned()
		if r, ok := l.Request(send(data)); ok {
			probeRequest(protocol.NewLearned(), data, r)
		}
	})
}
