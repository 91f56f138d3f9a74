package replayer

import (
	"context"
	"math"
	"regexp"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// command is a live-control command given at an offset from the accept.
type command struct {
	at time.Duration
	do func(*control) error
}

// playSteered plays sess under fake time, giving the commands at their
// moments, and returns what was sent when and how the replay ended.
func playSteered(t *testing.T, srv *Server, sess *Session, cmds []command, client []arrival, stopAfter time.Duration) ([]arrival, ending) {
	t.Helper()
	var got []arrival
	var end ending
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		accepted := time.Now()
		var mu sync.Mutex
		ctl := newControl(srv.Speed, srv.Paused)
		p := &player{cfg: srv.timing(), session: sess, client: newClientLog(), log: srv.logger(), ctl: ctl,
			send: func(_ context.Context, e *format.Event) error {
				mu.Lock()
				got = append(got, arrival{time.Since(accepted), string(e.Data)})
				mu.Unlock()
				return nil
			}}
		for _, c := range client {
			time.AfterFunc(c.at, func() { p.client.add([]byte(c.text)) })
		}
		for _, c := range cmds {
			time.AfterFunc(c.at, func() {
				if err := c.do(ctl); err != nil {
					t.Errorf("command at %v: %v", c.at, err)
				}
			})
		}
		time.AfterFunc(stopAfter, cancel)
		var err error
		end, err = p.play(ctx, accepted)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
	})
	return got, end
}

func pause(c *control) error  { return c.setPaused(true) }
func resume(c *control) error { return c.setPaused(false) }
func step(n int) func(*control) error {
	return func(c *control) error { return c.stepBy(&stepCmd{count: n}) }
}
func seekSeq(seq int) func(*control) error {
	return func(c *control) error { return c.seekTo(&seekTarget{seq: seq}) }
}
func speed(x float64) func(*control) error { return func(c *control) error { return c.setSpeed(x) } }

func TestControl(t *testing.T) {
	abcd := []*format.Event{msg(100, format.Receive, "a"), msg(1100, format.Receive, "b"),
		msg(2100, format.Receive, "c"), msg(3100, format.Receive, "d")}
	tests := []struct {
		name string
		srv  *Server
		cmds []command
		want []arrival
	}{
		{"a pause shifts what follows by its length", &Server{}, []command{{ms(500), pause}, {ms(2500), resume}},
			[]arrival{{ms(100), "a"}, {ms(3100), "b"}, {ms(4100), "c"}, {ms(5100), "d"}}},
		{"a pause at speed 2", &Server{Speed: 2}, []command{{ms(300), pause}, {ms(1300), resume}},
			[]arrival{{ms(50), "a"}, {ms(1550), "b"}, {ms(2050), "c"}, {ms(2550), "d"}}},
		{"speed re-bases at the current position", &Server{}, []command{{ms(600), speed(2)}},
			[]arrival{{ms(100), "a"}, {ms(850), "b"}, {ms(1350), "c"}, {ms(1850), "d"}}},
		{"speed max sends the rest at once", &Server{}, []command{{ms(600), speed(math.Inf(1))}},
			[]arrival{{ms(100), "a"}, {ms(600), "b"}, {ms(600), "c"}, {ms(600), "d"}}},
		{"speed back from max keeps the gaps", &Server{Speed: math.Inf(1), Paused: true},
			[]command{{ms(100), step(1)}, {ms(200), speed(1)}, {ms(300), resume}},
			[]arrival{{ms(100), "a"}, {ms(1300), "b"}, {ms(2300), "c"}, {ms(3300), "d"}}},
		{"--paused, steps, then resume", &Server{Paused: true}, []command{{ms(1000), step(1)}, {ms(5000), step(1)}, {ms(6000), resume}},
			[]arrival{{ms(1000), "a"}, {ms(5000), "b"}, {ms(7000), "c"}, {ms(8000), "d"}}},
		{"a step of two", &Server{Paused: true}, []command{{ms(1000), step(2)}, {ms(9000), resume}},
			[]arrival{{ms(1000), "a"}, {ms(1000), "b"}, {ms(10000), "c"}, {ms(11000), "d"}}},
		{"step until a pattern", &Server{Paused: true}, []command{{ms(1000), func(c *control) error {
			return c.stepBy(&stepCmd{until: regexp.MustCompile("^c$")})
		}}, {ms(2000), resume}}, []arrival{{ms(1000), "a"}, {ms(1000), "b"}, {ms(1000), "c"}, {ms(3000), "d"}}},
		{"a step while playing pauses", &Server{}, []command{{ms(200), step(1)}, {ms(5000), resume}},
			[]arrival{{ms(100), "a"}, {ms(200), "b"}, {ms(6000), "c"}, {ms(7000), "d"}}},
		{"seek forward while playing", &Server{}, []command{{ms(200), seekSeq(3)}},
			[]arrival{{ms(100), "a"}, {ms(200), "b"}, {ms(200), "c"}, {ms(1200), "d"}}},
		{"seek forward while paused stays paused", &Server{Paused: true}, []command{{ms(500), seekSeq(3)}, {ms(1000), resume}},
			[]arrival{{ms(500), "a"}, {ms(500), "b"}, {ms(1000), "c"}, {ms(2000), "d"}}},
		{"seek to an offset", &Server{}, []command{{ms(200), func(c *control) error {
			return c.seekTo(&seekTarget{off: ms(1600), byOff: true})
		}}}, []arrival{{ms(100), "a"}, {ms(200), "b"}, {ms(700), "c"}, {ms(1700), "d"}}},
		{"inject", &Server{}, []command{{ms(500), func(c *control) error {
			return c.inject([]*format.Event{&format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte("x")}})
		}}}, []arrival{{ms(100), "a"}, {ms(500), "x"}, {ms(1100), "b"}, {ms(2100), "c"}, {ms(3100), "d"}}},
		{"inject while paused, after the session", &Server{}, []command{{ms(2200), pause}, {ms(3000), func(c *control) error {
			return c.inject([]*format.Event{&format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte("x")}})
		}}, {ms(3500), resume}, {ms(9000), func(c *control) error {
			return c.inject([]*format.Event{&format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte("y")}})
		}}}, []arrival{{ms(100), "a"}, {ms(1100), "b"}, {ms(2100), "c"}, {ms(3000), "x"}, {ms(4400), "d"}, {ms(9000), "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, end := playSteered(t, tt.srv, session(abcd...), tt.cmds, nil, 20*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			if end.kind != endClientGone {
				t.Errorf("ended %v, want the connection kept open until the client left", end.kind)
			}
		})
	}
}

