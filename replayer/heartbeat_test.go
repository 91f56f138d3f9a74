package replayer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
	"github.com/wsreplay/wsreplay/replayer/replayertest"
)

// These tests play recordings of protocols with heartbeats to a real
// coder/websocket client over in-memory connections, under
// testing/synctest: minutes of fake time, exact instants, no real waiting.

var beat0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// line is a recorded message at offset ms: client to server when send.
type line struct {
	ms   int
	send bool
	text string
}

// recordBeats writes a recording of one session, "s" on /ws, of the
// subprotocol sub, with lines and, if close is set, the server's clean
// close with code 4400 at closeMS.
func recordBeats(tb testing.TB, sub string, lines []line, closeMS int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "beats.ndjson")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := format.NewWriter(f, nil)
	at := func(ms int) time.Time { return beat0.Add(time.Duration(ms) * time.Millisecond) }
	w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: "s", Time: beat0, URL: "/ws", Subprotocol: sub})
	for _, l := range lines {
		dir := format.Receive
		if l.send {
			dir = format.Send
		}
		w.Write(&format.Event{Type: format.TypeMessage, Session: "s", Time: at(l.ms), Dir: dir, Opcode: format.Text, Data: []byte(l.text)})
	}
	if closeMS > 0 {
		w.Write(&format.Event{Type: format.TypeClose, Session: "s", Time: at(closeMS), By: format.ByServer, Code: 4400, Reason: "done", Clean: true})
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// beatClient is a client of a replay that notes what it receives, with the
// fake time since it connected, and how the connection ended.
type beatClient struct {
	t     *testing.T
	conn  *websocket.Conn
	start time.Time
	got   chan got
}

type got struct {
	at   time.Duration
	text string // "closed CODE" or "lost" at the end
}

func (g got) String() string { return fmt.Sprintf("%s@%v", g.text, g.at) }

func dialBeats(t *testing.T, srv *replayertest.Server, sub string) *beatClient {
	t.Helper()
	return dialPath(t, srv, "/ws", sub)
}

// dialPath connects a beatClient to path, offering sub ("" for none).
func dialPath(t *testing.T, srv *replayertest.Server, path, sub string) *beatClient {
	t.Helper()
	opts := &websocket.DialOptions{HTTPClient: srv.HTTPClient()}
	if sub != "" {
		opts.Subprotocols = []string{sub}
	}
	conn, _, err := websocket.Dial(t.Context(), srv.URL+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := &beatClient{t: t, conn: conn, start: time.Now(), got: make(chan got, 4096)}
	go c.read()
	t.Cleanup(func() { conn.CloseNow() })
	return c
}

func (c *beatClient) read() {
	defer close(c.got)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				c.got <- got{time.Since(c.start), fmt.Sprintf("closed %d", ce.Code)}
			}
			return
		}
		c.got <- got{time.Since(c.start), string(data)}
	}
}

// send sends text at the fake instant at (since connecting).
func (c *beatClient) send(at time.Duration, text string) {
	c.t.Helper()
	time.Sleep(time.Until(c.start.Add(at)))
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(text)); err != nil {
		c.t.Fatalf("send %q at %v: %v", text, at, err)
	}
}

// until returns what arrived until the fake instant at.
func (c *beatClient) until(at time.Duration) []got {
	time.Sleep(time.Until(c.start.Add(at)))
	synctest.Wait()
	var out []got
	for {
		select {
		case g, ok := <-c.got:
			if !ok {
				return out
			}
			out = append(out, g)
		default:
			return out
		}
	}
}

func expectGot(t *testing.T, what string, got, want []got) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: the client got\n%v\nwant\n%v", what, got, want)
	}
}

func sec(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }

// graphqlSession is graphql-transport-ws with a client ping and the
// server's recorded pong, and two data messages.
var graphqlSession = []line{
	{0, true, `{"type":"connection_init"}`},
	{5, false, `{"type":"connection_ack"}`},
	{1000, true, `{"type":"ping"}`},
	{1003, false, `{"type":"pong"}`},
	{2000, false, "n1"},
	{2500, false, `{"type":"pong"}`}, // a second answer, to the same ping
	{3000, false, "n2"},
}

