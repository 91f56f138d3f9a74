package replayer

import (
	"context"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/wsreplay/wsreplay/format"
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

// sender delivers one message to the client.
type sender func(ctx context.Context, e *format.Event) error

// player plays one session to one client. It holds the pacing logic apart
// from sockets, so that tests can run it under testing/synctest.
type player struct {
	cfg     *Server
	session *Session
	send    sender
	client  *clientLog
	log     *slog.Logger
	fine    *fineClock // for the last stretch of each wait; nil: timers only
}

// play runs the replay from accepted, the moment the connection was
// accepted, until the session or a fault ends it, or ctx is done.
func (p *player) play(ctx context.Context, accepted time.Time) (ending, error) {
	fault, faultEnd := p.faultTimer(accepted)
	if fault != nil {
		defer fault.Stop()
	}
	var faultC <-chan time.Time
	if fault != nil {
		faultC = fault.C
	}
	for first := true; ; first = false {
		start := accepted
		if !first {
			start = time.Now()
		}
		end, err := p.playOnce(ctx, start, faultC, faultEnd)
		if err != nil || end.kind != endOpen || !p.cfg.Loop {
			if err == nil && end.kind == endOpen {
				// Stay connected until the client leaves; a fault
				// still fires.
				select {
				case <-ctx.Done():
					return ending{kind: endClientGone}, nil
				case <-faultC:
					return faultEnd, nil
				}
			}
			return end, err
		}
		p.log.Debug("looping", "session", p.session.ID)
	}
}

// faultTimer returns a timer for the earliest fault configured, and what it
// does.
func (p *player) faultTimer(accepted time.Time) (*time.Timer, ending) {
	var at time.Duration
	var end ending
	consider := func(d time.Duration, e ending) {
		if d > 0 && (at == 0 || d < at) {
			at, end = d, e
		}
	}
	c := p.cfg
	consider(c.DropAt, ending{kind: endDrop, code: format.CodeAbnormal, fault: true})
	if c.CloseAt > 0 {
		code := c.CloseCode
		if code == 0 {
			code = 1000
		}
		consider(c.CloseAt, ending{kind: endClose, code: code, reason: c.CloseReason, fault: true})
	}
	consider(c.HangAt, ending{kind: endHang, fault: true})
	if at == 0 {
		return nil, ending{}
	}
	return time.NewTimer(time.Until(accepted.Add(at))), end
}

// clock maps recording offsets to real instants. A message recorded at
// offset o is due at real + (o' - virt)/speed, where o' is o with the gaps
// before it capped and the part before From cut off.
type clock struct {
	speed  float64
	maxGap time.Duration
	from   time.Duration

	real    time.Time     // the anchor: an instant...
	virt    time.Duration // ...and the stretched offset that falls on it
	prevOff time.Duration // recorded offset of the previous timeline event
	prevV   time.Duration // its stretched offset
	started bool
}

// stretch returns the offset of an event recorded at off once earlier
// offsets are cut at From and gaps are capped at MaxGap. It must be called
// for the events in order.
func (c *clock) stretch(off time.Duration) time.Duration {
	if off < c.from {
		return 0
	}
	if !c.started {
		c.started = true
		c.prevOff = max(c.from, 0)
	}
	gap := max(off-c.prevOff, 0)
	if c.maxGap > 0 && gap > c.maxGap {
		gap = c.maxGap
	}
	c.prevOff, c.prevV = off, c.prevV+gap
	return c.prevV
}

// due returns when an event with stretched offset v is to be sent.
func (c *clock) due(v time.Duration) time.Time {
	if math.IsInf(c.speed, 1) {
		return c.real
	}
	return c.real.Add(time.Duration(float64(v-c.virt) / c.speed))
}

// playOnce plays the session once from start.
func (p *player) playOnce(ctx context.Context, start time.Time, faultC <-chan time.Time, faultEnd ending) (ending, error) {
	src, err := p.session.stream()
	if err != nil {
		return ending{}, err
	}
	stream := prefetch(src)
	defer stream.Close()
	cfg := p.cfg
	speed := cfg.Speed
	if speed <= 0 || math.IsNaN(speed) {
		speed = 1
	}
	clk := &clock{speed: speed, maxGap: cfg.MaxGap, from: cfg.From, real: start}
	var recStart time.Time
	sent := 0 // recorded client messages passed (heartbeats excluded)

	// sleep waits until t; it reports the fault or the client's leaving.
	sleep := func(t time.Time) (ending, bool) {
		for {
			d := time.Until(t)
			if d <= 0 {
				select {
				case <-faultC:
					return faultEnd, true
				case <-ctx.Done():
					return ending{kind: endClientGone}, true
				default:
					return ending{}, false
				}
			}
			var wake <-chan struct{}
			var timer *time.Timer
			switch {
			case p.fine == nil:
				timer = time.NewTimer(d)
			case d > coarseMargin:
				// A timer for most of the wait, the fine clock
				// for the rest.
				timer = time.NewTimer(d - coarseMargin + coarseMargin/4)
			default:
				wake = p.fine.at(t)
			}
			var timerC <-chan time.Time
			if timer != nil {
				timerC = timer.C
			}
			select {
			case <-timerC:
			case <-wake:
			case <-faultC:
				stopTimer(timer)
				return faultEnd, true
			case <-ctx.Done():
				stopTimer(timer)
				return ending{kind: endClientGone}, true
			}
		}
	}

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
			if p.isHeartbeat(e) {
				continue
			}
			before := off < cfg.From
			v := clk.stretch(off)
			if e.Dir == format.Send {
				sent++
				if cfg.Wait {
					if end, stop := p.waitForClient(ctx, sent, e, clk, v, faultC, faultEnd); stop {
						return end, nil
					}
				}
				continue
			}
			if before {
				if cfg.DropBefore {
					continue
				}
			} else if end, stop := sleep(clk.due(v)); stop {
				return end, nil
			}
			if err := p.send(ctx, e); err != nil {
				if ctx.Err() != nil {
					return ending{kind: endClientGone}, nil
				}
				return ending{}, err
			}
		case format.TypeClose:
			if off >= cfg.From {
				if end, stop := sleep(clk.due(clk.stretch(off))); stop {
					return end, nil
				}
			}
			if cfg.Loop {
				return ending{kind: endOpen}, nil // play it again from here
			}
			if e.By == format.ByClient {
				// The client ended it. In a replay the client does its
				// own ending; closing for it could cut it short.
				return ending{kind: endOpen}, nil
			}
			if !e.Clean {
				return ending{kind: endDrop, code: format.CodeAbnormal}, nil
			}
			return ending{kind: endClose, code: e.Code, reason: e.Reason}, nil
		}
	}
}

// waitForClient holds the replay until the client has sent its k-th
// message, then moves the clock's anchor to its arrival, so that the
// messages recorded after it keep their distance from it.
func (p *player) waitForClient(ctx context.Context, k int, rec *format.Event, clk *clock, v time.Duration,
	faultC <-chan time.Time, faultEnd ending) (ending, bool) {
	for {
		msg, ok, next := p.client.get(k)
		if ok {
			if msg.checked && !msg.same(rec.Data) {
				p.log.Warn("client message differs from the recording", "session", p.session.ID, "n", k,
					"got", preview(msg.head), "recorded", preview(rec.Data))
			}
			clk.real, clk.virt = msg.at, v
			p.client.forget(k)
			return ending{}, false
		}
		select {
		case <-next:
		case <-faultC:
			return faultEnd, true
		case <-ctx.Done():
			return ending{kind: endClientGone}, true
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

// preview shortens a payload for a log line.
func preview(b []byte) string {
	const n = 80
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
