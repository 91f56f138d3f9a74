package replayer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

// Latency delays every message by the same amount: the schedule keeps its
// shape, shifted.
func TestLinkLatency(t *testing.T) {
	evs := []*format.Event{msg(100, format.Receive, "a"), msg(1100, format.Receive, "b"), msg(1100, format.Receive, "c")}
	got, _ := playFake(t, &Server{Link: &fault.Link{Latency: ms(200)}}, session(evs...), nil, 5*time.Second)
	want := []arrival{{ms(300), "a"}, {ms(1300), "b"}, {ms(1300), "c"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Under jitter larger than the gaps, messages still arrive in their order,
// each within latency±jitter of its time or right after the one before.
func TestLinkJitterKeepsOrder(t *testing.T) {
	var evs []*format.Event
	for i := range 200 {
		evs = append(evs, msg(i*10, format.Receive, fmt.Sprint(i)))
	}
	link := &fault.Link{Latency: ms(200), Jitter: ms(50)}
	got, _ := playFake(t, &Server{Link: link}, session(evs...), nil, 10*time.Second)
	if len(got) != 200 {
		t.Fatalf("got %d messages, want 200", len(got))
	}
	var prev time.Duration
	varied := false
	for i, a := range got {
		if a.text != fmt.Sprint(i) {
			t.Fatalf("message %d arrived as %s: order lost", i, a.text)
		}
		due := ms(i * 10)
		if a.at < prev || a.at < due+ms(150) || a.at > max(due+ms(250), prev) {
			t.Fatalf("message %d at %v: want within %v±50ms, not before %v", i, a.at, due+ms(200), prev)
		}
		if a.at != due+ms(200) {
			varied = true
		}
		prev = a.at
	}
	if !varied {
		t.Fatal("every message arrived exactly 200ms late: no jitter")
	}
}

// A large message holds the small ones behind it on a slow link; they
// arrive bunched, together, once it is through.
func TestLinkBandwidthBunches(t *testing.T) {
	evs := []*format.Event{msg(0, format.Receive, strings.Repeat("x", 1000))}
	for i := 1; i <= 9; i++ {
		evs = append(evs, msg(i*100, format.Receive, fmt.Sprint(i)))
	}
	evs = append(evs, msg(3000, format.Receive, "late"))
	got, _ := playFake(t, &Server{Link: &fault.Link{Bandwidth: 1000}}, session(evs...), nil, 5*time.Second)
	if len(got) != 11 {
		t.Fatalf("got %v, want 11 messages", got)
	}
	if got[0].at != time.Second {
		t.Errorf("the 1000-byte message at 1000 B/s arrived at %v, want 1s", got[0].at)
	}
	// Recorded 100 ms apart; each small one takes 1 ms on the wire.
	first, last := got[1].at, got[9].at
	if first != time.Second+ms(1) || last-first != ms(8) {
		t.Errorf("the 9 queued messages arrived from %v over %v, want from 1.001s over 8ms (bunched)", first, last-first)
	}
	if got[10].at != ms(3004) {
		t.Errorf("a message after the queue drained arrived at %v, want 3.004s (its own time and its 4 bytes)", got[10].at)
	}
}

// During a stall nothing arrives; at its end the backlog arrives at once,
// and the messages after it keep their times.
func TestLinkStallBacklog(t *testing.T) {
	var evs []*format.Event
	for i := range 10 {
		evs = append(evs, msg(i*500, format.Receive, fmt.Sprint(i)))
	}
	link := &fault.Link{Stalls: []fault.Stall{{At: time.Second, For: 2 * time.Second}}}
	got, _ := playFake(t, &Server{Link: link}, session(evs...), nil, 10*time.Second)
	var want []arrival
	for i := range 10 {
		at := ms(i * 500)
		if at >= time.Second && at < 3*time.Second {
			at = 3 * time.Second
		}
		want = append(want, arrival{at, fmt.Sprint(i)})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// The link's faults change live: set at 1 s, the latency applies to the
// messages due from then on.
func TestLinkLive(t *testing.T) {
	evs := []*format.Event{msg(500, format.Receive, "a"), msg(1500, format.Receive, "b"), msg(2500, format.Receive, "c")}
	var got []arrival
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		accepted := time.Now()
		ctl := newControl(1, false)
		p := &player{cfg: timing{}, session: session(evs...), client: newClientLog(), log: (&Server{}).logger(), ctl: ctl,
			send: func(_ context.Context, e *format.Event) error {
				got = append(got, arrival{time.Since(accepted), string(e.Data)})
				return nil
			}}
		time.AfterFunc(time.Second, func() { ctl.setFaults(&fault.Link{Latency: ms(300)}, nil) })
		time.AfterFunc(2*time.Second, func() { ctl.setFaults(nil, nil) })
		time.AfterFunc(5*time.Second, cancel)
		p.play(ctx, accepted)
	})
	want := []arrival{{ms(500), "a"}, {ms(1800), "b"}, {ms(2500), "c"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
