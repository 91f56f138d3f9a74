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
		if j := l.cfg.Jitter; j > 0 {
			l.jitter = time.Duration(l.rnd.Int64N(int64(2*j)+1)) - j
		}
	}
	start := due
	if l.cfg.Bandwidth > 0 {
		start = later(due, l.free)
		l.planFree = start.Add(time.Duration(float64(size) / float64(l.cfg.Bandwidth) * float64(time.Second)))
		start = l.planFree
	}
	at := later(start, start.Add(l.cfg.Latency+l.jitter)) // jitter never makes it early
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

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
