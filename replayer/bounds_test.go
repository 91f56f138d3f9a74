package replayer

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"
)

// A speed far below MinSpeed, from a library caller, is held at MinSpeed:
// the schedule must not overflow into the past and send a session at once.
func TestScheduleTinySpeedDoesNotOverflow(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, speed := range []float64{1e-20, 1e-300, math.SmallestNonzeroFloat64} {
		t.Run(fmt.Sprint(speed), func(t *testing.T) {
			s := newSchedule(timing{speed: speed}, start)
			due, _ := s.next(time.Second)
			if want := start.Add(1000 * time.Second); !due.Equal(want) {
				t.Errorf("speed %g: a message at 1s is due %v after the start, want %v (MinSpeed)", speed, due.Sub(start), want.Sub(start))
			}
			if at := s.posAt(start.Add(time.Hour)); at < 0 {
				t.Errorf("speed %g: position after an hour %v", speed, at)
			}
		})
	}
	s := newSchedule(timing{speed: 0.001}, start) // MinSpeed
	due, _ := s.next(200 * 365 * 24 * time.Hour)  // 200 years at 1/1000 does not fit a Duration
	if due.Before(start) {
		t.Errorf("a far offset at MinSpeed is due %v, before the start", due)
	}
}

// The API refuses speeds outside MinSpeed..MaxSpeed (but 0 and "max"), and
// seeks no session could hold, for a live replay and for the next
// connection alike.
func TestAPIBounds(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	dial(t, ts, "/ws")
	waitReplay(t, ts, "r1")
	tests := []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "replays/r1/speed", `{"speed": 1e-300}`, 400, "speed"},
		{"POST", "replays/r1/speed", `{"speed": 0.0009}`, 400, "speed"},
		{"POST", "replays/r1/speed", `{"speed": 1001}`, 400, "speed"},
		{"POST", "replays/r1/speed", `{"speed": "1e-20"}`, 400, "speed"},
		{"POST", "replays/r1/speed", `{"speed": 0.001}`, 200, ""},
		{"POST", "replays/r1/speed", `{"speed": 1000}`, 200, ""},
		{"POST", "replays/r1/speed", `{"speed": "max"}`, 200, ""},
		{"POST", "replays/r1/speed", `{"speed": 0}`, 200, ""},
		{"PUT", "next", `{"speed": 1e-300}`, 400, "speed"},
		{"PUT", "next", `{"seek": {"percent": 1e308}}`, 400, "percent"},
		{"PUT", "next", `{"seek": {"percent": -1}}`, 400, "percent"},
		{"PUT", "next", `{"seek": {"offset_ns": -5}}`, 400, "offset_ns"},
		{"PUT", "next", `{"seek": {"seq": -1}}`, 400, "seq"},
		{"PUT", "next", `{"seek": {}}`, 400, "seq"},
		{"PUT", "next", `{"seek": {"seq": 2, "percent": 5}}`, 400, "seq"},
		{"PUT", "next", `{"session": "s1", "seek": {"offset_ns": 9223372036854775807}}`, 400, "offset"},
		{"PUT", "next", `{"session": "s1", "seek": {"seq": 11}}`, 400, "seq"},
		{"PUT", "next", `{"session": "s1", "seek": {"offset": "1h"}}`, 400, "offset"},
		{"PUT", "next", `{"session": "s1", "seek": {"percent": 50}, "speed": 1000}`, 200, ""},
		{"PUT", "next", `{"seek": {"seq": 4}}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			st, v := call(t, ts, tt.method, tt.path, tt.body)
			if st != tt.status {
				t.Errorf("status %d %v, want %d", st, v, tt.status)
			}
			if f, _ := v["field"].(string); st != http.StatusOK && f != tt.field {
				t.Errorf("field %q, want %q (%v)", f, tt.field, v)
			}
		})
	}
}
