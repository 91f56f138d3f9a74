package fault

import (
	"errors"
	"fmt"
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

// ParseLatency parses "D", "D±J" or "D+-J" (latency D, jitter J).
func ParseLatency(s string) (latency, jitter time.Duration, err error) {
	d, j, hasJ := strings.Cut(s, "±")
	if !hasJ {
		d, j, hasJ = strings.Cut(s, "+-")
	}
	latency, err = parseDur("latency", d)
	if err != nil {
		return 0, 0, err
	}
	if hasJ {
		if jitter, err = parseDur("jitter", j); err != nil {
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
		return 0, fmt.Errorf("%s %q is negative", what, s)
	}
	return d, nil
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
// "500B/s" ("/s" may be left out; KB is 1000 bytes, KiB 1024).
func ParseBandwidth(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	for _, u := range units {
		num, ok := strings.CutSuffix(t, u.name)
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f <= 0 || f*float64(u.mult) >= 1<<62 {
			return 0, fmt.Errorf("bandwidth %q: %q is not a positive number", s, num)
		}
		return max(int64(f*float64(u.mult)), 1), nil
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

// ParseStall parses "AT:FOR": nothing arrives from AT for FOR.
func ParseStall(s string) (Stall, error) {
	at, dur, ok := strings.Cut(s, ":")
	if !ok {
		return Stall{}, fmt.Errorf("stall %q is not AT:FOR (10s:5s)", s)
	}
	a, err := parseDur("stall start", at)
	if err != nil {
		return Stall{}, err
	}
	f, err := parseDur("stall length", dur)
	if err != nil {
		return Stall{}, err
	}
	if f == 0 {
		return Stall{}, errors.New("stall " + strconv.Quote(s) + " lasts no time")
	}
	return Stall{At: a, For: f}, nil
}
