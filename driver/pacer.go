package driver

import (
	"context"
	"math"
	"sync"
	"time"
)

// pacer decides when a run sends each client message. Causal (the zero
// Clock): a client message recorded after the server's k-th message is
// sent once the live server's k-th message has arrived, its recorded gap
// after it (scaled by speed); when that message does not arrive within
// timeout, it is sent anyway and counted late. With clock, each client
// message is sent at its recorded offset from the start (scaled).
//
// Safe for concurrent use: the run's reader calls arrive, its sender
// wait.
type pacer struct {
	start   time.Time
	speed   float64 // > 0; +Inf: no waiting
	clock   bool
	timeout time.Duration // > 0

	mu      sync.Mutex
	arrived []time.Time   // when each server message arrived
	changed chan struct{} // closed, and replaced, at each arrival
	over    bool          // the connection ended: nothing more arrives
}

func newPacer(start time.Time, speed float64, clock bool, timeout time.Duration) *pacer {
	if !(speed > 0) {
		speed = 1
	}
	return &pacer{start: start, speed: speed, clock: clock, timeout: timeout, changed: make(chan struct{})}
}

// arrive notes that the next server message arrived at now.
func (p *pacer) arrive(now time.Time) {
	p.mu.Lock()
	p.arrived = append(p.arrived, now)
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// end notes that no more server messages will arrive: waits for them
// end at once, as timeouts do.
func (p *pacer) end() {
	p.mu.Lock()
	p.over = true
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// count returns how many server messages have arrived.
func (p *pacer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.arrived)
}

// scale returns d at the pacer's speed.
func (p *pacer) scale(d time.Duration) time.Duration {
	if math.IsInf(p.speed, 1) {
		return 0
	}
	return time.Duration(float64(d) / p.speed)
}

// wait blocks until st is due. late is true when the server message it
// waited for did not come within the timeout.
func (p *pacer) wait(ctx context.Context, st step) (late bool, err error) {
	if p.clock {
		return false, sleepUntil(ctx, p.start.Add(p.scale(st.offset)))
	}
	base, ok, err := p.awaitServer(ctx, st.after)
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil
	}
	return false, sleepUntil(ctx, base.Add(p.scale(st.gap)))
}

// awaitServer waits for n server messages (at most the timeout) and
// returns when the n-th arrived (the start for 0); false on a timeout, or
// when the connection ended first.
func (p *pacer) awaitServer(ctx context.Context, n int) (time.Time, bool, error) {
	var timer <-chan time.Time
	for {
		p.mu.Lock()
		got, ch, over := len(p.arrived), p.changed, p.over
		var at time.Time
		if n == 0 {
			at = p.start
		} else if got >= n {
			at = p.arrived[n-1]
		}
		p.mu.Unlock()
		if n == 0 || got >= n {
			return at, true, nil
		}
		if over {
			return time.Time{}, false, nil
		}
		if timer == nil {
			t := time.NewTimer(p.timeout)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-ch:
		case <-timer:
			return time.Time{}, false, nil
		case <-ctx.Done():
			return time.Time{}, false, ctx.Err()
		}
	}
}

// awaitAll waits until n server messages have arrived, or for the
// timeout since the last arrival (or since the call); false if they did
// not all come.
func (p *pacer) awaitAll(ctx context.Context, n int) (bool, error) {
	for {
		_, ok, err := p.awaitServer(ctx, min(p.count()+1, n))
		if err != nil || !ok {
			return false, err
		}
		if p.count() >= n {
			return true, nil
		}
	}
}

// sleepUntil waits until t, or for ctx.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
