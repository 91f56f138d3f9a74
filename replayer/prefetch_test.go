package replayer

import (
	"io"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/wsreplay/wsreplay/format"
)

// bigStream yields n events of size bytes each, counting those decoded.
type bigStream struct {
	n, size int
	decoded atomic.Int32
}

func (s *bigStream) Next() (*format.Event, error) {
	if int(s.decoded.Load()) == s.n {
		return nil, io.EOF
	}
	s.decoded.Add(1)
	return &format.Event{Type: format.TypeMessage, Dir: format.Receive, Data: make([]byte, s.size)}, nil
}
func (s *bigStream) Release(*format.Event) {}
func (s *bigStream) Close() error          { return nil }

// Read-ahead stops at a byte bound, not at a count of events: a player
// that does not take its events (its client does not read) holds little
// more than readAheadBytes; one that holds nothing always gets its next
// event, however large, and however much other replays hold.
func TestReadAheadByteBudget(t *testing.T) {
	defer func(a, b int64) { readAheadBytes, readAheadTotal = a, b }(readAheadBytes, readAheadTotal)
	readAheadBytes, readAheadTotal = 2<<20, 5<<20
	synctest.Test(t, func(t *testing.T) {
		src := &bigStream{n: 20, size: 1 << 20}
		p := prefetch(src)
		synctest.Wait()
		if got := src.decoded.Load(); got != 2 {
			t.Errorf("%d events of 1 MiB read ahead with a bound of 2 MiB, want 2", got)
		}
		e, err := p.Next()
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := src.decoded.Load(); got != 2 {
			t.Errorf("%d events decoded while the player holds one, want still 2", got)
		}
		p.Release(e)
		synctest.Wait()
		if got := src.decoded.Load(); got != 3 {
			t.Errorf("%d events decoded once the player released one, want 3", got)
		}

		// Other replays hold the rest of the total: this one reads one
		// event at a time, but reads.
		huge := &bigStream{n: 3, size: 8 << 20}
		q := prefetch(huge)
		synctest.Wait()
		if got := huge.decoded.Load(); got != 1 {
			t.Errorf("a replay holding nothing decoded %d events of 8 MiB, want 1 (past both bounds)", got)
		}
		for i := range 3 {
			e, err := q.Next()
			if err != nil {
				t.Fatalf("event %d: %v", i+1, err)
			}
			q.Release(e)
		}
		if _, err := q.Next(); err != io.EOF {
			t.Errorf("after the last event: %v, want io.EOF", err)
		}
		q.Close()
		p.Close()
		if n := readAhead.Load(); n != 0 {
			t.Errorf("%d bytes held after every replay closed, want 0", n)
		}
	})
}
