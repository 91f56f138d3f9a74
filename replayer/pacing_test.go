package replayer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

var rec0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// msg is a recorded message at offset ms.
func msg(ms int, dir format.Dir, text string) *format.Event {
	return &format.Event{Type: format.TypeMessage, Session: "s", Time: rec0.Add(time.Duration(ms) * time.Millisecond),
		Dir: dir, Opcode: format.Text, Data: []byte(text)}
}

func closeAt(ms, code int, clean bool) *format.Event {
	return &format.Event{Type: format.TypeClose, Session: "s", Time: rec0.Add(time.Duration(ms) * time.Millisecond),
		By: format.ByServer, Code: code, Reason: "bye", Clean: clean}
}

func session(evs ...*format.Event) *Session {
	head := &format.Event{Type: format.TypeSession, Version: 1, Session: "s", Time: rec0, URL: "/"}
	return &Session{ID: "s", URL: "/", events: append([]*format.Event{head}, evs...)}
}

// arrival is a message as the fake client saw it.
type arrival struct {
	at   time.Duration // since accept
	text string
}

func (a arrival) String() string { return fmt.Sprintf("%s@%v", a.text, a.at) }

// playFake plays sess under fake time and returns what was sent when, and
// how it ended. client lists messages the client sends, at offsets.
func playFake(t *testing.T, srv *Server, sess *Session, client []arrival, stopAfter time.Duration) ([]arrival, ending) {
	t.Helper()
	return playFakeCtl(t, srv, sess, client, nil, stopAfter)
}

// playFakeCtl is playFake that sets *ctl, if ctl is not nil, to the
// replay's live control (made in the bubble, as its channels must be).
func playFakeCtl(t *testing.T, srv *Server, sess *Session, client []arrival, ctl **control, stopAfter time.Duration) ([]arrival, ending) {
	t.Helper()
	var got []arrival
	var end ending
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		accepted := time.Now()
		var mu sync.Mutex
		var c *control
		if ctl != nil {
			c = newControl(srv.Speed, srv.Paused)
			*ctl = c
		}
		p := &player{cfg: srv.timing(), session: sess, client: newClientLog(), log: srv.logger(), ctl: c,
			send: func(_ context.Context, e *format.Event) error {
				mu.Lock()
				got = append(got, arrival{time.Since(accepted), string(e.Data)})
				mu.Unlock()
				return nil
			}}
		for _, c := range client {
			time.AfterFunc(c.at, func() { p.client.add([]byte(c.text)) })
		}
		if stopAfter > 0 {
			time.AfterFunc(stopAfter, cancel)
		}
		var err error
		end, err = p.play(ctx, accepted)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
	})
	return got, end
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPacing(t *testing.T) {
	base := []*format.Event{msg(100, format.Receive, "a"), msg(1100, format.Receive, "b"), msg(6100, format.Receive, "c")}
	tests := []struct {
		name string
		srv  *Server
		want []arrival
	}{
		{"speed 1", &Server{}, []arrival{{ms(100), "a"}, {ms(1100), "b"}, {ms(6100), "c"}}},
		{"speed 2", &Server{Speed: 2}, []arrival{{ms(50), "a"}, {ms(550), "b"}, {ms(3050), "c"}}},
		{"speed 0.5", &Server{Speed: 0.5}, []arrival{{ms(200), "a"}, {ms(2200), "b"}, {ms(12200), "c"}}},
		{"speed max", &Server{Speed: math.Inf(1)}, []arrival{{0, "a"}, {0, "b"}, {0, "c"}}},
		{"max gap", &Server{MaxGap: time.Second}, []arrival{{ms(100), "a"}, {ms(1100), "b"}, {ms(2100), "c"}}},
		{"max gap at speed 2", &Server{MaxGap: time.Second, Speed: 2}, []arrival{{ms(50), "a"}, {ms(550), "b"}, {ms(1050), "c"}}},
		{"from", &Server{From: ms(1000)}, []arrival{{0, "a"}, {ms(100), "b"}, {ms(5100), "c"}}},
		{"from, drop before", &Server{From: ms(1000), DropBefore: true}, []arrival{{ms(100), "b"}, {ms(5100), "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, end := playFake(t, tt.srv, session(base...), nil, 20*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if end.kind != endClientGone {
				t.Errorf("ended %v, want the connection kept open until the client left", end.kind)
			}
		})
	}
}

