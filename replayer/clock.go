package replayer

import (
	"container/heap"
	"sync"
	"time"
)

// On Linux, Go's timers wake a sleeping program with millisecond granularity
// (the runtime's epoll wait takes whole milliseconds), so a replay scheduled
// with time.Timer alone sends messages up to a millisecond late. A replay at
// 1,000 msgs/s needs better. fineClock serves the last stretch of every wait:
// one goroutine for all connections keeps the due instants in a heap and
// sleeps with sleepFine (nanosleep on Linux; clock_other.go says what other
// systems use and the lateness to expect there), in short slices so that a
// new earlier instant is not missed by much, while the instants are less
// than coarseMargin away.
const (
	coarseMargin = 2 * time.Millisecond
	fineSlice    = 200 * time.Microsecond
)

// fineClock wakes waiters at their due instant, within about a tenth of a
// millisecond. Its goroutine runs only while someone waits. The zero value
// is ready to use; it is safe for concurrent use.
type fineClock struct {
	mu      sync.Mutex
	waits   waitHeap
	running bool
}

type fineWait struct {
	due time.Time
	ch  chan struct{}
}

// at returns a channel closed at due.
func (c *fineClock) at(due time.Time) <-chan struct{} {
	w := &fineWait{due: due, ch: make(chan struct{})}
	c.mu.Lock()
	heap.Push(&c.waits, w)
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go c.wakeWaiters()
	}
	return w.ch
}

// wakeWaiters closes the waiters' channels as they fall due, and returns
// when there are none left.
func (c *fineClock) wakeWaiters() {
	for {
		c.mu.Lock()
		now := time.Now()
		for len(c.waits) > 0 && !c.waits[0].due.After(now) {
			close(heap.Pop(&c.waits).(*fineWait).ch)
		}
		if len(c.waits) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		d := min(c.waits[0].due.Sub(now), fineSlice)
		c.mu.Unlock()
		sleepFine(d)
		if !time.Now().After(now) {
			// The clock did not move while we slept: it is a fake one
			// (testing/synctest), which advances only while every
			// goroutine waits on it. Wait on it, or it never will.
			time.Sleep(d)
		}
	}
}

// waitHeap orders waits by due instant.
type waitHeap []*fineWait

func (h waitHeap) Len() int           { return len(h) }
func (h waitHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h waitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)        { *h = append(*h, x.(*fineWait)) }
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}
