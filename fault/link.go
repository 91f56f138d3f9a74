package fault

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Link is the link faults of one connection. The zero Link delays
// nothing, yet a non-nil *Link still routes messages through the link's
// schedule (the replayer's cost of link faults is measured with it).
type Link struct {
	Latency time.Duration // added to every message's arrival
	Jitter  time.Duration // arrival varies by up to ± this, order kept
	// Bandwidth is in bytes a second: a message takes its size/Bandwidth
	// on the wire, after those before it. Zero: unlimited.
	Bandwidth int64
	Stalls    []Stall // in the order of At
}

// Stall is a time when nothing arrives: from At (after the connection
// opened) for For; what is due meanwhile arrives at At+For, at once.
type Stall struct {
	At, For time.Duration
}

// String returns l in the flags' syntax, "" for the zero Link.
func (l Link) String() string {
	var parts []string
	if l.Latency != 0 || l.Jitter != 0 {
		parts = append(parts, "latency "+FormatLatency(l.Latency, l.Jitter))
	}
	if l.Bandwidth > 0 {
		parts = append(parts, "bandwidth "+FormatBandwidth(l.Bandwidth))
	}
	for _, s := range l.Stalls {
		parts = append(parts, "stall "+s.String())
	}
	return strings.Join(parts, ", ")
}

// String returns s as --stall-at takes it, "10s:5s".
func (s Stall) String() string { return s.At.String() + ":" + s.For.String() }

// ParseLatency parses "D", "D±J" or "D+-J" (latency D, jitter J), each
// at most MaxDuration.
func ParseLatency(s string) (latency, jitter time.Duration, err error) {
	d, j, hasJ := strings.Cut(s, "±")
	if !hasJ {
		d, j, hasJ = strings.Cut(s, "+-")
	}
	latency, err = parseSpan("latency", d)
	if err != nil {
		return 0, 0, err
	}
	if hasJ {
		if jitter, err = parseSpan("jitter", j); err != nil {
			return 0, 0, err
		}
	}
	return latency, jitter, nil
}

// FormatLatency returns latency and jitter as ParseLatency reads them.
func FormatLatency(latency, jitter time.Duration) string {
	if jitter == 0 {
		return latency.String()
	}
	return latency.String() + "±" + jitter.String()
}

// MaxDuration is the longest duration the vocabulary takes: a latency, a
// jitter, a stall's start and length, a delay=D. The parsers refuse a
// longer one; a Clock counts a longer latency or jitter as MaxDuration.
// A day is far beyond any network's fault and far from the overflow of
// time.Duration (292 years), which a jitter once reached.
const MaxDuration = 24 * time.Hour

// MaxBandwidth is the fastest rate ParseBandwidth takes, 1024GiB/s; the
// slowest is 1B/s.
const MaxBandwidth = 1 << 40

// errNegative ends the error for a negative duration.
var errNegative = errors.New("is negative")

// parseDur parses a duration of at least zero, "0" included.
func parseDur(what, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a duration (200ms, 1.5s)", what, s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%s %q %w", what, s, errNegative)
	}
	return d, nil
}

// parseSpan parses a duration from zero to MaxDuration.
func parseSpan(what, s string) (time.Duration, error) {
	d, err := parseDur(what, s)
	if err == nil && d > MaxDuration {
		return 0, overLimit(what, s)
	}
	return d, err
}

func overLimit(what, s string) error {
	return fmt.Errorf("%s %q is over the limit of %s", what, strings.TrimSpace(s), strings.TrimSuffix(MaxDuration.String(), "0m0s"))
}

// units are the bandwidth units, longest first so that "KiB" is not read
// as "B".
var units = []struct {
	name string
	mult int64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1},
}

// ParseBandwidth parses a rate in bytes a second: "64KiB/s", "1MB/s",
// "500B/s" ("/s" may be left out; KB is 1000 bytes, KiB 1024). The rate is
// from 1B/s to MaxBandwidth.
func ParseBandwidth(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	for _, u := range units {
		num, ok := strings.CutSuffix(t, u.name)
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		rate := f * float64(u.mult)
		tooBig := errors.Is(err, strconv.ErrRange) && f > 0 // 1e400
		switch {
		case !tooBig && (err != nil || !(f > 0) || math.IsInf(f, 1)): // NaN too
			return 0, fmt.Errorf("bandwidth %q: %q is not a positive number", s, num)
		case tooBig || rate > MaxBandwidth:
			return 0, fmt.Errorf("bandwidth %q is over the limit of %s", s, FormatBandwidth(MaxBandwidth))
		case rate < 1:
			return 0, fmt.Errorf("bandwidth %q: the rate must be at least 1B/s", s)
		}
		return int64(rate), nil
	}
	return 0, fmt.Errorf("bandwidth %q has no unit (64KiB/s, 1MB/s, 500B/s)", s)
}

// FormatBandwidth returns a rate as ParseBandwidth reads it.
func FormatBandwidth(rate int64) string {
	for _, u := range units[:3] {
		if rate >= u.mult && rate%u.mult == 0 {
			return strconv.FormatInt(rate/u.mult, 10) + u.name + "/s"
		}
	}
	return strconv.FormatInt(rate, 10) + "B/s"
}

// ParseStall parses "AT:FOR": nothing arrives from AT for FOR. AT is from
// zero to MaxDuration, FOR as ParseStallLength takes it.
func ParseStall(s string) (Stall, error) {
	at, dur, ok := strings.Cut(s, ":")
	if !ok {
		return Stall{}, fmt.Errorf("stall %q is not AT:FOR (10s:5s)", s)
	}
	a, err := parseSpan("stall start", at)
	if err != nil {
		return Stall{}, err
	}
	f, err := ParseStallLength(dur)
	if err != nil {
		return Stall{}, err
	}
	return Stall{At: a, For: f}, nil
}

// ParseStallLength parses how long a stall lasts, "5s": more than zero and
// at most MaxDuration.
func ParseStallLength(s string) (time.Duration, error) {
	d, err := parseSpan("stall length", s)
	if err == nil && d == 0 || errors.Is(err, errNegative) {
		return 0, fmt.Errorf("stall length %q must be positive (5s)", strings.TrimSpace(s))
	}
	return d, err
}
