package replayer

import (
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// endFault is the earliest fault configured for a connection (Server.DropAt,
// CloseAt, HangAt): C fires at its moment, in wall time from the accept,
// and the replay then ends as end says. Without a fault C is nil, which
// never fires. stop releases the timer.
type endFault struct {
	C     <-chan time.Time
	end   ending
	timer *time.Timer
}

// newFault returns the earliest fault of fs, timed from accepted.
func newFault(fs faults, accepted time.Time) endFault {
	var at time.Duration
	var end ending
	consider := func(d time.Duration, e ending) {
		if d > 0 && (at == 0 || d < at) {
			at, end = d, e
		}
	}
	consider(fs.dropAt, ending{kind: endDrop, code: format.CodeAbnormal, fault: true})
	if fs.closeAt > 0 {
		code := fs.closeCode
		if code == 0 {
			code = 1000
		}
		consider(fs.closeAt, ending{kind: endClose, code: code, reason: fs.closeReason, fault: true})
	}
	consider(fs.hangAt, ending{kind: endHang, fault: true})
	if at == 0 {
		return endFault{}
	}
	t := time.NewTimer(time.Until(accepted.Add(at)))
	return endFault{C: t.C, end: end, timer: t}
}

func (f endFault) stop() { stopTimer(f.timer) }
