package recorder

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// stuckStore holds the writer goroutine in write until released, so that
// the queue stays full.
type stuckStore struct {
	entered chan struct{} // a write has begun
	release chan struct{}
}

func (s *stuckStore) write(*format.Event) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.release
	return nil
}
func (*stuckStore) flush() error          { return nil }
func (*stuckStore) close() error          { return nil }
func (*stuckStore) unfinished() bool      { return false }
func (*stuckStore) counts() SessionCounts { return SessionCounts{} }

// A full queue drops a line given to Add at once; addWait, the close line's
// path, waits for room until its context is done, or the sink closes.
func TestQueueAddWait(t *testing.T) {
	st := &stuckStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	sink := newFileSink(st, &sinkStats{}, (&QueueOptions{MaxQueueLines: 1}).withDefaults())
	line := func() *format.Event { return &format.Event{Type: format.TypeMessage, Session: "s", Data: []byte("x")} }
	if !sink.Add(line()) {
		t.Fatal("an empty queue dropped a line")
	}
	<-st.entered // the writer holds the first line; the queue is empty
	if !sink.Add(line()) {
		t.Fatal("an empty queue dropped a line")
	}
	if sink.Add(line()) {
		t.Fatal("a full queue took a line")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if sink.AddWait(ctx, line()) {
		t.Fatal("AddWait took a line into a full queue")
	}
	if ctx.Err() == nil {
		t.Fatal("AddWait gave up before its context was done")
	}

	took := make(chan bool)
	go func() { took <- sink.AddWait(t.Context(), line()) }()
	select {
	case ok := <-took:
		t.Fatalf("AddWait returned %v with the queue full", ok)
	case <-time.After(20 * time.Millisecond):
	}
	close(st.release) // the writer drains the queue
	if !<-took {
		t.Fatal("AddWait dropped the line once there was room")
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if sink.AddWait(t.Context(), line()) {
		t.Fatal("a closed sink took a line")
	}
}

// Close does not wait for a close line that waits for room: addWait gives
// up.
func TestQueueCloseEndsAddWait(t *testing.T) {
	st := &stuckStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	sink := newFileSink(st, &sinkStats{}, (&QueueOptions{MaxQueueLines: 1}).withDefaults())
	line := func() *format.Event { return &format.Event{Type: format.TypeClose, Session: "s"} }
	sink.Add(line())
	<-st.entered
	sink.Add(line())
	took := make(chan bool)
	go func() { took <- sink.AddWait(t.Context(), line()) }()
	time.Sleep(10 * time.Millisecond) // let addWait wait, most times
	closed := make(chan error)
	go func() { closed <- sink.Close() }()
	if <-took {
		t.Error("AddWait took a line while the queue stayed full")
	}
	close(st.release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

// countingStore counts how often the writer looks at it.
type countingStore struct {
	looks, writes atomic.Int64
}

func (s *countingStore) write(*format.Event) error { s.writes.Add(1); return nil }
func (s *countingStore) flush() error              { s.looks.Add(1); return nil }
func (*countingStore) close() error                { return nil }
func (s *countingStore) unfinished() bool          { s.looks.Add(1); return false }
func (*countingStore) counts() SessionCounts       { return SessionCounts{} }

// An idle writer sleeps until a line comes: it does not wake every
// drainEvery to find the queue empty (720,000 wake-ups an hour).
func TestQueueIdleWriterBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &countingStore{}
		sink := newFileSink(st, &sinkStats{}, (&QueueOptions{}).withDefaults())
		sink.Add(&format.Event{Type: format.TypeMessage, Session: "s", Data: []byte("x")})
		time.Sleep(time.Second)
		synctest.Wait()
		before := st.looks.Load()
		time.Sleep(time.Hour)
		synctest.Wait()
		if woke := st.looks.Load() - before; woke > 0 {
			t.Errorf("an idle writer looked at its store %d times in an hour, want 0", woke)
		}
		sink.Add(&format.Event{Type: format.TypeMessage, Session: "s", Data: []byte("y")})
		time.Sleep(time.Second)
		synctest.Wait()
		if got := st.writes.Load(); got != 2 {
			t.Errorf("writes = %d, want 2: a line after an idle hour was not written", got)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
