package driver

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestRunLoad: how many runs a Load makes, of which scripts, and when
// each worker starts, under fake time (each run takes a second).
func TestRunLoad(t *testing.T) {
	a, b := &Script{Name: "a"}, &Script{Name: "b"}
	tests := []struct {
		name   string
		load   Load
		runs   int
		starts []time.Duration // when runs started, sorted, the first few
		took   time.Duration
	}{
		{name: "zero: each script once, one at a time", load: Load{}, runs: 2,
			starts: []time.Duration{0, time.Second}, took: 2 * time.Second},
		{name: "repeat 3, two at once", load: Load{Concurrency: 2, Repeat: 3}, runs: 6,
			starts: []time.Duration{0, 0, time.Second, time.Second, 2 * time.Second, 2 * time.Second}, took: 3 * time.Second},
		{name: "ramp-up spreads the workers", load: Load{Concurrency: 4, Repeat: 3, RampUp: 2 * time.Second}, runs: 6,
			// workers start at 0, 0.5, 1 and 1.5 s; the first two take more
			// runs as they finish
			starts: []time.Duration{0, 500 * time.Millisecond, time.Second, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond},
			took:   2500 * time.Millisecond},
		{name: "duration: no run starts after it", load: Load{Concurrency: 3, Duration: 2500 * time.Millisecond}, runs: 9,
			starts: []time.Duration{0, 0, 0, time.Second, time.Second, time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second},
			took:   3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var mu sync.Mutex
				var starts []time.Duration
				count := map[string]int{}
				play := func(ctx context.Context, s *Script) *Result {
					mu.Lock()
					starts = append(starts, time.Since(start))
					count[s.Name]++
					mu.Unlock()
					time.Sleep(time.Second)
					return &Result{Script: s, Connected: true, Sent: 2, Received: 3,
						Latencies: []Latency{{Live: 5 * time.Millisecond, Recorded: time.Millisecond}}}
				}
				var each int
				rep := runLoad(context.Background(), []*Script{a, b}, tc.load, func(*Result) { each++ }, play)
				slices.Sort(starts)
				if fmt.Sprint(starts) != fmt.Sprint(tc.starts) {
					t.Errorf("runs started at %v, want %v", starts, tc.starts)
				}
				if rep.Runs != tc.runs || each != tc.runs || rep.Connections != tc.runs || rep.Sent != 2*tc.runs || rep.Received != 3*tc.runs {
					t.Errorf("report %+v, each called %d times; want %d runs", rep, each, tc.runs)
				}
				if d := count["a"] - count["b"]; d < 0 || d > 1 {
					t.Errorf("scripts played %v: want them in turn", count)
				}
				if rep.Elapsed != tc.took || rep.Latency.P99 != 5*time.Millisecond || rep.Recorded.Max != time.Millisecond {
					t.Errorf("elapsed %v, latency %+v, recorded %+v; want %v, 5ms, 1ms", rep.Elapsed, rep.Latency, rep.Recorded, tc.took)
				}
			})
		})
	}
}
