package replayer

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/protocol"
)

// endKind is how a replay ended.
type endKind int

const (
	endOpen       endKind = iota // no recorded ending: stay open until the client leaves
	endClose                     // send a close frame with code and reason
	endDrop                      // drop the TCP connection, no close frame
	endHang                      // fault: stay connected, send nothing more
	endClientGone                // the client left, or the server is shutting down
)

func (k endKind) String() string {
	return [...]string{"open", "close", "drop", "hang", "client gone"}[k]
}

type ending struct {
	kind   endKind
	code   int
	reason string
	fault  bool // caused by a fault flag, not by the recording
}

// sender delivers one message to the client; it may hold it with the
// others due at the same time until the player flushes.
type sender func(ctx context.Context, e *format.Event) error

// player plays one session to one client. It holds the pacing logic apart
// from sockets, so that tests can run it under testing/synctest.
type player struct {
	cfg     timing
	session *Session
	send    sender
	flush   func() error // writes what send holds, before a wait; nil: nothing held
	client  *clientLog
	log     *slog.Logger
	fine    *fineClock // for the last stretch of each wait; nil: timers only
	ctl     *control   // live control; nil: play has one of its own
	// pick, if set, sees every recorded message in order and says
	// whether it is on the timeline: Engine.IO's pings, probes and
	// CONNECT answers are not, they are made live (engineio_play.go).
	pick func(*format.Event) bool
	// beats are the replay's live heartbeats (heartbeat.go), which say
	// which recorded messages to leave out. Nil: play makes them of
	// cfg.heartbeats alone.
	beats *liveBeats
	// echo, if set, holds replies until their requests have come and
	// gives them the live client's ids (echo.go). Nil: the recorded clock
	// and ids.
	echo *echo
	// framer, if set, is the session's profile, a protocol.Framer: the
	// recorded messages are cut into its messages (framing.go), cut being
	// the cut of the message met last. Nil: a message is one of its
	// protocol.
	framer protocol.Framer
	cut    *frameCut
	// endsOpen, if set, is told before each recorded server message is
	// sent whether the server's messages then end inside one of the
	// protocol's messages, so that no heartbeat goes between its pieces.
	endsOpen func(open bool)
	// faults are the link and message faults as this player applies
	// them (playfault.go).
	faults playFaults
}

// play runs the replay from accepted, the moment the connection was
// accepted, until the session or a fault ends it, or ctx is done.
func (p *player) play(ctx context.Context, accepted time.Time) (ending, error) {
	if p.ctl == nil {
		p.ctl = newControl(p.cfg.speed, p.cfg.paused)
	}
	if p.beats == nil {
		p.beats = newLiveBeats(p.cfg.heartbeats)
	}
	p.faults.accepted = accepted
	if p.cfg.link != nil || len(p.cfg.rules) > 0 {
		p.ctl.seedFaults(p.cfg.link, p.cfg.rules)
	}
	f := newFault(p.cfg.faults, accepted)
	defer f.stop()
	w := &waiter{ctx: ctx, fault: f, fine: p.fine}
	for first := true; ; first = false {
		start := accepted
		if !first {
			start = time.Now()
		}
		end, err := p.playOnce(ctx, w, start)
		if ferr := p.flushHeld(ctx); err == nil && ferr != nil {
			end, err = p.sendFailed(ctx, ferr)
		}
		if err != nil || end.kind != endOpen || !p.cfg.loop {
			if err == nil && end.kind == endOpen {
				// Stay connected until the client leaves; a fault
				// still fires, and live control still acts.
				return p.idle(ctx, w)
			}
			return end, err
		}
		p.log.Debug("looping", "session", p.session.ID)
		p.echo.looped()
	}
}

