package recorder

import "sync"

// What a session records off the relay path (an Engine.IO polling body, a
// SockJS frame) waits in its workQueue for the session's one recording
// goroutine, which records it in the order it was queued: the goroutine
// relaying the traffic only hands it over. Engine.IO (engineio_queue.go)
// and SockJS (sockjs_queue.go) share this one mechanism.

// workQueue is a session's queue of work for its recording goroutine. The
// zero value is empty, with no goroutine. Safe for concurrent use.
type workQueue[T any] struct {
	mu      sync.Mutex
	work    []T  // what waits to be recorded, in order
	working bool // the recording goroutine runs
}

// queueFuncs are what a session's recording goroutine does with its work:
// record one item; drop one that cannot be recorded (Shutdown has stopped
// the recording goroutines); idle, once nothing waits any more (nil:
// nothing).
type queueFuncs[T any] struct {
	record func(T)
	drop   func(T)
	idle   func()
}

// push hands w to the session's recording goroutine, starting one if none
// runs. Once Shutdown has stopped waiting for recording goroutines
// (Proxy.recording is closed), none starts, and w is dropped: the session
// has been ended.
func (q *workQueue[T]) push(p *Proxy, w T, f queueFuncs[T]) {
	q.mu.Lock()
	start := !q.working
	if start && !p.recording.add() {
		q.mu.Unlock()
		f.drop(w)
		return
	}
	q.work = append(q.work, w)
	q.working = true
	if start {
		p.recorders.Add(1) // before mu is let go: waitRecording must see it
	}
	q.mu.Unlock()
	if start {
		go q.drain(p, f)
	}
}

// pushIfBusy queues the item next returns when the recording goroutine
// runs, so that what comes now is recorded behind what waits, and reports
// whether it did; false: nothing waits, record it now. next runs under the
// queue's lock.
func (q *workQueue[T]) pushIfBusy(next func() T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.working {
		return false
	}
	q.work = append(q.work, next())
	return true
}

// busy reports whether the recording goroutine runs.
func (q *workQueue[T]) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.working
}

// drain is the session's recording goroutine: it records what waits, in
// order, until nothing does.
func (q *workQueue[T]) drain(p *Proxy, f queueFuncs[T]) {
	defer p.recording.done()
	defer p.recorders.Add(-1)
	var zero T
	for {
		q.mu.Lock()
		if len(q.work) == 0 {
			q.working, q.work = false, nil
			q.mu.Unlock()
			if f.idle != nil {
				f.idle()
			}
			return
		}
		w := q.work[0]
		q.work[0] = zero // the slice's array must not keep it
		q.work = q.work[1:]
		q.mu.Unlock()
		f.record(w)
	}
}
