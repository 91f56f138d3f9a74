package diff

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// events is a Stream over a session written as terse lines:
// "<- text" (received), "-> text" (sent), "<b hex-ish bytes" (binary
// received), "@250ms" (the time of what follows), "close 1000 bye",
// "drop".
type events struct {
	evs []*format.Event
	i   int
	end error // after evs; nil for io.EOF
}

func (s *events) Next() (*format.Event, error) {
	if s.i >= len(s.evs) && s.end != nil {
		return nil, s.end
	}
	if s.i >= len(s.evs) {
		return nil, io.EOF
	}
	s.i++
	return s.evs[s.i-1], nil
}

func session(lines ...string) *events {
	s := &events{evs: []*format.Event{{Type: format.TypeSession, Session: "s", Time: t0, URL: "/live"}}}
	at := time.Duration(0)
	for _, l := range lines {
		e := &format.Event{Session: "s", Type: format.TypeMessage}
		switch {
		case strings.HasPrefix(l, "@"):
			d, err := time.ParseDuration(l[1:])
			if err != nil {
				panic(err)
			}
			at = d
			continue
		case strings.HasPrefix(l, "<- "):
			e.Dir, e.Opcode, e.Data = format.Receive, format.Text, []byte(l[3:])
		case strings.HasPrefix(l, "-> "):
			e.Dir, e.Opcode, e.Data = format.Send, format.Text, []byte(l[3:])
		case strings.HasPrefix(l, "<b "):
			e.Dir, e.Opcode, e.Data = format.Receive, format.Binary, []byte(l[3:])
		case strings.HasPrefix(l, "close "):
			var code int
			var reason string
			fmt.Sscanf(l, "close %d %s", &code, &reason)
			e = &format.Event{Session: "s", Type: format.TypeClose, By: format.ByServer, Code: code, Reason: reason, Clean: true}
		case l == "drop":
			e = &format.Event{Session: "s", Type: format.TypeClose, By: format.ByServer, Code: format.CodeAbnormal}
		default:
			panic("bad line " + l)
		}
		e.Time = t0.Add(at)
		at += time.Millisecond
		s.evs = append(s.evs, e)
	}
	return s
}

