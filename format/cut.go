package format

import (
	"slices"
	"time"
)

// Cut selects part of a recording: some sessions, a time window, one
// direction. The zero value selects everything.
type Cut struct {
	// Sessions keeps only these session ids. Empty: all.
	Sessions []string
	// From and To bound a window as offsets from each session's start;
	// zero From is the start, zero To is the end.
	From, To time.Duration
	// FromTime and ToTime bound a window in absolute time; zero is
	// unbounded.
	FromTime, ToTime time.Time
	// Dir keeps only messages going this way. Empty: both.
	Dir Dir
}

// Cutter applies a Cut to a stream of events, one at a time, in file order.
// A session cut at its start gets its session line moved to the start of the
// window, so that a replay of the cut begins with the window; a session cut
// before its close line has none. A Cutter is not safe for concurrent use.
type Cutter struct {
	cut    Cut
	starts map[string]time.Time // session start, as recorded
	opened map[string]bool      // session line written
	pend   map[string]*Event    // session line held until the window opens
}

// NewCutter returns a Cutter for c.
func NewCutter(c Cut) *Cutter {
	return &Cutter{cut: c, starts: map[string]time.Time{}, opened: map[string]bool{}, pend: map[string]*Event{}}
}

// Apply returns the events to write for e: none, e, or a held session line
// and e.
func (c *Cutter) Apply(e *Event) []*Event {
	if len(c.cut.Sessions) > 0 && !slices.Contains(c.cut.Sessions, e.Session) {
		return nil
	}
	start, known := c.starts[e.Session]
	if !known {
		start = e.Time
		c.starts[e.Session] = start
	}
	from, to := c.window(start)
	if e.Type == TypeSession {
		if !e.Time.Before(from) {
			c.opened[e.Session] = true
			return []*Event{e}
		}
		held := *e
		held.Time = from
		c.pend[e.Session] = &held
		return nil
	}
	if e.Time.Before(from) || (!to.IsZero() && e.Time.After(to)) {
		return nil
	}
	if c.cut.Dir != "" && (e.Type == TypeMessage || e.Type == TypePing || e.Type == TypePong) && e.Dir != c.cut.Dir {
		return nil
	}
	if !c.opened[e.Session] {
		c.opened[e.Session] = true
		if s := c.pend[e.Session]; s != nil {
			delete(c.pend, e.Session)
			return []*Event{s, e}
		}
	}
	return []*Event{e}
}

// window returns the absolute window of a session that started at start.
func (c *Cutter) window(start time.Time) (from, to time.Time) {
	from = start.Add(c.cut.From)
	if !c.cut.FromTime.IsZero() && c.cut.FromTime.After(from) {
		from = c.cut.FromTime
	}
	if c.cut.To > 0 {
		to = start.Add(c.cut.To)
	}
	if !c.cut.ToTime.IsZero() && (to.IsZero() || c.cut.ToTime.Before(to)) {
		to = c.cut.ToTime
	}
	return from, to
}
