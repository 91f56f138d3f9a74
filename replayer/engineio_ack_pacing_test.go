package replayer

import (
	"context"
	"math"
	"net/url"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// sioJoinSession is socketIOJoin's session in memory: a welcome at 3 ms,
// the client's emit of "join" at 10 ms, its ack answer at 15 ms, ticks at
// 35, 55 and 75 ms.
func sioJoinSession() *Session {
	s := session(
		msg(1, format.Send, `40`),
		msg(2, format.Receive, `40{"sid":"recorded"}`),
		msg(3, format.Receive, `42["welcome"]`),
		msg(10, format.Send, `420["join","lobby"]`),
		msg(15, format.Receive, `430[{"ok":true}]`),
		msg(35, format.Receive, `42["tick",1]`),
		msg(55, format.Receive, `42["tick",2]`),
		msg(75, format.Receive, `42["tick",3]`),
	)
	s.Kind, s.URL = format.KindSocketIO, "/socket.io/?EIO=4&transport=polling"
	s.EngineIO = &format.EngineIO{Version: 4, PingInterval: 25000, PingTimeout: 20000}
	return s
}

// playEIO plays sess under fake time as an Engine.IO replay on polling
// plays it; client lists the packets the live client sends, at offsets
// ("40" at once). It returns what the replay sent when, with its ack
// answers as they went out.
func playEIO(t *testing.T, srv *Server, sess *Session, client []arrival) []arrival {
	t.Helper()
	var got []arrival
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rp := &replayLife{ctx: ctx, cancel: cancel, ioCtx: ctx}
		u, _ := url.Parse(sess.URL)
		r := srv.newEIOReplay(rp, func() {}, sess, u, engineio.Query{Version: 4, Transport: "polling"}, srv.logger())
		accepted := time.Now()
		// What the replay queues for polling, taken as it comes (the
		// CONNECT answer left out).
		take := func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, pk := range r.queue {
				if s := string(pk.Data); s[:2] != "40" {
					got = append(got, arrival{time.Since(accepted), s})
				}
			}
			r.queue = nil
		}
		p := r.player()
		p.send = func(ctx context.Context, e *format.Event) error {
			err := r.play.send(ctx, e)
			take()
			return err
		}
		for _, c := range append([]arrival{{0, "40"}}, client...) {
			time.AfterFunc(c.at, func() {
				r.fromClient(engineio.Packet{Data: []byte(c.text)})
				take()
			})
		}
		time.AfterFunc(10*time.Second, cancel)
		if _, err := p.play(ctx, accepted); err != nil {
			t.Fatal(err)
		}
		take()
	})
	return got
}

// TestEngineIOAckPacing: a recorded ack answer goes no sooner than its
// recorded delay after the live client's emit, under the client's ack id,
// and never before its recorded time; what follows it waits behind it,
// then keeps the recorded clock (as echo.go does for every protocol).
func TestEngineIOAckPacing(t *testing.T) {
	const emit = `427["join","lobby"]`
	welcome, ack := `42["welcome"]`, `437[{"ok":true}]`
	tick := func(n int) string { return `42["tick",` + string(rune('0'+n)) + `]` }
	tests := []struct {
		name   string
		srv    *Server
		client []arrival
		want   []arrival
	}{
		{"client 300ms late", &Server{}, []arrival{{ms(310), emit}},
			[]arrival{{ms(3), welcome}, {ms(315), ack}, {ms(315), tick(1)}, {ms(315), tick(2)}, {ms(315), tick(3)}}},
		{"client a little late", &Server{}, []arrival{{ms(40), emit}},
			[]arrival{{ms(3), welcome}, {ms(45), ack}, {ms(45), tick(1)}, {ms(55), tick(2)}, {ms(75), tick(3)}}},
		{"client early keeps the recorded clock", &Server{}, []arrival{{ms(5), emit}},
			[]arrival{{ms(3), welcome}, {ms(15), ack}, {ms(35), tick(1)}, {ms(55), tick(2)}, {ms(75), tick(3)}}},
		{"no emit, no ack, nothing after it", &Server{}, nil,
			[]arrival{{ms(3), welcome}}},
		{"speed 2", &Server{Speed: 2}, []arrival{{ms(300), emit}},
			[]arrival{{time.Duration(1.5 * float64(time.Millisecond)), welcome}, {ms(300) + 2500*time.Microsecond, ack},
				{ms(300) + 2500*time.Microsecond, tick(1)}, {ms(300) + 2500*time.Microsecond, tick(2)}, {ms(300) + 2500*time.Microsecond, tick(3)}}},
		{"speed max", &Server{Speed: math.Inf(1)}, []arrival{{ms(300), emit}},
			[]arrival{{0, welcome}, {ms(300), ack}, {ms(300), tick(1)}, {ms(300), tick(2)}, {ms(300), tick(3)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := playEIO(t, tt.srv, sioJoinSession(), tt.client)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}
