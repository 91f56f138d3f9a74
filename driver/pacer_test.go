package driver

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// TestPacer: when each client message is sent, against when the server
// messages it followed arrive, under fake time.
func TestPacer(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	send := func(after int, gap, offset time.Duration) step {
		return step{ev: &format.Event{Dir: format.Send}, after: after, gap: gap, offset: offset}
	}
	tests := []struct {
		name    string
		clock   bool
		speed   float64
		arrive  []time.Duration // when server messages arrive, from the start
		steps   []step
		want    []time.Duration // when each step is due
		late    []bool
		timeout time.Duration
	}{
		{name: "first message at its gap from the start", speed: 1, steps: []step{send(0, ms(50), ms(50))},
			want: []time.Duration{ms(50)}, late: []bool{false}},
		{name: "after a slower server", speed: 1, arrive: []time.Duration{ms(300)},
			steps: []step{send(1, ms(20), ms(40))}, want: []time.Duration{ms(320)}, late: []bool{false}},
		{name: "after a faster server", speed: 1, arrive: []time.Duration{ms(5)},
			steps: []step{send(1, ms(20), ms(400))}, want: []time.Duration{ms(25)}, late: []bool{false}},
		{name: "speed halves the gap", speed: 2, arrive: []time.Duration{ms(100)},
			steps: []step{send(1, ms(40), ms(90))}, want: []time.Duration{ms(120)}, late: []bool{false}},
		{name: "max speed: at the arrival", speed: math.Inf(1), arrive: []time.Duration{ms(100), ms(150)},
			steps: []step{send(1, ms(40), 0), send(2, ms(900), 0)}, want: []time.Duration{ms(100), ms(150)}, late: []bool{false, false}},
		{name: "a message that never comes: sent at the timeout, late", speed: 1, timeout: ms(500),
			steps: []step{send(1, ms(10), ms(10))}, want: []time.Duration{ms(500)}, late: []bool{true}},
		{name: "clock ignores the server", clock: true, speed: 1, arrive: []time.Duration{ms(900)},
			steps: []step{send(1, ms(10), ms(70))}, want: []time.Duration{ms(70)}, late: []bool{false}},
		{name: "clock at speed 4", clock: true, speed: 4,
			steps: []step{send(0, 0, ms(400)), send(0, 0, ms(800))}, want: []time.Duration{ms(100), ms(200)}, late: []bool{false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				timeout := tc.timeout
				if timeout == 0 {
					timeout = time.Hour
				}
				p := newPacer(start, tc.speed, tc.clock, timeout)
				go func() {
					for _, at := range tc.arrive {
						time.Sleep(time.Until(start.Add(at)))
						p.arrive(time.Now())
					}
				}()
				for i, st := range tc.steps {
					late, err := p.wait(context.Background(), st)
					if err != nil {
						t.Fatal(err)
					}
					if got := time.Since(start); got != tc.want[i] || late != tc.late[i] {
						t.Errorf("step %d due at %v (late %v), want %v (late %v)", i, got, late, tc.want[i], tc.late[i])
					}
				}
				time.Sleep(time.Second) // past every arrival: the goroutine ends in the bubble
			})
		})
	}
}

// TestPacerAwaitAll: the end of a run waits for the rest of the server's
// half, each message at most the timeout after the one before.
func TestPacerAwaitAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := newPacer(start, 1, false, time.Second)
		go func() {
			for range 3 {
				time.Sleep(900 * time.Millisecond)
				p.arrive(time.Now())
			}
		}()
		ok, err := p.awaitAll(context.Background(), 3)
		if err != nil || !ok || time.Since(start) != 2700*time.Millisecond {
			t.Errorf("awaitAll = %v, %v after %v; want true after 2.7s", ok, err, time.Since(start))
		}
		ok, _ = p.awaitAll(context.Background(), 4)
		if ok || time.Since(start) != 3700*time.Millisecond {
			t.Errorf("awaitAll of a 4th = %v after %v; want false after the timeout, 3.7s", ok, time.Since(start))
		}
	})
}

// TestPacerEnd: once the connection has ended, nothing waits for the
// server's messages any more.
func TestPacerEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		p := newPacer(start, 1, false, time.Hour)
		go func() {
			time.Sleep(time.Second)
			p.end()
		}()
		late, err := p.wait(context.Background(), step{ev: &format.Event{Dir: format.Send}, after: 1})
		if err != nil || !late || time.Since(start) != time.Second {
			t.Errorf("wait = %v, %v after %v; want late at the end, 1s", late, err, time.Since(start))
		}
		if ok, _ := p.awaitAll(context.Background(), 3); ok || time.Since(start) != time.Second {
			t.Errorf("awaitAll after the end = %v after %v; want false at once", ok, time.Since(start))
		}
	})
}