func paths(t *testing.T, ps ...string) []Path {
	t.Helper()
	var out []Path
	for _, s := range ps {
		p, err := ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestCompare(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		a, b *events
		opts Options
		// want: equal, removed, added, changed, retimed counts, and
		// whether the ending differs.
		want [5]int
		end  bool
	}{
		{"equal", session("<- a", "-> b", "<b \x00\x01", "close 1000 bye"), session("<- a", "-> b", "<b \x00\x01", "close 1000 bye"),
			Options{}, [5]int{3, 0, 0, 0, 0}, false},
		{"reordered keys and number spelling", session(`<- {"a":1,"b":[1.0,{"x":"y","z":2}]}`), session(`<- { "b": [1, {"z":2e0,"x":"y"}], "a": 1 }`),
			Options{}, [5]int{1, 0, 0, 0, 0}, false},
		{"text is not JSON: bytes count", session(`<- hello  world`), session(`<- hello world`),
			Options{}, [5]int{0, 0, 0, 1, 0}, false},
		{"changed field", session(`<- {"ts":1,"v":1}`), session(`<- {"ts":2,"v":1}`),
			Options{}, [5]int{0, 0, 0, 1, 0}, false},
		{"ignored fields", session(`<- {"ts":1,"id":"a","list":[{"x":1,"y":1}],"deep":{"id":7}}`),
			session(`<- {"ts":2,"id":"b","list":[{"x":9,"y":1}],"deep":{"id":8}}`),
			Options{Ignore: paths(t, "$.ts", "$..id", "$.list[*].x")}, [5]int{1, 0, 0, 0, 0}, false},
		{"ignored field, the rest differs", session(`<- {"ts":1,"v":1}`), session(`<- {"ts":2,"v":2}`),
			Options{Ignore: paths(t, "$.ts")}, [5]int{0, 0, 0, 1, 0}, false},
		{"an inserted message", session("<- 1", "<- 2", "<- 3", "<- 4", "<- 5"), session("<- 1", "<- 2", "<- new", "<- 3", "<- 4", "<- 5"),
			Options{}, [5]int{5, 0, 1, 0, 0}, false},
		{"a removed message", session("<- 1", "<- 2", "<- 3", "<- 4"), session("<- 1", "<- 3", "<- 4"),
			Options{}, [5]int{3, 1, 0, 0, 0}, false},
		{"direction matters", session("<- 1"), session("-> 1"),
			Options{}, [5]int{0, 0, 0, 1, 0}, false},
		{"text is not binary", session("<- 1"), session("<b 1"),
			Options{}, [5]int{0, 0, 0, 1, 0}, false},
		{"changed ending code", session("<- 1", "close 1000 bye"), session("<- 1", "close 1001 bye"),
			Options{}, [5]int{1, 0, 0, 0, 0}, true},
		{"changed ending reason", session("<- 1", "close 1000 bye"), session("<- 1", "close 1000 ciao"),
			Options{}, [5]int{1, 0, 0, 0, 0}, true},
		{"close against drop", session("<- 1", "close 1006 x"), session("<- 1", "drop"),
			Options{}, [5]int{1, 0, 0, 0, 0}, true},
		{"ending against none", session("<- 1", "close 1000 bye"), session("<- 1"),
			Options{}, [5]int{1, 0, 0, 0, 0}, true},
		{"timing off by default", session("<- 1", "@5s", "<- 2"), session("<- 1", "<- 2"),
			Options{}, [5]int{2, 0, 0, 0, 0}, false},
		{"timing beyond tolerance", session("<- 1", "@5s", "<- 2"), session("<- 1", "<- 2"),
			Options{TimeTolerance: time.Second}, [5]int{1, 0, 0, 0, 1}, false},
		{"timing within tolerance", session("<- 1", "@500ms", "<- 2"), session("<- 1", "<- 2"),
			Options{TimeTolerance: time.Second}, [5]int{2, 0, 0, 0, 0}, false},
		{"empty against some", session(), session("<- 1", "<- 2"),
			Options{}, [5]int{0, 0, 2, 0, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compare(tt.a, tt.b, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := [5]int{r.Equal, r.Removed, r.Added, r.Changed, r.Retimed}
			if got != tt.want || r.EndingDiffers != tt.end {
				t.Errorf("equal, removed, added, changed, retimed = %v, ending differs %v; want %v, %v", got, r.EndingDiffers, tt.want, tt.end)
			}
			wantSame := tt.want[1]+tt.want[2]+tt.want[3]+tt.want[4] == 0 && !tt.end
			if r.Same() != wantSame {
				t.Errorf("Same() = %v, want %v", r.Same(), wantSame)
			}
			if !wantSame && !tt.end && len(r.Hunks) == 0 {
				t.Errorf("no difference kept")
			}
		})
	}
}

// A stream ends at io.EOF, and at a torn tail (the caller has warned about
// it); any other error of a stream is Compare's.
func TestCompareStreamEnd(t *testing.T) {
	t.Parallel()

	torn := &format.SyntaxError{File: "b.ndjson", Line: 3, Err: format.ErrTruncated}
	broken := &format.SyntaxError{File: "b.ndjson", Line: 3, Err: errors.New("invalid character")}
	tests := []struct {
		name    string
		end     error
		wantErr error
	}{
		{"io.EOF", nil, nil},
		{"torn tail", torn, nil},
		{"malformed line", broken, broken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := session("<- 1", "<- 2")
			b.end = tt.end
			r, err := Compare(session("<- 1", "<- 2"), b, nil)
			if err != tt.wantErr {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if err == nil && (r.Equal != 2 || !r.Same()) {
				t.Errorf("got %d equal, Same() = %v; want 2 and true", r.Equal, r.Same())
			}
		})
	}
}

// hunkText writes hunks as "kind B#n" edits, hunks apart by " | ".
func hunkText(hs []Hunk) string {
	var out []string
	for _, h := range hs {
		var got []string
		for _, e := range h.Edits {
			s := string(e.Kind)
			if e.B != nil {
				s += fmt.Sprintf(" B#%d", e.B.Seq)
			} else {
				s += fmt.Sprintf(" A#%d", e.A.Seq)
			}
			got = append(got, s)
		}
		out = append(out, strings.Join(got, ","))
	}
	return strings.Join(out, " | ")
}

// Every difference is kept with its context: an inserted message at #50
// of 100 shows as three equal messages, the addition, three more; a
// change at #80 as its own hunk; two differences closer than the context
// share one.
func TestEveryDifferenceInContext(t *testing.T) {
	t.Parallel()

	var a, b []string
	for i := 1; i <= 100; i++ {
		a = append(a, fmt.Sprintf("<- %d", i))
		b = append(b, fmt.Sprintf("<- %d", i))
		if i == 50 {
			b = append(b, "<- inserted")
		}
	}
	b[80] = "<- changed"
	b[90] = "<- changed"
	b[92] = "<- changed"
	r, err := Compare(session(a...), session(b...), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "equal B#48,equal B#49,equal B#50,added B#51,equal B#52,equal B#53,equal B#54" +
		" | equal B#78,equal B#79,equal B#80,changed B#81,equal B#82,equal B#83,equal B#84" +
		" | equal B#88,equal B#89,equal B#90,changed B#91,equal B#92,changed B#93,equal B#94,equal B#95,equal B#96"
	if got := hunkText(r.Hunks); got != want {
		t.Errorf("hunks:\n got %s\nwant %s", got, want)
	}
	if r.Added != 1 || r.Changed != 3 || r.Equal != 97 || r.More != 0 {
		t.Errorf("added %d, changed %d, equal %d, more %d; want 1, 3, 97, 0", r.Added, r.Changed, r.Equal, r.More)
	}
}

// Options.Max cuts the differences kept; the rest are counted in More
// and every count still covers the whole session.
func TestMaxDifferences(t *testing.T) {
	t.Parallel()

	var a, b []string
	for i := range 1000 {
		a = append(a, fmt.Sprintf("<- %d", i))
		if i%10 == 5 {
			b = append(b, fmt.Sprintf("<- other %d", i))
		} else {
			b = append(b, fmt.Sprintf("<- %d", i))
		}
	}
	for _, tt := range []struct{ max, hunks, more int }{{0, DefaultMax, 100 - DefaultMax}, {3, 3, 97}, {500, 100, 0}} {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			r, err := Compare(session(a...), session(b...), &Options{Max: tt.max})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Hunks) != tt.hunks || r.More != tt.more || r.Changed != 100 {
				t.Errorf("%d hunks, %d more, %d changed; want %d, %d, 100", len(r.Hunks), r.More, r.Changed, tt.hunks, tt.more)
			}
			last := r.Hunks[len(r.Hunks)-1].Edits
			if n := len(last); n != 7 || last[3].Kind != Changed {
				t.Errorf("last hunk %s, want 3 equal, the change, 3 equal", hunkText(r.Hunks[len(r.Hunks)-1:]))
			}
		})
	}
}