// A client's graphql-ws ping is answered at once, during the replay, while
// paused (ten minutes), and past the recording's end; the recorded pongs
// are not replayed.
func TestClientHeartbeatsAnsweredLive(t *testing.T) {
	path := recordBeats(t, "graphql-transport-ws", graphqlSession, 0)
	const pong = `{"type":"pong"}`
	t.Run("paused", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true, Paused: true})
			c := dialBeats(t, srv, "graphql-transport-ws")
			c.send(0, `{"type":"connection_init"}`)
			for _, at := range []time.Duration{sec(1), sec(60), sec(600)} {
				c.send(at, `{"type":"ping"}`)
				expectGot(t, fmt.Sprintf("ping at %v, paused", at), c.until(at), []got{{at, pong}})
			}
		})
	})
	t.Run("playing and past the end", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
			c := dialBeats(t, srv, "graphql-transport-ws")
			c.send(0, `{"type":"connection_init"}`)
			c.send(sec(1.5), `{"type":"ping"}`)
			expectGot(t, "the recording", c.until(sec(60)),
				[]got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(1.5), pong}, {sec(2), "n1"}, {sec(3), "n2"}})
			for _, at := range []time.Duration{sec(61), sec(600)} {
				c.send(at, `{"type":"ping"}`)
				expectGot(t, fmt.Sprintf("ping at %v, past the end", at), c.until(at), []got{{at, pong}})
			}
		})
	})
}

// beatProfile is a third party's profile, known to the replay only through
// Server.Protocols: its server sends "ka" every second, and answers the
// client's "ping" with "pong".
type beatProfile struct{}

func (beatProfile) Name() string                      { return "beat-test" }
func (beatProfile) Recognize(o protocol.Opening) bool { return o.Subprotocol == "beat.test" }
func (beatProfile) Describe(m protocol.Message) protocol.Description {
	switch s := string(m.Data); s {
	case "ka", "ping", "pong":
		return protocol.Description{Kind: s, Heartbeat: true}
	}
	return protocol.Description{}
}

func (beatProfile) ReplyHeartbeat(m protocol.Message) (protocol.Message, bool) {
	if m.Dir != format.Send || string(m.Data) != "ping" {
		return protocol.Message{}, false
	}
	return protocol.Message{Dir: format.Receive, Data: []byte("pong")}, true
}

func (beatProfile) SendHeartbeat(protocol.Opening) (protocol.Beat, bool) {
	return protocol.Beat{Interval: time.Second, Message: protocol.Message{Dir: format.Receive, Data: []byte("ka")}}, true
}

// beatSession has the server's recorded beats every second, and data.
var beatSession = []line{
	{0, false, "hello"},
	{1000, false, "ka"},
	{2000, false, "ka"},
	{3000, false, "ka"},
	{3600, false, "n1"},
}

// kas are the beats due every second from first to last, inclusive.
func kas(first, last int) []got {
	var out []got
	for s := first; s <= last; s++ {
		out = append(out, got{sec(float64(s)), "ka"})
	}
	return out
}

// A profile's server beats are sent every interval on the replay's own
// clock: at speed 0.25 the recorded ones would come every 4 s, and they
// are not replayed; the beats go on past the recording's end (at 14.4 s)
// for more than twice the interval, the connection open.
func TestServerBeatsOnTheirOwnClock(t *testing.T) {
	path := recordBeats(t, "beat.test", beatSession, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true, Speed: 0.25, Protocols: protocol.Set{beatProfile{}}})
		c := dialBeats(t, srv, "beat.test")
		want := append([]got{{0, "hello"}}, kas(1, 14)...)
		want = append(want, got{sec(14.4), "n1"})
		want = append(want, kas(15, 20)...)
		expectGot(t, "speed 0.25", c.until(sec(20)), want)
		c.send(sec(20.5), "ping")
		expectGot(t, "a ping past the end", c.until(sec(20.5)), []got{{sec(20.5), "pong"}})
	})
}

