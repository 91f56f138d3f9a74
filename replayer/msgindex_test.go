package replayer

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// The histogram's bins widen as later messages come, keeping every count.
func TestHistogram(t *testing.T) {
	var h histogram
	h.add(0, format.Receive)
	h.add(500*time.Millisecond, format.Send) // 1 ms bins cover 512 ms
	h.add(600*time.Millisecond, format.Receive)
	h.add(10*time.Second, format.Receive)
	if h.Width != 32*time.Millisecond {
		t.Errorf("width %v, want 32ms (the first that covers 10 s in 512 bins)", h.Width)
	}
	sum := func(b [histBins]int32) (n int32) {
		for _, v := range b {
			n += v
		}
		return n
	}
	if sum(h.Recv) != 3 || sum(h.Send) != 1 || h.Send[500/32] != 1 || h.Recv[10000/32] != 1 || h.Recv[0] != 1 {
		t.Errorf("bins lost counts: %d received, %d sent", sum(h.Recv), sum(h.Send))
	}
}

// A range read through the index is the same as a read from the start,
// wherever it begins, in a file where sessions interleave.
func TestIndexScan(t *testing.T) {
	evs := []*format.Event{sessionLine("a", "/a", "", rec0), sessionLine("b", "/b", "", rec0)}
	for i := 1; i <= 1000; i++ {
		evs = append(evs, message("a", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, fmt.Appendf(nil, "a%d", i)))
		evs = append(evs, message("b", rec0.Add(time.Duration(i)*time.Millisecond), format.Receive, format.Text, fmt.Appendf(nil, "b%d", i)))
	}
	for _, path := range []string{writePlain(t, evs...), writeRecording(t, evs...)} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cat, err := Open(File(path))
			if err != nil {
				t.Fatal(err)
			}
			cat.Wait(t.Context())
			var x indexes
			idx, err := x.get(cat.Sessions()[1], nil)
			if err != nil {
				t.Fatal(err)
			}
			if idx.total != 1000 || len(idx.marks) != 4 {
				t.Errorf("total %d, %d checkpoints; want 1000, 4", idx.total, len(idx.marks))
			}
			for _, from := range []int{1, 255, 256, 257, 513, 999, 1000} {
				t.Run(fmt.Sprint("from ", from), func(t *testing.T) {
					var got []string
					idx.scan(from, func(seq int, e *format.Event, off time.Duration) bool {
						got = append(got, fmt.Sprintf("%d:%s@%v", seq, e.Data, off))
						return len(got) < 2
					})
					want := fmt.Sprintf("%d:b%d@%v", from, from, time.Duration(from)*time.Millisecond)
					if len(got) == 0 || got[0] != want {
						t.Errorf("scan from %d: %v, want %s first", from, got, want)
					}
				})
			}
			if seq, _ := idx.seqAt(700500 * time.Microsecond); seq != 701 {
				t.Errorf("seqAt(700.5ms) = %d, want 701", seq)
			}
			cat.Close()
		})
	}
}
