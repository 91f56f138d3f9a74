package replayer

import (
	"time"

	"github.com/wsreplay/wsreplay/fault"
)

// timing is what a replay's player needs of its Server: how fast, from
// where, with what gaps, whether it loops or waits for the client, which
// heartbeats are made live, and the faults. It is a value, so that the
// player (pacing.go, schedule.go, fault.go) can be run and tested without
// a Server; the Server's fields do not change once it serves, so a copy
// taken per replay is the same as the fields.
type timing struct {
	speed      float64       // Server.Speed: zero is 1
	maxGap     time.Duration // zero: no cap
	from       time.Duration
	dropBefore bool // the messages before from are passed over, not sent at once
	loop       bool
	wait       bool
	paused     bool
	heartbeats []Heartbeat // shared with the Server: never changed
	faults     faults
	link       *fault.Link   // Server.Link: nil is none
	rules      []*fault.Rule // Server.Faults
}

// faults are the faults of Server.DropAt, CloseAt, HangAt: zero is off.
type faults struct {
	dropAt, closeAt, hangAt time.Duration
	closeCode               int // zero means 1000
	closeReason             string
}

// timing returns the timing of s's replays.
func (s *Server) timing() timing {
	return timing{
		speed: s.Speed, maxGap: s.MaxGap, from: s.From, dropBefore: s.DropBefore,
		loop: s.Loop, wait: s.Wait, paused: s.Paused, heartbeats: s.Heartbeats,
		faults: faults{dropAt: s.DropAt, closeAt: s.CloseAt, hangAt: s.HangAt,
			closeCode: s.CloseCode, closeReason: s.CloseReason},
		link: s.Link, rules: s.Faults,
	}
}
