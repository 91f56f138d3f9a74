package fault

import (
	"math"
	"strings"
	"testing"
	"time"
)

// Every duration the vocabulary takes is at most MaxDuration, every rate
// at most MaxBandwidth and at least 1B/s: beyond, a one-line error names
// the value and the limit (a jitter of 1300000h once overflowed the
// clock's draw and panicked the replay, or killed record).
func TestParseLimits(t *testing.T) {
	for _, c := range []struct {
		name  string
		parse func() error
		want  []string // in the error; nil: accepted
	}{
		{"latency at the limit", func() error { return latErr(ParseLatency("24h±24h")) }, nil},
		{"latency over", func() error { return latErr(ParseLatency("24h1ns")) }, []string{`latency "24h1ns"`, "24h"}},
		{"jitter over", func() error { return latErr(ParseLatency("0±1300000h")) }, []string{`jitter "1300000h"`, "limit of 24h"}},
		{"stall at the limit", func() error { return stallErr(ParseStall("24h:24h")) }, nil},
		{"stall start over", func() error { return stallErr(ParseStall("25h:1s")) }, []string{`stall start "25h"`, "limit of 24h"}},
		{"stall length over", func() error { return stallErr(ParseStall("1s:2562047h")) }, []string{`stall length "2562047h"`, "limit of 24h"}},
		{"stall length negative", func() error { return stallErr(ParseStall("1s:-1s")) }, []string{`stall length "-1s" must be positive`}},
		{"stall length zero", func() error { return stallErr(ParseStall("1s:0")) }, []string{`stall length "0" must be positive`}},
		{"delay at the limit", func() error { return parseErr(ParseRule("delay=24h:#1")) }, nil},
		{"delay over", func() error { return parseErr(ParseRule("delay=100000h:#1")) }, []string{`delay "100000h"`, "limit of 24h"}},
		{"time selector past a day", func() error { return parseErr(ParseRule("drop:@30h-40h")) }, nil},
		{"bandwidth at the limit", func() error { return bwErr(ParseBandwidth("1024GiB/s")) }, nil},
		{"bandwidth 1B/s", func() error { return bwErr(ParseBandwidth("1B/s")) }, nil},
		{"bandwidth over", func() error { return bwErr(ParseBandwidth("1025GiB/s")) }, []string{`bandwidth "1025GiB/s"`, "limit of 1024GiB/s"}},
		{"bandwidth beyond int64", func() error { return bwErr(ParseBandwidth("1e30GiB/s")) }, []string{`bandwidth "1e30GiB/s"`, "limit of 1024GiB/s"}},
		{"bandwidth beyond float64", func() error { return bwErr(ParseBandwidth("1e400B/s")) }, []string{`bandwidth "1e400B/s"`, "limit of 1024GiB/s"}},
		{"bandwidth under 1B/s", func() error { return bwErr(ParseBandwidth("0.5B/s")) }, []string{`bandwidth "0.5B/s"`, "at least 1B/s"}},
		{"bandwidth NaN", func() error { return bwErr(ParseBandwidth("NaNKB")) }, []string{`bandwidth "NaNKB"`, "not a positive number"}},
		{"bandwidth Inf", func() error { return bwErr(ParseBandwidth("InfKB/s")) }, []string{`bandwidth "InfKB/s"`, "not a positive number"}},
		{"bandwidth -Inf", func() error { return bwErr(ParseBandwidth("-infB/s")) }, []string{`bandwidth "-infB/s"`, "not a positive number"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.parse()
			if c.want == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to say %q", err, w)
				}
			}
		})
	}
}

// A Link built by hand, beyond every limit the parsers keep, still gives
// arrivals in order and not before they are due: the clock's arithmetic
// saturates instead of overflowing.
func TestClockBeyondLimits(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, l := range []Link{
		{Jitter: math.MaxInt64},
		{Jitter: math.MaxInt64 / 2},
		{Latency: math.MaxInt64, Jitter: math.MaxInt64},
		{Latency: math.MinInt64, Jitter: math.MinInt64},
		{Latency: -time.Second, Jitter: time.Second},
		{Bandwidth: 1, Stalls: []Stall{{At: math.MaxInt64, For: math.MaxInt64}, {At: -time.Hour, For: math.MaxInt64}}},
		{Bandwidth: math.MaxInt64},
	} {
		t.Run(l.String(), func(t *testing.T) {
			c := NewClock(l, t0)
			var last time.Time
			for seq, size := range []int{0, math.MaxInt, 1 << 40, 10} {
				due := t0.Add(time.Duration(seq) * time.Second)
				at := c.Arrival(seq+1, size, due)
				if at.Before(due) || at.Before(last) {
					t.Fatalf("message %d due at %v arrives at %v, after one at %v", seq+1, due, at, last)
				}
				c.Sent(seq+1, at)
				last = at
			}
		})
	}
}

// FuzzParseLink feeds what the parsers take to a Clock: whatever link and
// delay they accept, scheduling messages with it never panics, arrivals
// keep their order, none is early, and none is later than the limits
// allow.
func FuzzParseLink(f *testing.F) {
	for _, s := range [][4]string{
		{"200ms±50ms", "64KiB/s", "10s:5s", "delay=200ms"},
		{"0±1300000h", "NaNKB", "1s:2562047h", "delay=100000h"}, // refused: once a panic
		{"24h±24h", "1B/s", "24h:24h", "delay=24h"},
		{"0", "1024GiB/s", "0:1ns", "drop:#2"},
	} {
		f.Add(s[0], s[1], s[2], s[3], []byte{0, 255, 1, 128, 7})
	}
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, lat, bw, stall, rule string, sizes []byte) {
		var l Link
		var err error
		if l.Latency, l.Jitter, err = ParseLatency(lat); err != nil {
			l.Latency, l.Jitter = 0, 0
		}
		if l.Bandwidth, err = ParseBandwidth(bw); err != nil {
			l.Bandwidth = 0
		}
		if st, err := ParseStall(stall); err == nil {
			l.Stalls = []Stall{st}
		}
		r, err := ParseRule(rule)
		if err != nil {
			r = nil
		}
		c := NewClock(l, t0)
		var last time.Time
		var wire, stalled time.Duration
		for i, b := range sizes[:min(len(sizes), 8)] {
			seq, size, due := i+1, int(b)<<20, t0.Add(time.Duration(i)*time.Second)
			if i == 4 {
				c.SetLink(l) // as the control API does, mid-way
			}
			at := c.Arrival(seq, size, due)
			if again := c.Arrival(seq, size, due); !again.Equal(at) {
				t.Fatalf("%v, message %d: asked twice, %v then %v", l, seq, at, again)
			}
			if l.Bandwidth > 0 {
				wire += wireTime(size, l.Bandwidth)
			}
			for _, s := range l.Stalls {
				stalled += s.For
			}
			most := due.Add(wire + 2*MaxDuration + stalled)
			if at.Before(due) || at.Before(last) || at.After(most) {
				t.Fatalf("%v, message %d due at %v: arrives at %v (the one before at %v, at most %v)", l, seq, due, at, last, most)
			}
			c.Sent(seq, at)
			last = at
			if r != nil && r.Match(&Message{Seq: seq, Offset: at.Sub(t0), Event: ev("{}")}) && r.Action == Delay {
				if late := at.Add(r.Delay); late.Before(at) || late.Sub(at) > MaxDuration {
					t.Fatalf("rule %s delays a message from %v to %v", r, at, late)
				}
			}
		}
	})
}
