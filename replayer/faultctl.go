package replayer

import (
	"github.com/wsreplay/wsreplay/fault"
)

// The faults of a live replay (fault.Link, fault.Rule) as live control
// holds them: set from the Server's fields when the replay starts, changed
// by POST replays/{id}/faults, and the record of those applied, which the
// API and the timeline show.

// liveFaults are a replay's faults. rev grows with every change, so that
// the player knows to take them again.
type liveFaults struct {
	link  *fault.Link // nil: no link faults
	rules []*fault.Rule
	rev   int
}

// appliedFault is a message fault applied, as the API shows it.
type appliedFault struct {
	Seq    int    `json:"seq"`    // the message it acted on
	Action string `json:"action"` // drop, duplicate, delay, reorder, corrupt
	Fault  string `json:"fault"`  // the rule, as given
}

const maxFaultLog = 200

// seedFaults sets the faults a replay starts with, unless the API has set
// some already.
func (c *control) seedFaults(link *fault.Link, rules []*fault.Rule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.faults.rev == 0 {
		c.faults = liveFaults{link: link, rules: rules, rev: 1}
	}
}

// setFaults replaces the replay's faults from now on.
func (c *control) setFaults(link *fault.Link, rules []*fault.Rule) error {
	return c.command("state", func() {
		c.faults = liveFaults{link: link, rules: rules, rev: c.faults.rev + 1}
	})
}

// currentFaults returns the replay's faults.
func (c *control) currentFaults() liveFaults {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults
}

// faultApplied notes a message fault applied, and publishes it.
func (c *control) faultApplied(f appliedFault) {
	c.mu.Lock()
	if len(c.faultLog) == maxFaultLog {
		c.faultLog = c.faultLog[1:]
	}
	c.faultLog = append(c.faultLog, f)
	c.mu.Unlock()
	c.report("fault")
}

// faultsView is a replay's faults as the API shows them.
type faultsView struct {
	Latency   string   `json:"latency,omitempty"`
	Bandwidth string   `json:"bandwidth,omitempty"`
	Stalls    []string `json:"stalls,omitempty"`
	Messages  []string `json:"messages,omitempty"` // the message faults' rules
	// Applied are the last message faults applied, oldest first.
	Applied []appliedFault `json:"applied"`
}

// faultsViewLocked returns the view of c's faults; c.mu is held.
func (c *control) faultsViewLocked() faultsView {
	v := faultsView{Applied: append([]appliedFault{}, c.faultLog...)}
	if l := c.faults.link; l != nil {
		v.Latency = fault.FormatLatency(l.Latency, l.Jitter)
		if l.Bandwidth > 0 {
			v.Bandwidth = fault.FormatBandwidth(l.Bandwidth)
		}
		for _, s := range l.Stalls {
			v.Stalls = append(v.Stalls, s.String())
		}
	}
	for _, r := range c.faults.rules {
		v.Messages = append(v.Messages, r.String())
	}
	return v
}
