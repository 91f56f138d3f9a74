package replayer

import (
	"context"
	"math"
	"net/url"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// playEcho plays sess under fake time as a WebSocket replay plays it,
// with its protocol's replies held for the client (echo.go): client lists
// the messages the live client sends, at offsets, cmds the live-control
// commands. It returns what was sent when.
func playEcho(t *testing.T, srv *Server, sess *Session, client []arrival, cmds []command, stopAfter time.Duration) []arrival {
	t.Helper()
	var got []arrival
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		accepted := time.Now()
		var mu sync.Mutex
		ctl := newControl(srv.Speed, srv.Paused)
		u, _ := url.Parse(sess.URL)
		x := newEcho(srv.detector(sess, u, ""), srv.Wait)
		p := &player{cfg: srv.timing(), session: sess, client: newClientLog(), log: srv.logger(), ctl: ctl, echo: x,
			send: func(_ context.Context, e *format.Event) error {
				mu.Lock()
				got = append(got, arrival{time.Since(accepted), string(e.Data)})
				mu.Unlock()
				return nil
			}}
		for _, c := range client {
			time.AfterFunc(c.at, func() {
				p.client.add([]byte(c.text))
				now := time.Now()
				x.live(protocol.Message{Dir: format.Send, Data: []byte(c.text)}, came{at: now, held: ctl.heldFor(now)})
			})
		}
		for _, c := range cmds {
			time.AfterFunc(c.at, func() {
				if err := c.do(ctl); err != nil {
					t.Errorf("command at %v: %v", c.at, err)
				}
			})
		}
		time.AfterFunc(stopAfter, cancel)
		if _, err := p.play(ctx, accepted); err != nil {
			t.Fatal(err)
		}
	})
	return got
}

// gqlSession is a graphql-transport-ws session: a subscribe at 1 s
// answered 50 ms and 300 ms later, and a message that answers nothing
// between the two answers.
func gqlSession() *Session {
	s := session(
		msg(100, format.Receive, `{"type":"connection_ack"}`),
		msg(1000, format.Send, `{"id":"r1","type":"subscribe","payload":{"query":"subscription S { s }"}}`),
		msg(1050, format.Receive, `{"id":"r1","type":"next","payload":{"data":{"s":1}}}`),
		msg(1200, format.Receive, `news`),
		msg(1300, format.Receive, `{"id":"r1","type":"next","payload":{"data":{"s":2}}}`),
	)
	s.Subprotocol = "graphql-transport-ws"
	return s
}

const (
	liveSub = `{"type":"subscribe","id":"L1","payload":{"query":"subscription S { s }"}}`
	ack     = `{"type":"connection_ack"}`
	recN1   = `{"id":"r1","type":"next","payload":{"data":{"s":1}}}`
	liveN1  = `{"id":"L1","type":"next","payload":{"data":{"s":1}}}`
	liveN2  = `{"id":"L1","type":"next","payload":{"data":{"s":2}}}`
)

