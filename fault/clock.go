package fault

import (
	"math/rand/v2"
	"time"
)

// Clock turns the time a message is due into the time it arrives over a
// faulty Link: later by the latency and a jitter drawn per message, after
// the messages before it have gone through the bandwidth, and past any
// stall. Arrivals never go backwards, so messages keep their order. The
// replay server and the recording proxy both time their links with it.
// A latency or jitter beyond MaxDuration counts as MaxDuration, a negative
// one as zero; no Link makes it overflow or panic.
// It is not safe for concurrent use; the zero value is not usable
// (NewClock).
type Clock struct {
	cfg      Link
	accepted time.Time // stalls are timed from it
	rnd      *rand.Rand
	last     time.Time // when the message sent last arrived
	free     time.Time // when the bandwidth is free of the messages before

	// The plan for the message the player holds, kept until it is sent:
	// its jitter is drawn once however often it is asked about.
	seq      int
	jitter   time.Duration
	planFree time.Time
	planAt   time.Time
}

// NewClock returns a Clock for a connection that opened at accepted
// (stalls are timed from it).
func NewClock(cfg Link, accepted time.Time) *Clock {
	seed := uint64(accepted.UnixNano())
	return &Clock{cfg: cfg, accepted: accepted, rnd: rand.New(rand.NewPCG(seed, seed>>1|1))}
}

// SetLink changes the link's faults from now on; what is on the wire
// stays there.
func (l *Clock) SetLink(cfg Link) {
	l.cfg, l.seq = cfg, 0
}

// Arrival returns when message seq (any number that tells it from the one
// before), of size bytes and due at due, arrives. Asked again about the
// same message, it gives the same jitter.
func (l *Clock) Arrival(seq, size int, due time.Time) time.Time {
	if l.seq != seq {
		l.seq, l.jitter = seq, 0
		if j := span(l.cfg.Jitter); j > 0 {
			l.jitter = time.Duration(l.rnd.Int64N(int64(2*j)+1)) - j
		}
	}
	start := due
	if l.cfg.Bandwidth > 0 {
		start = later(due, l.free)
		l.planFree = start.Add(wireTime(size, l.cfg.Bandwidth))
		start = l.planFree
	}
	at := later(start, start.Add(span(l.cfg.Latency)+l.jitter)) // jitter never makes it early
	at = later(at, l.last)
	for _, s := range l.cfg.Stalls {
		from := l.accepted.Add(s.At)
		if !at.Before(from) && at.Before(from.Add(s.For)) {
			at = from.Add(s.For)
		}
	}
	l.planAt = at
	return at
}

// Sent notes that message seq went, at now: the link carries it as
// Arrival planned, or from now if it went before its time (unplanned).
func (l *Clock) Sent(seq int, now time.Time) {
	if l.seq != seq || l.planAt.IsZero() || now.Before(l.planAt) {
		l.last = later(l.last, now)
		l.seq, l.planAt = 0, time.Time{}
		return
	}
	l.last = later(l.last, l.planAt)
	if l.cfg.Bandwidth > 0 {
		l.free = l.planFree
	}
	l.seq, l.planAt = 0, time.Time{}
}

// span keeps a latency or jitter from zero to MaxDuration, as the parsers
// do, so that a Link built by hand cannot overflow the arithmetic
// (time.Time.Add saturates; time.Duration sums do not).
func span(d time.Duration) time.Duration { return min(max(d, 0), MaxDuration) }

// wireTime returns how long size bytes take at rate (> 0) bytes a second,
// at most 1<<62 ns (146 years) where the float would not fit a Duration.
func wireTime(size int, rate int64) time.Duration {
	const most = 1 << 62
	w := float64(size) / float64(rate) * float64(time.Second)
	switch {
	case !(w > 0):
		return 0
	case w >= most:
		return most
	}
	return time.Duration(w)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
