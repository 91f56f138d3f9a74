package recorder

import "sync/atomic"

// faultOutBytes bounds the payload bytes a session's faults hold on their
// way to the client (delayed, queued behind a bandwidth, held by a stall):
// past it the relay stops reading from the upstream until the link has
// carried some, as a slow link holds up a fast sender. A message larger
// than the bound goes alone. Per session, so that one session's faults never
// hold up another's traffic.
const faultOutBytes = 8 << 20

// heldBytes counts the payload bytes handed to a faultOut and not yet
// written or dropped, and makes the one goroutine that hands them over
// wait while they are over a bound. Its methods are safe for concurrent
// use; take must be called from one goroutine only. The zero value is
// not usable: init it.
type heldBytes struct {
	n     atomic.Int64
	limit int64
	room  chan struct{} // a token: n went down since take last looked
}

// init readies h to hold at most limit bytes.
func (h *heldBytes) init(limit int64) {
	h.limit, h.room = limit, make(chan struct{}, 1)
}

// take waits until n more bytes fit under the bound, or nothing is held,
// and takes them. It reports false, having taken nothing, if done is
// closed first.
func (h *heldBytes) take(n int64, done <-chan struct{}) bool {
	for {
		// One taker: nothing but release changes n between the test
		// and the Add, and release only lowers it.
		if held := h.n.Load(); held == 0 || held+n <= h.limit {
			h.n.Add(n)
			return true
		}
		select {
		case <-h.room:
		case <-done:
			return false
		}
	}
}

// add takes n bytes without waiting: copies the faults make of what was
// taken (a duplicate, a corruption), at most as much again.
func (h *heldBytes) add(n int64) { h.n.Add(n) }

// release gives back n bytes, and wakes take.
func (h *heldBytes) release(n int64) {
	h.n.Add(-n)
	select {
	case h.room <- struct{}{}:
	default:
	}
}
