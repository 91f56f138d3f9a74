package fault

import (
	"testing"
	"time"
)

// The link's arrival for a sequence of messages: bandwidth first, then the
// latency; order kept; a stall holds what falls in it; a message sent
// early (unplanned) moves the link on from then.
func TestClockArrival(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	l := Link{Latency: ms(100), Bandwidth: 1000, Stalls: []Stall{{At: ms(2000), For: ms(500)}}}
	c := NewClock(l, t0)
	steps := []struct {
		seq, size int
		due, want int
	}{
		{1, 500, 0, 600},   // 500 ms on the wire, then 100 ms
		{2, 100, 100, 700}, // behind the first: from 500 ms, 100 ms on the wire
		{3, 0, 1000, 1100}, // the wire is free again
		{4, 0, 2000, 2500}, // arrives at 2.1 s, in the stall: at its end
		{5, 0, 2050, 2500}, // the backlog, at once
		{6, 0, 2500, 2600}, // after it, on time
	}
	for _, s := range steps {
		at := c.Arrival(s.seq, s.size, t0.Add(ms(s.due)))
		if again := c.Arrival(s.seq, s.size, t0.Add(ms(s.due))); !again.Equal(at) {
			t.Fatalf("message %d: asked twice, %v then %v", s.seq, at, again)
		}
		if got := at.Sub(t0); got != ms(s.want) {
			t.Errorf("message %d due at %v: arrives at %v, want %v", s.seq, ms(s.due), got, ms(s.want))
		}
		c.Sent(s.seq, at)
	}
	// Sent before its plan (a step): the next may not come before it.
	c.Arrival(7, 0, t0.Add(ms(3000)))
	c.Sent(7, t0.Add(ms(2700)))
	if got := c.Arrival(8, 0, t0.Add(ms(2600))).Sub(t0); got != ms(2700) {
		t.Errorf("after a message sent early at 2.7s, the next arrives at %v, want 2.7s (order)", got)
	}
}
