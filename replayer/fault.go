package replayer

import (
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// fault is the earliest fault configured for a connection (Server.DropAt,
// CloseAt, HangAt): C fires at its moment, in wall time from the accept,
// and the replay then ends as end says. Without a fault C is nil, which
// never fires. stop releases the timer.
type fault struct {
	C     <-chan time.Time
	end   ending
	timer *time.Timer
}

// newFault returns the earliest fault cfg configures, timed from accepted.
func newFault(cfg *Server, accepted time.Time) fault {
	var at time.Duration
	var end ending
	consider := func(d time.Duration, e ending) {
		if d > 0 && (at == 0 || d < at) {
			at, end = d, e
		}
	}
	consider(cfg.DropAt, ending{kind: endDrop, code: format.CodeAbnormal, fault: true})
	if cfg.CloseAt > 0 {
		code := cfg.CloseCode
		if code == 0 {
			code = 1000
		}
		consider(cfg.CloseAt, ending{kind: endClose, code: code, reason: cfg.CloseReason, fault: true})
	}
	consider(cfg.HangAt, ending{kind: endHang, fault: true})
	if at == 0 {
		return fault{}
	}
	t := time.NewTimer(time.Until(accepted.Add(at)))
	return fault{C: t.C, end: end, timer: t}
}

func (f fault) stop() { stopTimer(f.timer) }
