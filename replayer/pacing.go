package replayer

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
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
	cfg     *Server
	session *Session
	send    sender
	flush   func() error // writes what send holds, before a wait; nil: nothing held
	client  *clientLog
	log     *slog.Logger
	fine    *fineClock // for the last stretch of each wait; nil: timers only
	// pick, if set, sees every recorded message in order and says
	// whether it is on the timeline: Engine.IO's pings, probes and
	// CONNECT answers are not, they are made live (engineio_play.go).
	pick func(*format.Event) bool
}

// play runs the replay from accepted, the moment the connection was
// accepted, until the session or a fault ends it, or ctx is done.
func (p *player) play(ctx context.Context, accepted time.Time) (ending, error) {
	f := newFault(p.cfg, accepted)
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
		if err != nil || end.kind != endOpen || !p.cfg.Loop {
			if err == nil && end.kind == endOpen {
				// Stay connected until the client leaves; a fault
				// still fires.
				return w.idle(), nil
			}
			return end, err
		}
		p.log.Debug("looping", "session", p.session.ID)
	}
}

// playOnce plays the session once, on a schedule that starts at start.
func (p *player) playOnce(ctx context.Context, w *waiter, start time.Time) (ending, error) {
	src, err := p.session.stream()
	if err != nil {
		return ending{}, err
	}
	stream := prefetch(src)
	defer stream.Close()
	sched := newSchedule(p.cfg, start)
	var recStart time.Time
	sent := 0 // recorded client messages passed (heartbeats excluded)
	var prev *format.Event
	for {
		if prev != nil {
			stream.Release(prev) // sent or passed over: its storage can be reused
		}
		e, err := stream.Next()
		prev = e
		if err == io.EOF {
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
			if p.isHeartbeat(e) || p.pick != nil && !p.pick(e) {
				continue
			}
			if e.Dir == format.Send {
				sent++
				if end, stop := p.passClientMessage(w, sched, off, sent, e); stop {
					return end, nil
				}
				continue
			}
			if end, stop, err := p.sendOnTime(ctx, w, sched, off, e); stop {
				return end, err
			}
		case format.TypeClose:
			return p.endOnTime(w, sched, off, e), nil
		}
	}
}

// sendOnTime sends the server message e, recorded at off, when it is due
// (at once if it is before From, or never with DropBefore). It returns
// true when the replay is over: with its ending, or the send's error.
func (p *player) sendOnTime(ctx context.Context, w *waiter, sched *schedule, off time.Duration, e *format.Event) (ending, bool, error) {
	due, placed := sched.next(off)
	switch {
	case placed:
		if time.Now().Before(due) {
			if err := p.flushHeld(ctx); err != nil {
				end, err := p.sendFailed(ctx, err)
				return end, true, err
			}
		}
		if end, stop := w.until(due); stop {
			return end, true, nil
		}
	case p.cfg.DropBefore:
		return ending{}, false, nil // before From: passed over
	}
	if err := p.send(ctx, e); err != nil {
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

// passClientMessage places the k-th client message, e, recorded at off, on
// the schedule; with Server.Wait it waits for the client's own k-th
// message. It returns the ending and true if the replay ends first.
func (p *player) passClientMessage(w *waiter, sched *schedule, off time.Duration, k int, e *format.Event) (ending, bool) {
	sched.next(off)
	if !p.cfg.Wait {
		return ending{}, false
	}
	if p.flushHeld(w.ctx) != nil {
		return ending{kind: endClientGone}, true // a connection that cannot be written to
	}
	return p.waitForClient(w, sched, k, e)
}

// endOnTime returns how the replay ends at the recorded close e, recorded
// at off, once it is due.
func (p *player) endOnTime(w *waiter, sched *schedule, off time.Duration, e *format.Event) ending {
	if p.flushHeld(w.ctx) != nil {
		return ending{kind: endClientGone}
	}
	if due, ok := sched.next(off); ok {
		if end, stop := w.until(due); stop {
			return end
		}
	}
	switch {
	case p.cfg.Loop:
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
// messages recorded after it keep their distance from it.
func (p *player) waitForClient(w *waiter, sched *schedule, k int, rec *format.Event) (ending, bool) {
	for {
		msg, ok, next := p.client.get(k)
		if ok {
			if msg.checked && !msg.same(rec.Data) {
				p.log.Warn("client message differs from the recording", "session", p.session.ID, "n", k,
					"got", readable.Preview(msg.head, 80), "recorded", readable.Preview(rec.Data, 80))
			}
			sched.resume(msg.at)
			p.client.forget(k)
			return ending{}, false
		}
		if end, stop := w.on(nil, next); stop {
			return end, true
		}
	}
}

// isHeartbeat reports whether a recorded message is an application-level
// heartbeat to keep out of the timeline.
func (p *player) isHeartbeat(e *format.Event) bool {
	for _, hb := range p.cfg.Heartbeats {
		if e.Opcode == format.Text && (e.Dir == format.Send && string(e.Data) == hb.Ping ||
			e.Dir == format.Receive && string(e.Data) == hb.Pong) {
			return true
		}
	}
	return false
}
