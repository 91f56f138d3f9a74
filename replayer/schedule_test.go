package replayer

import (
	"math"
	"testing"
	"time"
)

// The schedule on its own: recorded offsets in, due instants out.
func TestSchedule(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	type step struct {
		off    time.Duration
		resume time.Duration // if not zero: resume the schedule at start+resume after placing
		due    time.Duration // since start
		ok     bool
	}
	tests := []struct {
		name  string
		srv   *Server
		steps []step
	}{
		{"original pace", &Server{}, []step{{off: ms(100), due: ms(100), ok: true}, {off: ms(1100), due: ms(1100), ok: true}}},
		{"speed 4", &Server{Speed: 4}, []step{{off: ms(400), due: ms(100), ok: true}, {off: ms(2000), due: ms(500), ok: true}}},
		{"NaN speed is 1", &Server{Speed: math.NaN()}, []step{{off: ms(300), due: ms(300), ok: true}}},
		{"speed max", &Server{Speed: math.Inf(1)}, []step{{off: ms(300), due: 0, ok: true}, {off: time.Hour, due: 0, ok: true}}},
		{"max gap", &Server{MaxGap: ms(500)}, []step{{off: ms(100), due: ms(100), ok: true}, {off: ms(5100), due: ms(600), ok: true},
			{off: ms(5200), due: ms(700), ok: true}}},
		{"from cuts what is before it", &Server{From: ms(1000)}, []step{{off: ms(500), ok: false},
			{off: ms(1200), due: ms(200), ok: true}}},
		{"from, then a capped gap", &Server{From: ms(1000), MaxGap: ms(100)}, []step{{off: ms(3000), due: ms(100), ok: true}}},
		{"out of order offsets keep their place", &Server{}, []step{{off: ms(500), due: ms(500), ok: true},
			{off: ms(400), due: ms(500), ok: true}, {off: ms(600), due: ms(700), ok: true}}},
		{"resume moves the anchor", &Server{Speed: 2}, []step{{off: ms(1000), resume: ms(3000), due: ms(500), ok: true},
			{off: ms(1400), due: ms(3200), ok: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSchedule(tt.srv.timing(), start)
			for i, st := range tt.steps {
				due, ok := s.next(st.off)
				if ok != st.ok || ok && due.Sub(start) != st.due {
					t.Errorf("step %d: next(%v) = %v, %v; want %v, %v", i, st.off, due.Sub(start), ok, st.due, st.ok)
				}
				if st.resume != 0 {
					s.resume(start.Add(st.resume))
				}
			}
		})
	}
}
