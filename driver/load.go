package driver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Load says how many runs to make and how many at once. The zero value
// plays each script once, one run at a time.
type Load struct {
	// Concurrency is how many runs are under way at once. Zero means 1.
	Concurrency int
	// Repeat plays each script this many times in all. Zero means 1;
	// ignored when Duration is set.
	Repeat int
	// Duration, if positive, keeps starting runs (the scripts in turn)
	// until it has passed since the start; runs under way then finish.
	Duration time.Duration
	// RampUp spreads the start of the Concurrency workers evenly over
	// it. Zero starts them all at once.
	RampUp time.Duration
}

// RunLoad plays scripts as l says and returns the report. each, if not
// nil, is called with every run's Result as it finishes, one call at a
// time. It returns when every run has ended, or ctx is done and the runs
// under way have stopped.
func (d *Driver) RunLoad(ctx context.Context, scripts []*Script, l Load, each func(*Result)) *Report {
	return runLoad(ctx, scripts, l, each, d.Run)
}

// runLoad is RunLoad with the run made by play: the schedule, apart from
// the sockets, for the tests.
func runLoad(ctx context.Context, scripts []*Script, l Load, each func(*Result), play func(context.Context, *Script) *Result) *Report {
	workers := max(l.Concurrency, 1)
	total := int64(max(l.Repeat, 1) * len(scripts))
	var deadline time.Time
	start := time.Now()
	if l.Duration > 0 {
		deadline = start.Add(l.Duration)
		total = -1
	}
	rep := newReport()
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sleepUntil(ctx, start.Add(l.RampUp*time.Duration(w)/time.Duration(workers))); err != nil {
				return
			}
			for ctx.Err() == nil {
				j := next.Add(1) - 1
				if total >= 0 && j >= total || !deadline.IsZero() && !time.Now().Before(deadline) {
					return
				}
				res := play(ctx, scripts[j%int64(len(scripts))])
				mu.Lock()
				rep.add(res)
				if each != nil {
					each(res)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	rep.finish()
	return rep
}
