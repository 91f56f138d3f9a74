package replayer

import (
	"context"
	"errors"
	"testing"
	"time"
)

// OpenSeq indexes sources as they are yielded: the first is served while
// the next is not known yet, and an error of the sequence ends indexing
// with it.
func TestOpenSeqIndexesAsSourcesCome(t *testing.T) {
	next := make(chan struct{})
	listing := errors.New("listing failed")
	cat := OpenSeq(func(yield func(Source, error) bool) {
		if !yield(File("../testdata/demo.ndjson"), nil) {
			return
		}
		<-next
		yield(Source{}, listing)
	})
	defer cat.Close()
	for deadline := time.Now().Add(10 * time.Second); len(cat.Sessions()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first source's session was not indexed while the sequence waited")
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := cat.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait before the sequence ended: %v, want it still indexing", err)
	}
	close(next)
	if err := cat.Wait(t.Context()); !errors.Is(err, listing) {
		t.Errorf("Wait: %v, want the sequence's error", err)
	}
	if got := cat.Sessions(); len(got) != 1 || got[0].ID != "demo-1" {
		t.Errorf("sessions %v, want demo-1", got)
	}
}