// Each message is scheduled against the accept instant: a slow send does not
// push the later ones back.
func TestNoDrift(t *testing.T) {
	var evs []*format.Event
	for i := range 1000 {
		evs = append(evs, msg(i*10, format.Receive, "x"))
	}
	var got []time.Duration
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		accepted := time.Now()
		p := &player{cfg: timing{}, session: session(evs...), client: newClientLog(), log: (&Server{}).logger(),
			send: func(context.Context, *format.Event) error {
				got = append(got, time.Since(accepted))
				time.Sleep(3 * time.Millisecond) // every send takes time
				return nil
			}}
		time.AfterFunc(20*time.Second, cancel)
		p.play(ctx, accepted)
	})
	if len(got) != 1000 {
		t.Fatalf("sent %d, want 1000", len(got))
	}
	if last := got[999]; last != ms(9990) {
		t.Errorf("last message at %v, want 9.99s: drift", last)
	}
}

func TestEndings(t *testing.T) {
	tests := []struct {
		name     string
		srv      *Server
		evs      []*format.Event
		wantEnd  ending
		wantLast arrival
	}{
		{"recorded clean close", &Server{}, []*format.Event{msg(100, format.Receive, "a"), closeAt(500, 4001, true)},
			ending{kind: endClose, code: 4001, reason: "bye"}, arrival{ms(100), "a"}},
		{"recorded drop", &Server{}, []*format.Event{msg(100, format.Receive, "a"), closeAt(500, 1006, false)},
			ending{kind: endDrop, code: 1006}, arrival{ms(100), "a"}},
		{"recorded close by the client stays open", &Server{}, []*format.Event{msg(100, format.Receive, "a"),
			{Type: format.TypeClose, Session: "s", Time: rec0.Add(ms(500)), By: format.ByClient, Code: 1000, Clean: true}},
			ending{kind: endClientGone}, arrival{ms(100), "a"}},
		{"drop-at", &Server{DropAt: ms(1500)}, []*format.Event{msg(1000, format.Receive, "a"), msg(2000, format.Receive, "b")},
			ending{kind: endDrop, code: 1006, fault: true}, arrival{ms(1000), "a"}},
		{"close-at", &Server{CloseAt: ms(1500), CloseCode: 4000, CloseReason: "test"}, []*format.Event{msg(1000, format.Receive, "a"), msg(2000, format.Receive, "b")},
			ending{kind: endClose, code: 4000, reason: "test", fault: true}, arrival{ms(1000), "a"}},
		{"hang-at", &Server{HangAt: ms(1500)}, []*format.Event{msg(1000, format.Receive, "a"), msg(2000, format.Receive, "b"), closeAt(3000, 1000, true)},
			ending{kind: endHang, fault: true}, arrival{ms(1000), "a"}},
		{"fault after a session with no ending", &Server{DropAt: ms(5000)}, []*format.Event{msg(1000, format.Receive, "a")},
			ending{kind: endDrop, code: 1006, fault: true}, arrival{ms(1000), "a"}},
		{"fault at speed 2 is wall time", &Server{Speed: 2, CloseAt: ms(1500)}, []*format.Event{msg(2000, format.Receive, "a"), msg(4000, format.Receive, "b")},
			ending{kind: endClose, code: 1000, fault: true}, arrival{ms(1000), "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, end := playFake(t, tt.srv, session(tt.evs...), nil, time.Minute)
			if end != tt.wantEnd {
				t.Errorf("ended %+v, want %+v", end, tt.wantEnd)
			}
			if len(got) == 0 || got[len(got)-1] != tt.wantLast {
				t.Errorf("sent %v, want the last to be %v", got, tt.wantLast)
			}
		})
	}
}