// Paused for ten minutes, a replay sends its server beats every second
// and answers pings at once, and sends nothing recorded.
func TestServerBeatsThroughAPause(t *testing.T) {
	path := recordBeats(t, "beat.test", beatSession, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true, Paused: true, Protocols: protocol.Set{beatProfile{}}})
		c := dialBeats(t, srv, "beat.test")
		expectGot(t, "paused 5 minutes", c.until(sec(300)), kas(1, 300))
		c.send(sec(300.5), "ping")
		want := append([]got{{sec(300.5), "pong"}}, kas(301, 600)...)
		expectGot(t, "paused 10 minutes", c.until(sec(600)), want)
	})
}

// With --hang-at, the beats stop and pings go unanswered: the replay
// sends nothing more. Before it, they go as ever (speed 0.25: the recorded
// beats would come every 4 s).
func TestServerBeatsStopAtHang(t *testing.T) {
	path := recordBeats(t, "beat.test", beatSession, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true, Speed: 0.25, HangAt: sec(6.5), Protocols: protocol.Set{beatProfile{}}})
		c := dialBeats(t, srv, "beat.test")
		c.send(sec(5.5), "ping")
		c.send(sec(10), "ping")
		want := append([]got{{0, "hello"}}, kas(1, 5)...)
		want = append(want, got{sec(5.5), "pong"}, got{sec(6), "ka"})
		expectGot(t, "hang at 6.5s", c.until(sec(60)), want)
	})
}

// With --wait, the recorded ping and its pong are out of the counting: the
// client's second message that is not a heartbeat releases what was
// recorded after the recording's second one, and the pong is not replayed.
func TestWaitLeavesHeartbeatsOut(t *testing.T) {
	path := recordBeats(t, "graphql-transport-ws", []line{
		{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`},
		{1000, true, `{"type":"ping"}`}, {1003, false, `{"type":"pong"}`},
		{1500, true, "sub"}, {1600, false, "data"},
	}, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true, Wait: true})
		c := dialBeats(t, srv, "graphql-transport-ws")
		c.send(0, `{"type":"connection_init"}`)
		c.send(sec(2), `{"type":"ping"}`)
		c.send(sec(3), "sub")
		expectGot(t, "--wait", c.until(sec(60)),
			[]got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(2), `{"type":"pong"}`}, {sec(3.1), "data"}})
	})
}

// A server close that answered a client message is replayed only after
// the live client's counterpart of it, and the recorded delay after it;
// meanwhile pings are answered. A close that answered nothing of the
// client's, or in a session with no profile, keeps its recorded time.
func TestEndingCausedByTheClient(t *testing.T) {
	for _, c := range []struct {
		name    string
		sub     string
		lines   []line
		closeMS int
		client  []line // what the live client sends, at ms
		want    []got
	}{
		{
			name:    "close after the client's message",
			sub:     "graphql-transport-ws",
			lines:   []line{{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`}, {1000, true, "bye"}},
			closeMS: 1020,
			client:  []line{{0, true, `{"type":"connection_init"}`}, {20000, true, `{"type":"ping"}`}, {30000, true, "bye"}},
			want:    []got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(20), `{"type":"pong"}`}, {sec(30.02), "closed 4400"}},
		},
		{
			name: "close after the answers to the client's message",
			sub:  "graphql-transport-ws",
			lines: []line{{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`},
				{1000, true, `{"type":"subscribe","id":"a","payload":{"query":"{ n }"}}`},
				{1100, false, `{"type":"complete","id":"a"}`}},
			closeMS: 1200,
			client:  []line{{0, true, `{"type":"connection_init"}`}, {5000, true, `{"type":"subscribe","id":"b","payload":{"query":"{ n }"}}`}},
			// The reply waits for the live subscribe and takes its id
			// (echo.go); the close comes its recorded delay after.
			want: []got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(5.1), `{"type":"complete","id":"b"}`}, {sec(5.2), "closed 4400"}},
		},
		{
			// The messages due together before it go out before the
			// close waits: the client's message may answer them.
			name: "messages due with the last ones go before the close waits",
			sub:  "graphql-transport-ws",
			lines: []line{{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`},
				{1000, false, "n1"}, {1000, false, "n2"}, {1000, true, "bye"}},
			closeMS: 1000,
			client:  []line{{0, true, `{"type":"connection_init"}`}, {30000, true, "bye"}},
			want:    []got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(1), "n1"}, {sec(1), "n2"}, {sec(30), "closed 4400"}},
		},
		{
			name:    "close after the server's message",
			sub:     "graphql-transport-ws",
			lines:   []line{{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`}, {1000, true, "x"}, {1010, false, "n1"}},
			closeMS: 1020,
			client:  []line{{0, true, `{"type":"connection_init"}`}},
			want:    []got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(1.01), "n1"}, {sec(1.02), "closed 4400"}},
		},
		{
			name:    "no profile",
			sub:     "",
			lines:   []line{{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`}, {1000, true, "bye"}},
			closeMS: 1020,
			client:  []line{{0, true, `{"type":"connection_init"}`}},
			want:    []got{{sec(0.005), `{"type":"connection_ack"}`}, {sec(1.02), "closed 4400"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := recordBeats(t, c.sub, c.lines, c.closeMS)
			synctest.Test(t, func(t *testing.T) {
				srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
				cl := dialBeats(t, srv, c.sub)
				for _, l := range c.client {
					cl.send(sec(float64(l.ms)/1000), l.text)
				}
				expectGot(t, "the replay", cl.until(sec(60)), c.want)
			})
		})
	}
}