// playOnce plays the session once, on a schedule that starts at start.
func (p *player) playOnce(ctx context.Context, w *waiter, start time.Time) (ending, error) {
	src, err := p.session.stream()
	if err != nil {
		return ending{}, err
	}
	var stream eventStream = prefetch(src)
	var frames *framedStream
	if p.framer != nil {
		frames = newFramedStream(stream, p.framer)
		stream = frames
	}
	defer stream.Close()
	sched := newSchedule(p.cfg, start)
	p.ctl.started(sched)
	var recStart time.Time
	sent := 0 // recorded client messages passed (heartbeats excluded)
	seq := 0  // messages met, both directions, heartbeats included
	var prev *format.Event
	for {
		if prev != nil {
			stream.Release(prev) // sent or passed over: its storage can be reused
		}
		e, err := stream.Next()
		prev = e
		if frames != nil {
			p.cut = frames.cur
		}
		if err == io.EOF {
			if end, stop, err := p.drainHeld(ctx, w); stop {
				return end, err
			}
			return ending{kind: endOpen}, nil
		}
		if err != nil {
			return ending{}, err
		}
		if recStart.IsZero() {
			recStart = e.Time
		}
		if e.Type == format.TypeSession {
			recStart = e.Time
			continue
		}
		off := e.Time.Sub(recStart)
		switch e.Type {
		case format.TypeMessage:
			seq++
			m := mark{seq: seq, off: off, dir: e.Dir, size: len(e.Data)}
			if p.isHeartbeat(e) || p.pick != nil && !p.pick(e) {
				continue
			}
			if e.Dir == format.Send {
				sent++
				if end, stop, err := p.passClientMessage(ctx, w, sched, m, sent, e); stop {
					return end, err
				}
				continue
			}
			if end, stop, err := p.sendOnTime(ctx, w, sched, m, e); stop {
				return end, err
			}
		case format.TypeClose:
			return p.endOnTime(ctx, w, sched, mark{seq: seq + 1, off: off, isEnd: true}, e)
		}
	}
}

// sendOnTime sends the server message e, m, when it is due (at once if it
// is before From, or never with DropBefore), as live control allows. It
// returns true when the replay is over: with its ending, or the send's
// error.
func (p *player) sendOnTime(ctx context.Context, w *waiter, sched *schedule, m mark, e *format.Event) (ending, bool, error) {
	r := p.echo.reach(e, m.off, p.cut)
	_, placed := sched.next(m.off)
	if !placed && p.cfg.dropBefore {
		p.ctl.passed(time.Now(), sched, m, e.Data, false) // before From: passed over
		return ending{}, false, nil
	}
	hold := r
	if !placed {
		hold = nil // before From: sent at once, as a seek sends
	}
	if end, stop, err := p.await(ctx, w, sched, m, placed, hold); stop {
		return end, true, err
	}
	rule := p.faults.rule(p.session, m, e)
	// Noted as passed before it is written, so that the API never shows
	// as next a message a client may already have.
	p.ctl.passed(time.Now(), sched, m, e.Data, rule == nil || rule.Action != fault.Drop)
	if p.cut != nil {
		e = p.cut.out(e, p.echo.rewritePart)
		if p.endsOpen != nil {
			p.endsOpen(p.cut.open)
		}
	} else if r != nil {
		e = p.echo.rewrite(r, e)
	}
	var err error
	if rule != nil {
		err = p.applyFault(ctx, rule, m, e)
	} else {
		err = p.sendAndSwap(ctx, m, e)
	}
	if err != nil {
		end, err := p.sendFailed(ctx, err)
		return end, true, err
	}
	return ending{}, false, nil
}

// flushHeld writes the messages the sender holds: before the player waits,
// and at the end.
func (p *player) flushHeld(context.Context) error {
	if p.flush == nil {
		return nil
	}
	return p.flush()
}

// sendFailed is how a replay ends when a send fails: the client is gone if
// the context is done, else with the error.
func (p *player) sendFailed(ctx context.Context, err error) (ending, error) {
	if ctx.Err() != nil {
		return ending{kind: endClientGone}, nil
	}
	return ending{}, err
}

