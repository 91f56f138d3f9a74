package browser

import (
	"time"

	"github.com/chromedp/cdproto/cdp"
)

// clock turns the browser's monotonic timestamps (seconds from an
// arbitrary point, the same for every target of one browser) into wall
// time, from one pairing of the two taken once: later times are that
// wall time plus the monotonic elapsed, as the proxy's lines are, so that
// a wall clock that jumps changes nothing. Its zero value pairs on first
// use. It is used by the recording goroutine only.
type clock struct {
	set  bool
	mono float64   // a browser timestamp
	wall time.Time // the wall time it was
}

// pair sets the clock from an event that carries both times (a request's
// timestamp and wallTime), unless it is set already.
func (c *clock) pair(ts cdp.MonotonicTime, wall cdp.TimeSinceEpoch) {
	if c.set || wall <= 0 {
		return
	}
	sec := float64(wall)
	c.set, c.mono = true, float64(ts)
	c.wall = time.Unix(0, int64(sec*1e9)).UTC()
}

// at returns the wall time of a browser timestamp. Before any pairing (a
// socket that opened before the recorder attached), the first timestamp
// seen is taken as now.
func (c *clock) at(ts cdp.MonotonicTime) time.Time {
	if !c.set {
		c.set, c.mono, c.wall = true, float64(ts), time.Now().UTC()
	}
	return c.wall.Add(time.Duration((float64(ts) - c.mono) * float64(time.Second)))
}
