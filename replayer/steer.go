package replayer

import (
	"context"
	"time"
)

// The player's side of live control (control.go): holding a message until
// it is due as the commands allow, injecting, and the idle end of a
// session.

// await holds m, placed (or not, before From: due at once) on sched, until
// it is due, a step or a seek sends it now, or the replay ends; paused, it
// waits for a command. A reply r (nil: m answers nothing) is held until
// its requests have come, and its delay after them (echo.go). Messages to
// inject go first. It returns true when the replay is over: with its
// ending, or an injection's error.
func (p *player) await(ctx context.Context, w *waiter, sched *schedule, m mark, placed bool, r *reply) (ending, bool, error) {
	holding := false // shown as waiting for the client
	defer func() {
		if holding {
			p.ctl.waiting(false)
		}
	}()
	for {
		d := p.ctl.decide(time.Now(), sched, m)
		p.faults.take(d.faults)
		switch {
		case d.end != nil:
			return *d.end, true, nil
		case len(d.injects) > 0:
			if end, stop, err := p.injectAll(ctx, d); stop {
				return end, true, err
			}
			continue
		case d.verdict == goNow:
			return ending{}, false, nil
		}
		due := time.Now()
		if placed {
			due = sched.due(sched.pos)
		}
		var held <-chan struct{}    // closed at the client's next message
		var giveUp <-chan time.Time // a bounded hold's end
		stopTimer := func() bool { return false }
		if d.verdict == waitCommand {
			due = time.Time{}
		} else if r != nil {
			var ready bool
			var stop func() bool
			due, ready, held, giveUp, stop = p.replyDue(r, sched, due)
			if stop != nil {
				stopTimer = stop
			}
			if ready != !holding {
				holding = !ready
				d.changed = p.ctl.waiting(holding)
			}
		}
		if d.verdict != waitCommand && placed {
			due = p.faults.arrival(m, due)
		}
		if at, ok := p.faults.nextHeld(); ok && (due.IsZero() || at.Before(due)) {
			// A message a delay fault holds goes first.
			end, stop, err := p.awaitHeld(ctx, w, at, d.changed)
			stopTimer()
			if stop {
				return end, true, err
			}
			continue
		}
		if due.IsZero() || time.Now().Before(due) {
			// About to wait: what the sender holds goes out first.
			if err := p.flushHeld(ctx); err != nil {
				end, err := p.sendFailed(ctx, err)
				return end, true, err
			}
		}
		var end ending
		var stop, woke bool
		if due.IsZero() {
			end, stop, woke = w.onOr(giveUp, held, d.changed)
		} else {
			end, stop, woke = w.untilOr(due, d.changed)
		}
		stopTimer()
		if stop {
			return end, true, nil
		}
		if !woke && !due.IsZero() {
			return ending{}, false, nil
		}
	}
}

// awaitHeld waits until at, when a message a delay fault holds is due,
// and sends it, unless a command comes first (changed) or the replay ends.
func (p *player) awaitHeld(ctx context.Context, w *waiter, at time.Time, changed <-chan struct{}) (ending, bool, error) {
	if err := p.flushHeld(ctx); err != nil {
		end, err := p.sendFailed(ctx, err)
		return end, true, err
	}
	end, stop, woke := w.untilOr(at, changed)
	if stop || woke {
		return end, stop, nil
	}
	if err := p.sendHeldDue(ctx); err != nil {
		end, err := p.sendFailed(ctx, err)
		return end, true, err
	}
	return ending{}, false, nil
}

// replyDue tells when the reply r, due on the recorded clock at due, may
// go: ready with the time, or not ready, with held closed at the client's
// next message. A reply the generic rule holds (r.bounded) is held at most
// genericHold past due, then goes as recorded: that rule guesses which
// values are ids, and a wrong guess must not stall the replay. giveUp
// fires then; stop releases its timer (nil when there is none).
func (p *player) replyDue(r *reply, sched *schedule, due time.Time) (at time.Time, ready bool, held <-chan struct{}, giveUp <-chan time.Time, stop func() bool) {
	live, ready, ch := p.echo.check(r, sched.speed, p.ctl.heldFor(time.Now()))
	if ready {
		at := later(due, live)
		if r.bounded && at.After(due.Add(genericHold)) {
			at = due.Add(genericHold) // a guess holds genericHold at most, however late the request
		}
		return at, true, nil, nil, nil
	}
	if !r.bounded {
		return time.Time{}, false, ch, nil, nil
	}
	end := due.Add(genericHold)
	if !time.Now().Before(end) {
		return due, true, nil, nil, nil
	}
	t := time.NewTimer(time.Until(end))
	return time.Time{}, false, ch, t.C, t.Stop
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// injectAll sends the messages of d to inject.
func (p *player) injectAll(ctx context.Context, d decision) (ending, bool, error) {
	for _, e := range d.injects {
		if err := p.send(ctx, e); err != nil {
			end, err := p.sendFailed(ctx, err)
			return end, true, err
		}
		p.ctl.injectedOne(e)
	}
	if len(d.injects) > 0 {
		// Out at once: the player may wait next (idle waits for good).
		if err := p.flushHeld(ctx); err != nil {
			end, err := p.sendFailed(ctx, err)
			return end, true, err
		}
	}
	return ending{}, false, nil
}

// idle waits, sending nothing recorded, until the replay ends: the client
// leaves, a fault fires, or live control ends it; it injects what it is
// given meanwhile.
func (p *player) idle(ctx context.Context, w *waiter) (ending, error) {
	for {
		d := p.ctl.decideIdle()
		if d.end != nil {
			return *d.end, nil
		}
		if end, stop, err := p.injectAll(ctx, d); stop {
			return end, err
		}
		if end, stop, _ := w.onOr(nil, nil, d.changed); stop {
			return end, nil
		}
	}
}