// passClientMessage places the k-th client message, e, m, on the
// schedule, and passes it when it is due; with Server.Wait it waits for the
// client's own k-th message instead. It returns the ending and true if the
// replay ends first.
func (p *player) passClientMessage(ctx context.Context, w *waiter, sched *schedule, m mark, k int, e *format.Event) (ending, bool, error) {
	p.echo.reach(e, m.off, p.cut)
	_, placed := sched.next(m.off)
	if !p.cfg.wait {
		if end, stop, err := p.await(ctx, w, sched, m, placed, nil); stop {
			return end, true, err
		}
	} else if p.flushHeld(ctx) != nil {
		return ending{kind: endClientGone}, true, nil // a connection that cannot be written to
	} else if end, stop := p.waitForClient(w, sched, k, e); stop {
		return end, true, nil
	}
	p.ctl.passed(time.Now(), sched, m, e.Data, false)
	p.echo.passed(e, m.off, p.cut)
	return ending{}, false, nil
}

// endOnTime returns how the replay ends at the recorded close e, m, once it
// is due.
func (p *player) endOnTime(ctx context.Context, w *waiter, sched *schedule, m mark, e *format.Event) (ending, error) {
	_, placed := sched.next(m.off)
	if end, stop, err := p.await(ctx, w, sched, m, placed, nil); stop {
		return end, err
	}
	if end, stop, err := p.awaitCause(ctx, w, sched, m, e); stop {
		return end, err
	}
	if end, stop, err := p.drainHeld(ctx, w); stop {
		return end, err
	}
	p.ctl.passed(time.Now(), sched, m, nil, false)
	return p.recordedEnding(e), nil
}

// recordedEnding returns how the replay ends at the recorded close e.
func (p *player) recordedEnding(e *format.Event) ending {
	switch {
	case p.cfg.loop:
		return ending{kind: endOpen} // play it again from here
	case e.By == format.ByClient:
		// The client ended it. In a replay the client does its own
		// ending; closing for it could cut it short.
		return ending{kind: endOpen}
	case !e.Clean:
		return ending{kind: endDrop, code: format.CodeAbnormal}
	}
	return ending{kind: endClose, code: e.Code, reason: e.Reason}
}

// waitForClient holds the replay until the client has sent its k-th
// message, then resumes the schedule from its arrival, so that the
// messages recorded after it keep their distance from it. A step or a seek
// goes on without it. When the session's protocol tells requests apart,
// the client's messages are paired by content instead (echo_wait.go).
func (p *player) waitForClient(w *waiter, sched *schedule, k int, rec *format.Event) (ending, bool) {
	if p.echo.byContent() {
		return p.waitForCounterpart(w, sched, rec)
	}
	changed := p.ctl.waiting(true)
	defer p.ctl.waiting(false)
	for {
		if p.ctl.gateYields() {
			p.client.forget(k) // the client's next message counts as the one after
			return ending{}, false
		}
		msg, ok, next := p.client.get(k)
		if ok {
			if msg.checked && !msg.same(rec.Data) {
				// The log carries the session already; payloads may be
				// binary, so they are shown as text or hex, bounded.
				p.log.Warn("client message differs from the recording", "n", k,
					"got", readable.PreviewBytes(msg.head, 80), "got_bytes", msg.size,
					"recorded", readable.PreviewBytes(rec.Data, 80), "recorded_bytes", len(rec.Data))
			}
			sched.resume(msg.at)
			p.client.forget(k)
			return ending{}, false
		}
		end, stop, woke := w.onOr(nil, next, changed)
		if stop {
			return end, true
		}
		if woke {
			changed = p.ctl.waiting(true)
		}
	}
}

// isHeartbeat reports whether a recorded message is a heartbeat made
// live, to keep out of the timeline (heartbeat.go).
func (p *player) isHeartbeat(e *format.Event) bool {
	return p.beats.recorded(e, p.cut)
}