func TestControlEndings(t *testing.T) {
	evs := []*format.Event{msg(100, format.Receive, "a"), msg(1100, format.Receive, "b")}
	tests := []struct {
		name    string
		cmd     command
		wantEnd ending
		want    []arrival
	}{
		{"drop", command{ms(500), func(c *control) error { return c.endWith(ending{kind: endDrop, code: 1006, fault: true}) }},
			ending{kind: endDrop, code: 1006, fault: true}, []arrival{{ms(100), "a"}}},
		{"close", command{ms(500), func(c *control) error {
			return c.endWith(ending{kind: endClose, code: 4000, reason: "r", fault: true})
		}}, ending{kind: endClose, code: 4000, reason: "r", fault: true}, []arrival{{ms(100), "a"}}},
		{"hang", command{ms(500), func(c *control) error { return c.endWith(ending{kind: endHang, fault: true}) }},
			ending{kind: endHang, fault: true}, []arrival{{ms(100), "a"}}},
		{"close after the session", command{ms(5000), func(c *control) error {
			return c.endWith(ending{kind: endClose, code: 1000, fault: true})
		}}, ending{kind: endClose, code: 1000, fault: true}, []arrival{{ms(100), "a"}, {ms(1100), "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, end := playSteered(t, &Server{}, session(evs...), []command{tt.cmd}, nil, 20*time.Second)
			if end != tt.wantEnd {
				t.Errorf("ended %+v, want %+v", end, tt.wantEnd)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A --wait gate yields to a step and to a seek: the replay goes on without
// the client's message.
func TestControlOverridesWait(t *testing.T) {
	sess := session(msg(100, format.Receive, "hello"), msg(1000, format.Send, "sub"),
		msg(1200, format.Receive, "ack"), msg(2200, format.Receive, "tick"))
	got, _ := playSteered(t, &Server{Wait: true}, sess, []command{{ms(3000), step(1)}, {ms(4000), resume}}, nil, 10*time.Second)
	want := []arrival{{ms(100), "hello"}, {ms(3000), "ack"}, {ms(5000), "tick"}}
	if !slices.Equal(got, want) {
		t.Errorf("step: got %v, want %v", got, want)
	}
	got, _ = playSteered(t, &Server{Wait: true}, sess, []command{{ms(3000), seekSeq(3)}}, nil, 10*time.Second)
	want = []arrival{{ms(100), "hello"}, {ms(3000), "ack"}, {ms(4000), "tick"}}
	if !slices.Equal(got, want) {
		t.Errorf("seek: got %v, want %v", got, want)
	}
}

// What the control reports while the replay runs: state, position, next.
func TestControlReports(t *testing.T) {
	sess := session(msg(100, format.Receive, "a"), msg(200, format.Send, "q"), msg(1100, format.Receive, "b"))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctl := newControl(1, true)
		p := &player{cfg: timing{}, session: sess, client: newClientLog(), log: (&Server{}).logger(), ctl: ctl,
			send: func(context.Context, *format.Event) error { return nil }}
		done := make(chan struct{})
		go func() { p.play(ctx, time.Now()); close(done) }()
		synctest.Wait()
		ctl.mu.Lock()
		if ctl.state != "paused" || ctl.next.seq != 1 || ctl.pos.seq != 0 {
			t.Errorf("at start: state %s, next %d, pos %d; want paused, next 1, pos 0", ctl.state, ctl.next.seq, ctl.pos.seq)
		}
		ctl.mu.Unlock()
		ctl.stepBy(&stepCmd{count: 1, dir: "both"})
		synctest.Wait()
		ctl.mu.Lock()
		if ctl.pos.seq != 1 || ctl.next.seq != 2 || ctl.sent != 1 || ctl.next.off != ms(200) || ctl.next.dir != format.Send {
			t.Errorf("after a step: pos %d, next %+v, sent %d; want pos 1, next 2 (send at 200ms), sent 1", ctl.pos.seq, ctl.next, ctl.sent)
		}
		ctl.mu.Unlock()
		cancel()
		<-done
	})
}
