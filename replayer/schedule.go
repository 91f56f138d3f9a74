package replayer

import (
	"math"
	"time"
)

// schedule says when each recorded event of one playing of a session is
// due. An event recorded at offset o is due at anchor + (o' - anchorPos)/speed,
// where o' is o with the gaps before it capped at MaxGap and the part
// before From cut off: its position in the replay. Every event is due
// against the one anchor, never after the previous one, so a slow send
// does not push the later ones back (no drift). Moving the anchor (resume)
// is how the replay waits for the client; pausing, a change of speed and
// seeking move it too (see hold, setSpeed and jump).
type schedule struct {
	speed  float64
	maxGap time.Duration
	from   time.Duration

	anchor     time.Time     // an instant...
	anchorPos  time.Duration // ...and the position that falls on it
	pos        time.Duration // position of the last event placed
	prevOff    time.Duration // recorded offset of the last event placed after From
	prevPos    time.Duration // its position
	prevGapPos time.Duration // position of the event placed before the last
	started    bool
}

// newSchedule starts a schedule for t at start, the instant position 0
// falls on.
func newSchedule(t timing, start time.Time) *schedule {
	return &schedule{speed: boundSpeed(t.speed), maxGap: t.maxGap, from: t.from, anchor: start}
}

// Speeds a replay plays at, besides max (no waiting): outside them a
// schedule's arithmetic loses its meaning (1e-20 would overflow and send a
// session at once).
const (
	MinSpeed = 0.001
	MaxSpeed = 1000.0
)

// boundSpeed returns the speed a replay plays at for x: 1 for zero (or
// not a number), max for +Inf, else x within MinSpeed..MaxSpeed.
func boundSpeed(x float64) float64 {
	switch {
	case x <= 0 || math.IsNaN(x):
		return 1
	case math.IsInf(x, 1):
		return x
	}
	return min(max(x, MinSpeed), MaxSpeed)
}

// next places the event recorded at off, the event after the one placed
// last, and returns when it is due. An event before From has no place
// (ok is false): it goes at once, or not at all.
func (s *schedule) next(off time.Duration) (due time.Time, ok bool) {
	s.prevGapPos = s.pos
	s.pos = s.stretch(off)
	return s.due(s.pos), off >= s.from
}

// resume moves the anchor: the event placed last falls at t, and the
// events after it keep their distance from it.
func (s *schedule) resume(t time.Time) {
	s.anchor, s.anchorPos = t, s.pos
}

// stretch returns the position of an event recorded at off: its offset
// once earlier offsets are cut at From and gaps are capped at MaxGap. It
// must be called for the events in order.
func (s *schedule) stretch(off time.Duration) time.Duration {
	if off < s.from {
		return 0
	}
	if !s.started {
		s.started = true
		s.prevOff = max(s.from, 0)
	}
	gap := max(off-s.prevOff, 0)
	if s.maxGap > 0 && gap > s.maxGap {
		gap = s.maxGap
	}
	s.prevOff, s.prevPos = off, s.prevPos+gap
	return s.prevPos
}

// due returns when the event at position pos is to be sent.
func (s *schedule) due(pos time.Duration) time.Time {
	if math.IsInf(s.speed, 1) {
		return s.anchor
	}
	return s.anchor.Add(saturate(float64(pos-s.anchorPos) / s.speed))
}

// saturate converts ns to a Duration, the largest one for what does not
// fit: a conversion that overflows would give a time in the past (a
// session sent at once).
func saturate(ns float64) time.Duration {
	switch {
	case ns >= math.MaxInt64:
		return math.MaxInt64
	case ns <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(ns)
}

// Live control (control.go) moves the anchor in more ways. hold freezes the
// replay at the position reached at t, for a pause; release starts it again
// from there at t, so that a pause shifts every later event by its length.
// setSpeed re-bases at the position reached at t, so that a change of speed
// applies from the current position on. passed and jump place the event
// placed last at t, for a step and a seek.

// posAt returns the position that falls on t, no further than the event
// placed last.
func (s *schedule) posAt(t time.Time) time.Duration {
	if math.IsInf(s.speed, 1) {
		return s.pos
	}
	return min(s.anchorPos+saturate(float64(t.Sub(s.anchor))*s.speed), s.pos)
}

// hold freezes the schedule at the position reached at t.
func (s *schedule) hold(t time.Time) { s.anchorPos, s.anchor = s.posAt(t), t }

// release starts a held schedule again at t, from where it was held.
func (s *schedule) release(t time.Time) { s.anchor = t }

// setSpeed changes the speed from the position reached at t on.
func (s *schedule) setSpeed(t time.Time, speed float64) {
	s.hold(t)
	s.speed = speed
}

// passed notes that the event placed last went early, at t (a step): the
// position is now its own.
func (s *schedule) passed(t time.Time) { s.anchorPos, s.anchor = s.pos, t }

// jump makes the event placed last due lead (recorded time, before scaling)
// after t, for a seek: lead is at most its gap from the event before it.
func (s *schedule) jump(t time.Time, lead time.Duration) {
	s.anchor, s.anchorPos = t, s.pos-min(max(lead, 0), s.pos-s.prevGapPos)
}
