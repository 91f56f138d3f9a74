package drain

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWait(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		work    time.Duration // how long the one connection lasts; 0: none
		timeout time.Duration
		want    error
		wantAt  time.Duration
	}{
		{"nothing to wait for", 0, time.Second, nil, 0},
		{"drained in time", 300 * time.Millisecond, time.Second, nil, 300 * time.Millisecond},
		{"ctx ends first", 3 * time.Second, time.Second, context.DeadlineExceeded, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var wg sync.WaitGroup
				if tt.work > 0 {
					wg.Go(func() { time.Sleep(tt.work) })
				}
				ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
				defer cancel()
				start := time.Now()
				err := Wait(ctx, &wg)
				if !errors.Is(err, tt.want) {
					t.Errorf("got %v, want %v", err, tt.want)
				}
				if d := time.Since(start); d != tt.wantAt {
					t.Errorf("returned after %v, want %v", d, tt.wantAt)
				}
				wg.Wait() // the connection, and Wait's goroutine, end in the bubble
			})
		})
	}
}
