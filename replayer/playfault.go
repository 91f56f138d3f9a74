package replayer

import (
	"context"
	"slices"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

// playFaults are the faults as one player applies them: the link's clock
// and the message rules' matcher, taken anew from live control when they
// change, and the messages a fault holds back (delay, reorder). The
// player's goroutine owns it; the zero value applies no fault.
type playFaults struct {
	rev      int
	accepted time.Time
	link     *fault.Clock // nil: no link faults
	match    *fault.Matcher
	delayed  []heldMsg     // by the time they go
	swapped  *format.Event // reorder: goes after the next message
}

// heldMsg is a message a delay fault holds until at.
type heldMsg struct {
	at time.Time
	e  *format.Event
}

// take applies the faults of live control, lf, if they changed.
func (f *playFaults) take(lf liveFaults) {
	if lf.rev == f.rev {
		return
	}
	f.rev = lf.rev
	switch {
	case lf.link == nil:
		f.link = nil
	case f.link == nil:
		f.link = fault.NewClock(*lf.link, f.accepted)
	default:
		f.link.SetLink(*lf.link)
	}
	f.match = nil
	if len(lf.rules) > 0 {
		f.match = fault.NewMatcher(lf.rules)
	}
}

// arrival returns when a server message m due at due arrives over the
// link.
func (f *playFaults) arrival(m mark, due time.Time) time.Time {
	if f.link == nil || m.dir != format.Receive || m.isEnd || due.IsZero() {
		return due
	}
	return f.link.Arrival(m.seq, m.size, due)
}

// rule returns the rule that selects the server message e, m, or nil.
func (f *playFaults) rule(s *Session, m mark, e *format.Event) *fault.Rule {
	if f.match == nil {
		return nil
	}
	return f.match.Match(&fault.Message{Seq: m.seq, Offset: m.off, Kind: s.Kind, Path: s.URL, Event: e})
}

// nextHeld returns when the first message held by a delay goes.
func (f *playFaults) nextHeld() (time.Time, bool) {
	if len(f.delayed) == 0 {
		return time.Time{}, false
	}
	return f.delayed[0].at, true
}

func (f *playFaults) hold(at time.Time, e *format.Event) {
	i, _ := slices.BinarySearchFunc(f.delayed, at, func(h heldMsg, t time.Time) int { return h.at.Compare(t) })
	f.delayed = slices.Insert(f.delayed, i+countAt(f.delayed[i:], at), heldMsg{at, e})
}

// countAt counts the messages at the start of hs that go at at: a
// message held until the same time goes after them.
func countAt(hs []heldMsg, at time.Time) int {
	n := 0
	for n < len(hs) && hs[n].at.Equal(at) {
		n++
	}
	return n
}

// cloneEvent copies e's payload and SSE fields, which the stream reuses
// once the player lets go of e.
func cloneEvent(e *format.Event) *format.Event {
	c := *e
	c.Data = slices.Clone(e.Data)
	if e.SSE != nil {
		sse := *e.SSE
		c.SSE = &sse
	}
	return &c
}

// applyFault does to the server message e, m, what r says, in place of
// sending it, and notes it in the log and for the timeline.
func (p *player) applyFault(ctx context.Context, r *fault.Rule, m mark, e *format.Event) error {
	p.log.Info("fault applied", "fault", r.String(), "action", string(r.Action), "seq", m.seq)
	p.ctl.faultApplied(appliedFault{Seq: m.seq, Action: string(r.Action), Fault: r.String()})
	switch r.Action {
	case fault.Drop:
		p.noteSent(m)
		return nil
	case fault.Duplicate:
		if err := p.send(ctx, e); err != nil {
			return err
		}
		return p.sendAndSwap(ctx, m, e)
	case fault.Corrupt:
		c := *e
		c.Data = fault.CorruptData(e.Data, e.Opcode != format.Binary)
		return p.sendAndSwap(ctx, m, &c)
	case fault.Delay:
		p.faults.hold(time.Now().Add(r.Delay), cloneEvent(e))
		p.noteSent(m)
		return nil
	case fault.Reorder:
		old := p.faults.swapped
		p.faults.swapped = cloneEvent(e)
		p.noteSent(m)
		if old != nil {
			return p.send(ctx, old)
		}
	}
	return nil
}

// sendAndSwap sends e, m, then the message a reorder held back, if any.
func (p *player) sendAndSwap(ctx context.Context, m mark, e *format.Event) error {
	if err := p.send(ctx, e); err != nil {
		return err
	}
	p.noteSent(m)
	if sw := p.faults.swapped; sw != nil {
		p.faults.swapped = nil
		return p.send(ctx, sw)
	}
	return nil
}

// noteSent tells the link that m has gone (or was taken off it).
func (p *player) noteSent(m mark) {
	if p.faults.link != nil {
		p.faults.link.Sent(m.seq, time.Now())
	}
}

// sendHeldDue sends the first message a delay holds, if it is due by now.
func (p *player) sendHeldDue(ctx context.Context) error {
	if at, ok := p.faults.nextHeld(); !ok || time.Now().Before(at) {
		return nil
	}
	h := p.faults.delayed[0]
	p.faults.delayed = p.faults.delayed[1:]
	return p.send(ctx, h.e)
}

// drainHeld sends, before an ending, what faults hold back: the message a
// reorder holds at once, those a delay holds when they are due.
func (p *player) drainHeld(ctx context.Context, w *waiter) (ending, bool, error) {
	if sw := p.faults.swapped; sw != nil {
		p.faults.swapped = nil
		if err := p.send(ctx, sw); err != nil {
			end, err := p.sendFailed(ctx, err)
			return end, true, err
		}
	}
	for {
		at, ok := p.faults.nextHeld()
		if !ok {
			return ending{}, false, nil
		}
		if err := p.flushHeld(ctx); err != nil {
			end, err := p.sendFailed(ctx, err)
			return end, true, err
		}
		if end, stop := w.until(at); stop {
			return end, true, nil
		}
		if err := p.sendHeldDue(ctx); err != nil {
			end, err := p.sendFailed(ctx, err)
			return end, true, err
		}
	}
}