// A beat whose interval the protocol leaves to the server
// (subscriptions-transport-ws's ka) goes at the recording's interval, read
// from the session's start at the accept: live from then on, past the
// recording's end too, and the recorded ones are left out.
func TestServerBeatsLearnedFromRecording(t *testing.T) {
	path := recordBeats(t, "graphql-ws", []line{
		{0, true, `{"type":"connection_init"}`}, {5, false, `{"type":"connection_ack"}`},
		{6, false, `{"type":"ka"}`}, {306, false, `{"type":"ka"}`}, {606, false, `{"type":"ka"}`},
		{700, false, `{"type":"data","id":"1","payload":{}}`}, {906, false, `{"type":"ka"}`},
	}, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
		c := dialBeats(t, srv, "graphql-ws")
		c.send(0, `{"type":"connection_init"}`)
		var want []got
		for at := 300 * time.Millisecond; at <= 3*time.Second; at += 300 * time.Millisecond {
			want = append(want, got{at, `{"type":"ka"}`})
		}
		want = slices.Insert(want, 2, got{700 * time.Millisecond, `{"type":"data","id":"1","payload":{}}`})
		want = slices.Insert(want, 0, got{5 * time.Millisecond, `{"type":"connection_ack"}`})
		expectGot(t, "the replay", c.until(sec(3)), want)
	})
}

// SignalR's ping interval is a server setting the protocol does not
// announce: the replay pings at the recording's interval, or every 15 s
// (ASP.NET Core's default) when the recording shows none.
func TestSignalRPingsAtTheRecordedInterval(t *testing.T) {
	const rs = "\x1e"
	ping := `{"type":6}` + rs
	for _, c := range []struct {
		name     string
		pings    []int // recorded pings, ms
		interval time.Duration
	}{
		{"every 500 ms", []int{510, 1010, 1510}, 500 * time.Millisecond},
		{"none recorded", nil, 15 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := []line{{0, true, `{"protocol":"json","version":1}` + rs}, {5, false, "{}" + rs}}
			for _, ms := range c.pings {
				lines = append(lines, line{ms, false, ping})
			}
			path := recordBeats(t, "", lines, 0)
			synctest.Test(t, func(t *testing.T) {
				srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
				cl := dialBeats(t, srv, "")
				cl.send(0, `{"protocol":"json","version":1}`+rs)
				end := 3 * c.interval
				want := []got{{5 * time.Millisecond, "{}" + rs}}
				for at := c.interval; at <= end; at += c.interval {
					want = append(want, got{at, ping})
				}
				expectGot(t, "the replay", cl.until(end), want)
			})
		})
	}
}
