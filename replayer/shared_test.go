package replayer

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Replays that play one session at once share one decoded copy, which
// reads as the file does; the first streams from the file; the copy is let
// go when the last replay ends.
func TestConcurrentReplaysShareTheSession(t *testing.T) {
	evs := []*format.Event{sessionLine("s", "/", "", rec0)}
	for i := range 50 {
		evs = append(evs, message("s", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, fmt.Appendf(nil, "m%d", i)))
	}
	cat, err := Open(File(writeRecording(t, evs...)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	sess := cat.Sessions()[0]
	var streams []eventStream
	for range 3 {
		st, err := sess.stream()
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, st)
	}
	if _, ok := streams[0].(*sharedFile); !ok {
		t.Errorf("the first replay reads %T, want the file", streams[0])
	}
	for i, st := range streams[1:] {
		if _, ok := st.(*sharedSlice); !ok {
			t.Errorf("replay %d reads %T, want the shared copy", i+2, st)
		}
	}
	for i, st := range streams {
		var n int
		for ; ; n++ {
			e, err := st.Next()
			if err == io.EOF {
				break
			}
			if err != nil || !eventsMatch(e, evs[n]) {
				t.Fatalf("replay %d, event %d: %+v, %v", i+1, n, e, err)
			}
		}
		if n != len(evs) {
			t.Errorf("replay %d: %d events, want %d", i+1, n, len(evs))
		}
		st.Close()
		st.Close() // harmless
	}
	cat.shared.mu.Lock()
	defer cat.shared.mu.Unlock()
	if len(cat.shared.sessions) != 0 || cat.shared.total != 0 {
		t.Errorf("after the replays: %d sessions shared, %d bytes", len(cat.shared.sessions), cat.shared.total)
	}
}

func eventsMatch(a, b *format.Event) bool {
	return a.Type == b.Type && a.Session == b.Session && a.Time.Equal(b.Time) && string(a.Data) == string(b.Data)
}
