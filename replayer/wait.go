package replayer

import (
	"context"
	"time"
)

// waiter waits on behalf of one replay, for an instant (until) or for the
// client (on), and stops early with the replay's ending when the fault
// fires or ctx ends: the client left, or the server is shutting down.
type waiter struct {
	ctx   context.Context
	fault endFault
	fine  *fineClock // for the last stretch of each wait; nil: timers only
}

// until waits until t. It returns the ending and true if the replay ends
// first; at or past t, it still reports a fault that has fired or a ctx
// that has ended.
func (w *waiter) until(t time.Time) (ending, bool) {
	end, stop, _ := w.untilOr(t, nil)
	return end, stop
}

// untilOr is until that also returns, with woke true, when changed is
// closed (a command of live control arrived; nil never is).
func (w *waiter) untilOr(t time.Time, changed <-chan struct{}) (end ending, stop, woke bool) {
	for {
		d := time.Until(t)
		if d <= 0 {
			end, stop = w.ended()
			return end, stop, false
		}
		var wake <-chan struct{}
		var timer *time.Timer
		switch {
		case w.fine == nil:
			timer = time.NewTimer(d)
		case d > coarseMargin:
			// A timer for most of the wait, the fine clock for the
			// rest.
			timer = time.NewTimer(d - coarseMargin + coarseMargin/4)
		default:
			wake = w.fine.at(t)
		}
		var timerC <-chan time.Time
		if timer != nil {
			timerC = timer.C
		}
		end, stop, woke := w.onOr(timerC, wake, changed)
		stopTimer(timer)
		if stop || woke {
			return end, stop, woke
		}
	}
}

// on waits for timerC or ch (either may be nil, which never fires). It
// returns the ending and true if the replay ends first.
func (w *waiter) on(timerC <-chan time.Time, ch <-chan struct{}) (ending, bool) {
	end, stop, _ := w.onOr(timerC, ch, nil)
	return end, stop
}

// onOr is on that also returns, with woke true, when changed is closed.
func (w *waiter) onOr(timerC <-chan time.Time, ch, changed <-chan struct{}) (end ending, stop, woke bool) {
	select {
	case <-timerC:
	case <-ch:
	case <-changed:
		return ending{}, false, true
	case <-w.fault.C:
		return w.fault.end, true, false
	case <-w.ctx.Done():
		return ending{kind: endClientGone}, true, false
	}
	return ending{}, false, false
}

// idle waits, sending nothing, until the replay ends.
func (w *waiter) idle() ending {
	end, _ := w.on(nil, nil)
	return end
}

// ended returns the ending and true if the fault has fired or ctx has
// ended, without waiting.
func (w *waiter) ended() (ending, bool) {
	select {
	case <-w.fault.C:
		return w.fault.end, true
	case <-w.ctx.Done():
		return ending{kind: endClientGone}, true
	default:
		return ending{}, false
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
