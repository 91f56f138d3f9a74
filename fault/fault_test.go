package fault

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

func TestParseLatency(t *testing.T) {
	for _, c := range []struct {
		in        string
		lat, jit  time.Duration
		errSubstr string
	}{
		{in: "200ms±50ms", lat: 200 * time.Millisecond, jit: 50 * time.Millisecond},
		{in: "200ms+-50ms", lat: 200 * time.Millisecond, jit: 50 * time.Millisecond},
		{in: "1s", lat: time.Second},
		{in: "0", lat: 0},
		{in: "fast", errSubstr: `latency "fast"`},
		{in: "200ms±x", errSubstr: `jitter "x"`},
		{in: "-1s", errSubstr: "negative"},
	} {
		t.Run(c.in, func(t *testing.T) {
			lat, jit, err := ParseLatency(c.in)
			if c.errSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), c.errSubstr) {
					t.Fatalf("got error %v, want one with %q", err, c.errSubstr)
				}
				return
			}
			if err != nil || lat != c.lat || jit != c.jit {
				t.Fatalf("got %v, %v, %v; want %v, %v", lat, jit, err, c.lat, c.jit)
			}
		})
	}
}

func TestParseBandwidth(t *testing.T) {
	for in, want := range map[string]int64{"64KiB/s": 65536, "1MB/s": 1e6, "500B/s": 500, "1.5KiB": 1536, "2GiB/s": 2 << 30} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseBandwidth(in)
			if err != nil || got != want {
				t.Fatalf("got %d, %v; want %d", got, err, want)
			}
			if back, err := ParseBandwidth(FormatBandwidth(got)); err != nil || back != got {
				t.Fatalf("round trip of %s: got %d, %v", FormatBandwidth(got), back, err)
			}
		})
	}
	for _, bad := range []string{"64", "KiB/s", "-1KB/s", "0B/s", "x MB/s"} {
		if _, err := ParseBandwidth(bad); err == nil || !strings.Contains(err.Error(), "bandwidth") {
			t.Errorf("ParseBandwidth(%q): got %v, want an error naming bandwidth", bad, err)
		}
	}
}

func TestParseStall(t *testing.T) {
	s, err := ParseStall("10s:5s")
	if err != nil || s != (Stall{At: 10 * time.Second, For: 5 * time.Second}) {
		t.Fatalf("got %v, %v", s, err)
	}
	for _, bad := range []string{"10s", "10s:0", "x:5s", "10s:y"} {
		if _, err := ParseStall(bad); err == nil {
			t.Errorf("ParseStall(%q): no error", bad)
		}
	}
}

func ev(data string) *format.Event {
	return &format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte(data)}
}

func TestRuleMatch(t *testing.T) {
	sse := ev("x")
	sse.SSE = &format.SSE{Event: "tick"}
	for _, c := range []struct {
		name, rule string
		m          Message
		want       bool
	}{
		{"json path value", "drop:$.type==tick", Message{Event: ev(`{"type":"tick"}`)}, true},
		{"json path other value", "drop:$.type==tick", Message{Event: ev(`{"type":"tock"}`)}, false},
		{"json path quoted value", `drop:$.a[1].b=="x y"`, Message{Event: ev(`{"a":[0,{"b":"x y"}]}`)}, true},
		{"json path number", "drop:$.n==3", Message{Event: ev(`{"n":3.0}`)}, true},
		{"json path exists", "drop:$.user.id", Message{Event: ev(`{"user":{"id":null}}`)}, true},
		{"json path missing", "drop:$.user.id", Message{Event: ev(`{"user":{}}`)}, false},
		{"not json", "drop:$.type==tick", Message{Event: ev(`tick`)}, false},
		{"text", "drop:~beat", Message{Event: ev(`heartbeat`)}, true},
		{"position", "drop:#3-4", Message{Seq: 4, Event: ev(`x`)}, true},
		{"position out", "drop:#3-4", Message{Seq: 5, Event: ev(`x`)}, false},
		{"window", "drop:@1s-2s", Message{Offset: 1500 * time.Millisecond, Event: ev(`x`)}, true},
		{"window end", "drop:@1s-2s", Message{Offset: 2 * time.Second, Event: ev(`x`)}, false},
		{"socket.io event", "drop:event=tick", Message{Kind: format.KindSocketIO, Event: ev(`42/chat,7["tick",{"n":1}]`)}, true},
		{"socket.io json", "drop:$[1].n==1", Message{Kind: format.KindSocketIO, Event: ev(`42["tick",{"n":1}]`)}, true},
		{"socket.io other event", "drop:event=tick", Message{Kind: format.KindSocketIO, Event: ev(`42["tock"]`)}, false},
		{"sse event", "drop:event=tick", Message{Kind: format.KindSSE, Event: sse}, true},
		{"sse default event", "drop:event=message", Message{Kind: format.KindSSE, Event: ev("x")}, true},
		{"websocket event", "drop:event=tick", Message{Event: ev(`{"event":"tick"}`)}, true},
		{"path", "delay=200ms:path=/feed*", Message{Path: "/feed/1?x=1", Event: ev(`x`)}, true},
		{"path other", "delay=200ms:path=/feed", Message{Path: "/chat", Event: ev(`x`)}, false},
		{"all of them", "drop:~a;#2", Message{Seq: 1, Event: ev(`a`)}, false},
		{"client message", "drop", Message{Event: &format.Event{Type: format.TypeMessage, Dir: format.Send}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRule(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Match(&c.m); got != c.want {
				t.Fatalf("%s on %s: got %v, want %v", c.rule, c.m.Event.Data, got, c.want)
			}
		})
	}
}

func TestMatcherOnce(t *testing.T) {
	r, err := ParseRule("reorder:@1s")
	if err != nil {
		t.Fatal(err)
	}
	x := NewMatcher([]*Rule{r})
	var got []bool
	for _, off := range []time.Duration{0, time.Second, 2 * time.Second} {
		got = append(got, x.Match(&Message{Offset: off, Event: ev("x")}) != nil)
	}
	if want := []bool{false, true, false}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestParseRuleErrors(t *testing.T) {
	for in, want := range map[string]string{
		"explode:#1":    `unknown action "explode"`,
		"delay:#1":      "delay needs a duration",
		"drop=1s":       "drop takes no value",
		"drop:#x":       `selector "#x"`,
		"drop:@soon":    `time "soon"`,
		"drop:@2s-1s":   "ends before it starts",
		"drop:$.a[":     "unclosed [",
		"drop:$a":       "expected . or [",
		"drop:whatever": `selector "whatever" is none of`,
		"drop:path=[":   "not a path glob",
		"drop:event=":   "no event name",
		"corrupt:#1;~":  "nothing to match",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseRule(in)
			if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, want)
			}
		})
	}
}

