package main

import (
	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/fault"
)

// faultFlags are the flags of link and message faults (package fault),
// the same for serve and record; what applies them is the command's. On
// record they act on live traffic: only when given.
func faultFlags(note string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "latency", Usage: "delay every server message by `D[±J]` (jitter J varies it per message, order kept; also D+-J): 200ms±50ms" + note},
		&cli.StringFlag{Name: "bandwidth", Usage: "carry server messages at `RATE` (64KiB/s, 1MB/s): they queue behind each other and arrive bunched" + note},
		&cli.GenericFlag{Name: "stall-at", Value: &wholeValues{}, Usage: "from AT after the connection opened, nothing arrives for FOR, then the backlog at once: `AT:FOR` (10s:5s; repeatable)" + note},
		&cli.GenericFlag{Name: "fault", Value: &wholeValues{}, Usage: "a message fault, `ACTION[:SELECTOR;...]`: drop, duplicate, delay=D, reorder, corrupt; selectors #N, @D, @D-D, $.json.path[==VALUE], ~text, event=NAME, path=GLOB (repeatable; the first that selects a server message acts)" + note},
	}
}

// faultOptions returns the faults the flags give: the link (nil when no
// link flag is given; --latency 0 gives a link that delays nothing) and
// the message rules.
func faultOptions(c *cli.Context) (*fault.Link, []*fault.Rule, error) {
	var link *fault.Link
	get := func() *fault.Link {
		if link == nil {
			link = &fault.Link{}
		}
		return link
	}
	if s := c.String("latency"); c.IsSet("latency") {
		l := get()
		var err error
		if l.Latency, l.Jitter, err = fault.ParseLatency(s); err != nil {
			return nil, nil, usagef("--latency: %v", err)
		}
	}
	if s := c.String("bandwidth"); c.IsSet("bandwidth") {
		var err error
		if get().Bandwidth, err = fault.ParseBandwidth(s); err != nil {
			return nil, nil, usagef("--bandwidth: %v", err)
		}
	}
	for _, s := range genericValues(c, "stall-at") {
		st, err := fault.ParseStall(s)
		if err != nil {
			return nil, nil, usagef("--stall-at: %v", err)
		}
		get().Stalls = append(get().Stalls, st)
	}
	var rules []*fault.Rule
	for _, s := range genericValues(c, "fault") {
		r, err := fault.ParseRule(s)
		if err != nil {
			return nil, nil, usagef("--fault: %v", err)
		}
		rules = append(rules, r)
	}
	return link, rules, nil
}

// genericValues returns the values of a wholeValues flag.
func genericValues(c *cli.Context, name string) []string {
	if v, ok := c.Generic(name).(*wholeValues); ok && v != nil {
		return *v
	}
	return nil
}
