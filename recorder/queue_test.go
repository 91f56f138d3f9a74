package recorder

import (
	"context"
	"testing"
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
	if sink.addWait(ctx, line()) {
		t.Fatal("addWait took a line into a full queue")
	}
	if ctx.Err() == nil {
		t.Fatal("addWait gave up before its context was done")
	}

	took := make(chan bool)
	go func() { took <- sink.addWait(t.Context(), line()) }()
	select {
	case ok := <-took:
		t.Fatalf("addWait returned %v with the queue full", ok)
	case <-time.After(20 * time.Millisecond):
	}
	close(st.release) // the writer drains the queue
	if !<-took {
		t.Fatal("addWait dropped the line once there was room")
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if sink.addWait(t.Context(), line()) {
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
	go func() { took <- sink.addWait(t.Context(), line()) }()
	time.Sleep(10 * time.Millisecond) // let addWait wait, most times
	closed := make(chan error)
	go func() { closed <- sink.Close() }()
	if <-took {
		t.Error("addWait took a line while the queue stayed full")
	}
	close(st.release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}
