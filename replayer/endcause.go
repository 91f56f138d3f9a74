package replayer

import (
	"context"
	"slices"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file holds the recorded ending a client caused until the live
// client has caused it, in a replay whose profile makes heartbeats live:
// such a replay stays open past its last message, its heartbeats going on,
// as an Engine.IO replay does, and the server's close that answered a
// client message (STOMP's DISCONNECT, a logout) is replayed only after the
// live client's counterpart of that message, and the recorded delay after
// it. The ending is still the player's (endOnTime) and finish's (ending.go):
// this only moves when it is due.
//
// "Caused" is read from the recording: the server's close (or drop)
// follows a client message with nothing from the server between them but
// heartbeats and the answers to that message (what the profile's Echoer
// says echoes its ids). The live counterpart is the client's message of
// the same number, heartbeats left out, as Server.Wait counts them: those
// made live and also those the profile reads as heartbeats but need no
// answer (SignalR's client pings), which a client slower than the recorded
// one (paused, lingering) sends more of (countCause).

// clientCause follows the recorded messages, as the player meets them, for
// the last client message and whether the server has answered anything
// else since. The zero value has met none. The player's goroutine's alone.
type clientCause struct {
	k    int           // the client's recorded messages met, heartbeats left out
	at   time.Time     // the recorded time of the k-th
	open bool          // the server has sent nothing since but the k-th's answers
	ids  []protocol.ID // the ids the k-th chose, for its answers
}

// maxCauseIDs bounds the ids kept of one client message.
const maxCauseIDs = 16

// note notes the recorded message of direction dir, at, that is not a
// heartbeat made live, by its parts (the protocol's messages it completes,
// heartbeats made live left out; the message itself for a profile that is
// not a Framer); p is the session's profile, nil while none is known. The
// client's other heartbeats are not counted either (countCause).
func (c *clientCause) note(p protocol.Profile, dir format.Dir, parts []protocol.Message, at time.Time) {
	echoer, _ := p.(protocol.Echoer)
	if dir == format.Send {
		n := countCause(p, parts)
		if n == 0 {
			// A piece of a packet (the message that completes it
			// counts), or heartbeats.
			return
		}
		// The protocol's messages are counted, not WebSocket messages: a
		// live client may cut its packets otherwise than the recorded one.
		c.k, c.at, c.open, c.ids = c.k+n, at, true, c.ids[:0]
		for _, m := range parts {
			if echoer == nil {
				break
			}
			if r, ok := echoer.Request(m); ok {
				c.ids = append(c.ids, r.IDs[:min(len(r.IDs), maxCauseIDs-len(c.ids))]...)
			}
		}
		return
	}
	for _, m := range parts {
		if c.open && (echoer == nil || !echoesAny(echoer.Echoes(m), c.ids)) {
			c.open = false
		}
	}
}

// countCause returns how many of the client's messages parts, of a
// session of profile p (nil: none known yet), the ending that waits for
// the client counts: those p does not describe as heartbeats, for a
// profile that makes heartbeats live (only there does an ending wait);
// all of them for another. The recorded messages (note) and the live ones
// (liveBeats.fromClient) are counted alike.
func countCause(p protocol.Profile, parts []protocol.Message) int {
	_, replies := p.(protocol.HeartbeatReplier)
	_, beats := p.(protocol.HeartbeatSender)
	if !replies && !beats {
		return len(parts)
	}
	n := 0
	for _, m := range parts {
		if !p.Describe(m).Heartbeat {
			n++
		}
	}
	return n
}

func echoesAny(echoed, ids []protocol.ID) bool {
	for _, id := range echoed {
		if slices.Contains(ids, id) {
			return true
		}
	}
	return false
}

// causedBy reports whether the recorded ending e waits for the client: a
// close or drop by the server, not looped over, in a replay whose profile
// makes heartbeats live, right after the client's k-th message (recorded
// at at). Player.
func (b *liveBeats) causedBy(e *format.Event, loop bool) (k int, at time.Time, ok bool) {
	if loop || e.By != format.ByServer || !b.cause.open || !b.live() {
		return 0, time.Time{}, false
	}
	return b.cause.k, b.cause.at, true
}

// clientsSent returns how many messages the client has sent that are not
// heartbeats, when the last of them arrived, and a channel closed at the
// next.
func (b *liveBeats) clientsSent() (n int, lastAt time.Time, changed <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.clients.n, b.clients.lastAt, b.clients.changed
}

// awaitCause holds the recorded ending e, m, placed last on sched and due
// by now, when the client caused it (causedBy): until the live client has
// sent its k-th message, and then for the recorded delay between the two
// (scaled and capped as every delay), as live control allows. A step or a
// seek goes on without it. It returns true when the replay ends first.
func (p *player) awaitCause(ctx context.Context, w *waiter, sched *schedule, m mark, e *format.Event) (ending, bool, error) {
	k, at, ok := p.beats.causedBy(e, p.cfg.loop)
	if !ok {
		return ending{}, false, nil
	}
	// What the sender holds goes out first: the client's message this
	// waits for may be its answer to them.
	if err := p.flushHeld(ctx); err != nil {
		end, err := p.sendFailed(ctx, err)
		return end, true, err
	}
	arrived, end, stop := p.waitClients(w, k)
	if stop {
		return end, true, nil
	}
	if arrived.IsZero() {
		return ending{}, false, nil
	}
	delay := max(e.Time.Sub(at), 0)
	if p.cfg.maxGap > 0 {
		delay = min(delay, p.cfg.maxGap)
	}
	due := arrived.Add(saturate(float64(delay) / sched.speed))
	if !due.After(sched.due(sched.pos)) {
		return ending{}, false, nil
	}
	sched.resume(due)
	return p.await(ctx, w, sched, m, true, nil)
}

// waitClients waits until the client has sent k messages that are not
// heartbeats, shown as waiting to live control. It returns when the k-th
// arrived, or the zero time when that is not known (more have arrived) or
// a step or a seek went on without it; stop is true when the replay ends
// first.
func (p *player) waitClients(w *waiter, k int) (arrived time.Time, end ending, stop bool) {
	var changed <-chan struct{}
	for {
		if p.ctl.gateYields() {
			break
		}
		n, last, next := p.beats.clientsSent()
		if n == k {
			arrived = last
		}
		if n >= k {
			break
		}
		if changed == nil {
			changed = p.ctl.waiting(true)
			defer p.ctl.waiting(false)
		}
		end, stop, woke := w.onOr(nil, next, changed)
		if stop {
			return time.Time{}, end, true
		}
		if woke {
			changed = p.ctl.waiting(true)
		}
	}
	return arrived, ending{}, false
}