// TestRepliesWaitForRequests: a recorded reply goes no sooner than its
// recorded delay after the live client's request, with the client's id,
// and what comes after it waits behind it; a message that answers nothing
// keeps the recorded clock; with --speed, pause, step and seek.
func TestRepliesWaitForRequests(t *testing.T) {
	tests := []struct {
		name   string
		srv    *Server
		client []arrival
		cmds   []command
		want   []arrival
	}{
		{"client 300ms late", &Server{}, []arrival{{ms(1300), liveSub}},
			nil, []arrival{{ms(100), ack}, {ms(1350), liveN1}, {ms(1350), "news"}, {ms(1600), liveN2}}},
		{"client early keeps the recorded clock", &Server{}, []arrival{{ms(500), liveSub}},
			nil, []arrival{{ms(100), ack}, {ms(1050), liveN1}, {ms(1200), "news"}, {ms(1300), liveN2}}},
		{"no request, no reply", &Server{}, nil,
			nil, []arrival{{ms(100), ack}}},
		{"speed 2", &Server{Speed: 2}, []arrival{{ms(1000), liveSub}},
			nil, []arrival{{ms(50), ack}, {ms(1025), liveN1}, {ms(1025), "news"}, {ms(1150), liveN2}}},
		{"speed max", &Server{Speed: math.Inf(1)}, []arrival{{ms(1300), liveSub}},
			nil, []arrival{{0, ack}, {ms(1300), liveN1}, {ms(1300), "news"}, {ms(1300), liveN2}}},
		{"a pause after the request does not count", &Server{}, []arrival{{ms(1300), liveSub}},
			[]command{{ms(1310), pause}, {ms(2310), resume}},
			[]arrival{{ms(100), ack}, {ms(2350), liveN1}, {ms(2460), "news"}, {ms(2600), liveN2}}},
		{"request while paused", &Server{}, []arrival{{ms(1500), liveSub}},
			[]command{{ms(1200), pause}, {ms(3000), resume}},
			// The pause began with the replay at the held reply: what
			// follows it keeps its distance from it.
			[]arrival{{ms(100), ack}, {ms(3050), liveN1}, {ms(3150), "news"}, {ms(3300), liveN2}}},
		{"step sends a held reply as recorded", &Server{}, nil,
			[]command{{ms(2000), step(1)}},
			[]arrival{{ms(100), ack}, {ms(2000), recN1}}},
		{"seek sends held replies on; the target waits", &Server{}, []arrival{{ms(2500), liveSub}},
			[]command{{ms(2000), seekSeq(5)}},
			[]arrival{{ms(100), ack}, {ms(2000), recN1}, {ms(2000), "news"}, {ms(2800), liveN2}}},
		{"--protocol none plays the tape", &Server{Protocol: protocol.NoProtocol}, nil,
			nil, []arrival{{ms(100), ack}, {ms(1050), recN1}, {ms(1200), "news"}, {ms(1300), `{"id":"r1","type":"next","payload":{"data":{"s":2}}}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := playEcho(t, tt.srv, gqlSession(), tt.client, tt.cmds, 10*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestHeldReplyShowsWaiting: while a reply waits for its request, the
// replay's state is "waiting"; once it is sent, "playing" again.
func TestHeldReplyShowsWaiting(t *testing.T) {
	var states []string
	look := func(c *control) error {
		c.mu.Lock()
		states = append(states, c.state)
		c.mu.Unlock()
		return nil
	}
	cmds := []command{{ms(500), look}, {ms(1100), look}, {ms(1250), look}, {ms(1400), look}}
	playEcho(t, &Server{}, gqlSession(), []arrival{{ms(1200), liveSub}}, cmds, 5*time.Second)
	if want := []string{"playing", "waiting", "playing", "playing"}; !slices.Equal(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
}

// TestWaitPairsByContent: with --wait and a protocol that tells requests
// apart, a recorded request waits for the live request that is the same
// one, not for the client's next message: a request the recording lacks
// does not release what was recorded after another.
func TestWaitPairsByContent(t *testing.T) {
	sess := session(
		msg(0, format.Send, `{"type":"connection_init"}`),
		msg(10, format.Receive, ack),
		msg(1000, format.Send, `{"id":"r1","type":"subscribe","payload":{"query":"{a}"}}`),
		msg(1100, format.Receive, `{"id":"r1","type":"next","payload":{"data":{"a":1}}}`),
		msg(1500, format.Receive, "news"),
	)
	sess.Subprotocol = "graphql-transport-ws"
	client := []arrival{{0, `{"type":"connection_init"}`},
		{ms(200), `{"id":"x","type":"subscribe","payload":{"query":"{unrecorded}"}}`},
		{ms(3000), `{"id":"L1","type":"subscribe","payload":{"query":"{a}"}}`}}
	got := playEcho(t, &Server{Wait: true}, sess, client, nil, 10*time.Second)
	want := []arrival{{ms(10), ack}, {ms(3100), `{"id":"L1","type":"next","payload":{"data":{"a":1}}}`}, {ms(3500), "news"}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

// TestEchoDetectsByFirstMessages: a session with no subprotocol whose
// first messages show graphql-transport-ws still has its replies follow
// the client, the client's request coming before the player has seen
// enough to tell.
func TestEchoDetectsByFirstMessages(t *testing.T) {
	sess := session(
		msg(0, format.Send, `{"type":"connection_init"}`),
		msg(10, format.Receive, ack),
		msg(1000, format.Send, `{"id":"r1","type":"subscribe","payload":{"query":"{a}"}}`),
		msg(1100, format.Receive, `{"id":"r1","type":"next","payload":{"data":{"a":1}}}`),
	)
	client := []arrival{{0, `{"type":"connection_init"}`}, {ms(500), `{"id":"L1","type":"subscribe","payload":{"query":"{a}"}}`}}
	got := playEcho(t, &Server{}, sess, client, nil, 5*time.Second)
	want := []arrival{{ms(10), ack}, {ms(1100), `{"id":"L1","type":"next","payload":{"data":{"a":1}}}`}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}