func TestLoop(t *testing.T) {
	got, _ := playFake(t, &Server{Loop: true}, session(msg(100, format.Receive, "a"), msg(300, format.Receive, "b"), closeAt(400, 1000, true)), nil, ms(1000))
	want := []arrival{{ms(100), "a"}, {ms(300), "b"}, {ms(500), "a"}, {ms(700), "b"}, {ms(900), "a"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWait(t *testing.T) {
	// Recorded: the client subscribed at 1s, the server answered 200ms
	// later and again 1s after that.
	sess := session(msg(100, format.Receive, "hello"), msg(1000, format.Send, "sub"),
		msg(1200, format.Receive, "ack"), msg(2200, format.Receive, "tick"))
	// This client subscribes only at 5s.
	got, _ := playFake(t, &Server{Wait: true}, sess, []arrival{{ms(5000), "sub"}}, 10*time.Second)
	want := []arrival{{ms(100), "hello"}, {ms(5200), "ack"}, {ms(6200), "tick"}}
	if !slices.Equal(got, want) {
		t.Errorf("client late: got %v, want %v", got, want)
	}
	// This one subscribes early: timing resumes from its message.
	got, _ = playFake(t, &Server{Wait: true}, sess, []arrival{{ms(300), "sub"}}, 10*time.Second)
	want = []arrival{{ms(100), "hello"}, {ms(500), "ack"}, {ms(1500), "tick"}}
	if !slices.Equal(got, want) {
		t.Errorf("client early: got %v, want %v", got, want)
	}
	// Without --wait, the client's timing does not matter.
	got, _ = playFake(t, &Server{}, sess, []arrival{{ms(5000), "sub"}}, 10*time.Second)
	want = []arrival{{ms(100), "hello"}, {ms(1200), "ack"}, {ms(2200), "tick"}}
	if !slices.Equal(got, want) {
		t.Errorf("no wait: got %v, want %v", got, want)
	}
}

func TestHeartbeatsLeftOut(t *testing.T) {
	sess := session(msg(100, format.Receive, "a"), msg(1000, format.Send, "PING"), msg(1010, format.Receive, "PONG"),
		msg(1500, format.Send, "sub"), msg(1600, format.Receive, "ack"))
	srv := &Server{Wait: true, Heartbeats: []Heartbeat{{"PING", "PONG"}}}
	// The client's first real message is "sub": it must release "ack",
	// and the recorded PONG must not be sent.
	got, _ := playFake(t, srv, sess, []arrival{{ms(2000), "sub"}}, 5*time.Second)
	want := []arrival{{ms(100), "a"}, {ms(2100), "ack"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The fine clock wakes every waiter, in order, never early.
func TestFineClock(t *testing.T) {
	var c fineClock
	start := time.Now()
	var dues []time.Time
	var chans []<-chan struct{}
	for _, us := range []int{1500, 300, 900, 0, 1200, 600} {
		due := start.Add(time.Duration(us) * time.Microsecond)
		dues = append(dues, due)
		chans = append(chans, c.at(due))
	}
	for i, ch := range chans {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("waiter %d never woke", i)
		}
		if now := time.Now(); now.Before(dues[i]) {
			t.Errorf("waiter %d woke %v early", i, dues[i].Sub(now))
		}
	}
}

// Under --wait, a client message that differs from the recording is one
// line naming the session once, with both payloads as bounded text or hex
// (a binary message is never written raw into the log).
func TestWaitDifferenceLogged(t *testing.T) {
	sess := session(msg(1000, format.Send, "sub"), msg(1200, format.Receive, "ack"))
	var logs bytes.Buffer
	var mu sync.Mutex
	srv := &Server{Wait: true, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil)).With("session", "s1")}
	playFake(t, srv, sess, []arrival{{ms(500), "\x00\x01\xfe\xff"}}, 5*time.Second)
	mu.Lock()
	defer mu.Unlock()
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "client message differs") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no difference logged:\n%s", logs.String())
	}
	if n := strings.Count(line, "session="); n != 1 {
		t.Errorf("session= %d times in %q", n, line)
	}
	if !strings.Contains(line, `got="hex 00 01 fe ff"`) || !strings.Contains(line, "recorded=sub") || strings.ContainsAny(line, "\x00\ufffd") {
		t.Errorf("want the binary message as hex and the recorded text: %q", line)
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
