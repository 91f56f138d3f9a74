package replayer

import (
	"hash/maphash"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Server.Wait pairs the client's messages with the recorded ones by
// content when the session's protocol has an Echoer (echo.go): the k-th
// recorded request with the k-th live one that is the same request (the
// profile's Request.Same, as protocol.Pairing pairs them), and any other
// message with the k-th live one of the same kind, channel and name (or
// bytes, where the profile reads nothing). A live client that sends a
// message the recording does not have, or in another order, then does not
// shift every later pairing, as counting does. Heartbeats are not waited
// for.

// contentLog is what Server.Wait keeps of the client's messages by
// content: for each key, the arrivals not paired yet, or how many
// recorded messages were passed before their counterparts came. Bounded:
// at most maxAhead arrivals and maxAhead keys ahead. Not safe for
// concurrent use: its echo's lock guards it.
type contentLog struct {
	seed  maphash.Seed
	live  map[string][]time.Time
	ahead map[string]int
	n     int // arrivals held in all
}

func newContentLog() *contentLog {
	return &contentLog{seed: maphash.MakeSeed(), live: map[string][]time.Time{}, ahead: map[string]int{}}
}

// add notes a client message of key that came at at.
func (l *contentLog) add(key string, at time.Time) {
	switch {
	case key == "":
	case l.ahead[key] > 0:
		if l.ahead[key]--; l.ahead[key] == 0 {
			delete(l.ahead, key)
		}
	case l.n < maxAhead:
		l.live[key] = append(l.live[key], at)
		l.n++
	}
}

// take returns when the oldest unpaired client message of key came, and
// pairs it.
func (l *contentLog) take(key string) (time.Time, bool) {
	q := l.live[key]
	if len(q) == 0 {
		return time.Time{}, false
	}
	if len(q) == 1 {
		delete(l.live, key)
	} else {
		l.live[key] = q[1:]
	}
	l.n--
	return q[0], true
}

// skip pairs a recorded message of key with no wait: with the oldest
// unpaired client message of key, or with the next to come.
func (l *contentLog) skip(key string) {
	if _, ok := l.take(key); !ok && (l.ahead[key] > 0 || len(l.ahead) < maxAhead) {
		l.ahead[key]++
	}
}

// waitForCounterpart holds the replay until the client has sent the
// counterpart of the recorded client message rec (by content), then
// resumes the schedule from its arrival, as waitForClient does by count. A
// step or a seek goes on without it.
func (p *player) waitForCounterpart(w *waiter, sched *schedule, rec *format.Event) (ending, bool) {
	at, ok, wait, held := p.echo.counterpart(rec, p.cut)
	if !wait {
		return ending{}, false
	}
	if ok {
		sched.resume(at)
		return ending{}, false
	}
	changed := p.ctl.waiting(true)
	defer p.ctl.waiting(false)
	for {
		if p.ctl.gateYields() {
			p.echo.skip(rec, p.cut)
			return ending{}, false
		}
		end, stop, woke := w.onOr(nil, held, changed)
		if stop {
			return end, true
		}
		if woke {
			changed = p.ctl.waiting(true)
		}
		if at, ok, _, held = p.echo.counterpart(rec, p.cut); ok {
			sched.resume(at)
			return ending{}, false
		}
	}
}