func TestCorruptData(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"a":1}`, `[1,2,3]`, `"héllo"`, `42["tick",{"n":1}]`} {
		out := CorruptData([]byte(in), true)
		if json.Valid(out) {
			t.Errorf("corrupt %q gave valid JSON %q", in, out)
		}
	}
	if got := CorruptData([]byte{1, 2, 3, 4, 5}, false); len(got) != 2 {
		t.Errorf("corrupt binary: got %d bytes, want 2", len(got))
	}
}

// FuzzParseRule holds the parsers to one line errors and no panics, and
// CorruptData to never giving valid JSON or invalid UTF-8 from UTF-8.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"drop:event=tick", "delay=200ms:path=/feed;$.a[0].b==\"x\"", "reorder:@1s-2s", "duplicate:#5-9", "corrupt:~x", "200ms±50ms", "64KiB/s", "10s:5s"} {
		f.Add(s, []byte(`{"type":"tick","a":[{"b":"x"}]}`))
	}
	f.Fuzz(func(t *testing.T, s string, data []byte) {
		for _, err := range []error{parseErr(ParseRule(s)), latErr(ParseLatency(s)), bwErr(ParseBandwidth(s)), stallErr(ParseStall(s))} {
			if err != nil && strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Fatalf("a multi-line error for %q: %v", s, err)
			}
		}
		if r, err := ParseRule(s); err == nil {
			for _, k := range []format.Kind{format.KindWebSocket, format.KindSocketIO, format.KindSSE} {
				r.Match(&Message{Kind: k, Event: ev(string(data)), Path: s})
			}
			if r.String() != s {
				t.Fatalf("String: got %q, want %q", r.String(), s)
			}
		}
		if out := CorruptData(data, true); json.Valid(out) {
			t.Fatalf("corrupt %q gave valid JSON %q", data, out)
		}
		if rate, err := ParseBandwidth(s); err == nil && (rate < 1 || rate > MaxBandwidth) {
			t.Fatalf("bandwidth %q gave %d", s, rate)
		}
		if lat, jit, err := ParseLatency(s); err == nil && (lat > MaxDuration || jit > MaxDuration) {
			t.Fatalf("latency %q gave %v±%v", s, lat, jit)
		}
		if st, err := ParseStall(s); err == nil && (st.At > MaxDuration || st.For > MaxDuration || st.For <= 0) {
			t.Fatalf("stall %q gave %v", s, st)
		}
		if r, err := ParseRule(s); err == nil && r.Delay > MaxDuration {
			t.Fatalf("fault %q gave a delay of %v", s, r.Delay)
		}
	})
}

func parseErr(_ *Rule, err error) error          { return err }
func latErr(_, _ time.Duration, err error) error { return err }
func bwErr(_ int64, err error) error             { return err }
func stallErr(_ Stall, err error) error          { return err }