// A window far smaller than the sessions still aligns differences that
// are apart, and holds no more than the window.
func TestSmallWindow(t *testing.T) {
	t.Parallel()

	var a, b []string
	for i := range 5000 {
		a = append(a, fmt.Sprintf("<- %d", i))
		if i%500 == 250 {
			b = append(b, "<- extra")
		}
		if i%700 != 300 {
			b = append(b, fmt.Sprintf("<- %d", i))
		}
	}
	r, err := Compare(session(a...), session(b...), &Options{Window: 64})
	if err != nil {
		t.Fatal(err)
	}
	// 10 insertions and 7 removals, none near another.
	if r.Added != 10 || r.Removed != 7 || r.Changed != 0 || r.Equal != 5000-7 {
		t.Errorf("added %d, removed %d, changed %d, equal %d; want 10, 7, 0, 4993", r.Added, r.Removed, r.Changed, r.Equal)
	}
}

func TestParsePath(t *testing.T) {
	t.Parallel()

	good := []string{"$.ts", "$..id", "$.list[*].x", "$.a['b-c'][0]", "$..*", `$["x"]`, "$.*.y"}
	for _, s := range good {
		t.Run(s, func(t *testing.T) {
			if _, err := ParsePath(s); err != nil {
				t.Errorf("ParsePath(%q): %v", s, err)
			}
		})
	}
	bad := []string{"", "ts", "$", "$.", "$.a[", "$.a[x]", "$a", "$.a[-1]"}
	for _, s := range bad {
		t.Run("bad "+s, func(t *testing.T) {
			if _, err := ParsePath(s); err == nil {
				t.Errorf("ParsePath(%q) succeeded, want an error", s)
			}
		})
	}
}

func TestIgnore(t *testing.T) {
	t.Parallel()

	tests := []struct{ path, in, want string }{
		{"$.ts", `{"ts":1,"a":{"ts":2}}`, `{"a":{"ts":2}}`},
		{"$..ts", `{"ts":1,"a":{"ts":2,"b":[{"ts":3}]}}`, `{"a":{"b":[{}]}}`},
		{"$.list[*].x", `{"list":[{"x":1,"y":2},{"x":3}],"x":4}`, `{"list":[{"y":2},{}],"x":4}`},
		{"$.list[1]", `{"list":[1,2,3]}`, `{"list":[1,"\u0000ignored",3]}`},
		{"$['a-b']", `{"a-b":1,"c":2}`, `{"c":2}`},
		{"$.*.id", `{"a":{"id":1,"k":1},"b":{"id":2}}`, `{"a":{"k":1},"b":{}}`},
		{"$[*].id", `[{"id":1,"k":1}]`, `[{"k":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.path+" on "+tt.in, func(t *testing.T) {
			got, ok := canonicalJSON([]byte(tt.in), paths(t, tt.path))
			if !ok || string(got) != tt.want {
				t.Errorf("%s on %s: got %s, want %s", tt.path, tt.in, got, tt.want)
			}
		})
	}
}
