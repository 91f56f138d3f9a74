package diff

import (
	"encoding/json"
	"testing"
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
