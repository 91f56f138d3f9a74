package replayer

import (
	"net/http"
	"time"

	"github.com/wsreplay/wsreplay/fault"
)

// faultsRequest is the body of POST replays/{id}/faults: the replay's
// faults from now on, in package fault's syntax, replacing those it had.
// An empty body clears them. Any of the link's fields sets a link, even
// "latency": "0".
type faultsRequest struct {
	Latency   *string  `json:"latency"`   // "200ms±50ms"
	Bandwidth *string  `json:"bandwidth"` // "64KiB/s"
	StallAt   []string `json:"stall_at"`  // "10s:5s", from the accept
	Stall     *string  `json:"stall"`     // "5s": nothing arrives from now for that long (fault.ParseStallLength)
	Messages  []string `json:"messages"`  // "drop:$.type==tick"
}

// setReplayFaults answers POST replays/{id}/faults.
func (s *Server) setReplayFaults(w http.ResponseWriter, r *http.Request, rp *apiReplay) error {
	var body faultsRequest
	if err := decodeBody(w, r, &body); err != nil {
		return err
	}
	link, err := body.link(time.Since(rp.accepted))
	if err != nil {
		return err
	}
	var rules []*fault.Rule
	for _, m := range body.Messages {
		rule, err := fault.ParseRule(m)
		if err != nil {
			return &apiError{status: 400, msg: err.Error(), field: "messages"}
		}
		rules = append(rules, rule)
	}
	return rp.ctl.setFaults(link, rules)
}

// link returns the link faults the request sets, nil for none; now is how
// long the replay has run, where a stall of "stall" starts.
func (b *faultsRequest) link(now time.Duration) (*fault.Link, error) {
	if b.Latency == nil && b.Bandwidth == nil && b.StallAt == nil && b.Stall == nil {
		return nil, nil
	}
	l := &fault.Link{}
	var err error
	if b.Latency != nil {
		if l.Latency, l.Jitter, err = fault.ParseLatency(*b.Latency); err != nil {
			return nil, &apiError{status: 400, msg: err.Error(), field: "latency"}
		}
	}
	if b.Bandwidth != nil && *b.Bandwidth != "" {
		if l.Bandwidth, err = fault.ParseBandwidth(*b.Bandwidth); err != nil {
			return nil, &apiError{status: 400, msg: err.Error(), field: "bandwidth"}
		}
	}
	for _, st := range b.StallAt {
		stall, err := fault.ParseStall(st)
		if err != nil {
			return nil, &apiError{status: 400, msg: err.Error(), field: "stall_at"}
		}
		l.Stalls = append(l.Stalls, stall)
	}
	if b.Stall != nil {
		d, err := fault.ParseStallLength(*b.Stall)
		if err != nil {
			return nil, &apiError{status: 400, msg: err.Error(), field: "stall"}
		}
		l.Stalls = append(l.Stalls, fault.Stall{At: now, For: d})
	}
	return l, nil
}
