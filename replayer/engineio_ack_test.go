package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// socketIOJoin is a Socket.IO 4 session as browser-app-server.mjs's page
// records one: a welcome, the client's emit of "join" with an ack id, the
// server's ack 5 ms later, then three ticks 20 ms apart.
func socketIOJoin(tb testing.TB) string {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	s := sessionLine("join", "/socket.io/?EIO=4&transport=polling&t=a", "", rec0)
	s.Kind = format.KindSocketIO
	s.EngineIO = &format.EngineIO{Version: 4, SID: "REC", PingInterval: 100, PingTimeout: 5000, Upgrades: []string{"websocket"}}
	text := func(ms int, dir format.Dir, t string) *format.Event {
		return message("join", at(ms), dir, format.Text, []byte(t))
	}
	return writeRecording(tb, s,
		text(0, format.Receive, `0{"sid":"REC","upgrades":["websocket"],"pingInterval":100,"pingTimeout":5000}`),
		text(1, format.Send, `40`),
		text(2, format.Receive, `40{"sid":"recorded"}`),
		text(3, format.Receive, `42["welcome",{"server":"sio"}]`),
		text(10, format.Send, `420["join","lobby"]`),
		text(15, format.Receive, `430[{"room":"lobby","ok":true}]`),
		text(35, format.Receive, `42["tick",{"n":1}]`),
		text(55, format.Receive, `42["tick",{"n":2}]`),
		text(75, format.Receive, `42["tick",{"n":3}]`),
	)
}

// sioLink is a live Socket.IO client's transport in a test: packets from
// the replay come on in (pings left out), send sends one packet.
type sioLink struct {
	in   chan string
	send func(string)
}

// pollingLink opens a polling Engine.IO 4 session and polls it until the
// test ends.
func pollingLink(t *testing.T, url string) *sioLink {
	l := &sioLink{in: make(chan string, 64), send: func(p string) { eioDo(t, "POST", url, "", p) }}
	go func() {
		for t.Context().Err() == nil {
			req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			pks, err := engineio.DecodePayload(4, body, false)
			if err != nil || resp.StatusCode != http.StatusOK {
				return
			}
			for _, pk := range pks {
				l.put(t, string(pk.Data))
			}
		}
	}()
	return l
}

// socketLink reads a WebSocket Engine.IO 4 session until the test ends.
func socketLink(t *testing.T, c *websocket.Conn) *sioLink {
	ctx := t.Context()
	l := &sioLink{in: make(chan string, 64), send: func(p string) { c.Write(ctx, websocket.MessageText, []byte(p)) }}
	go func() {
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			l.put(t, string(data))
		}
	}()
	return l
}

// put passes on a packet that is not a ping, until the test ends.
func (l *sioLink) put(t *testing.T, p string) {
	if p == "2" {
		return
	}
	select {
	case l.in <- p:
	case <-t.Context().Done():
	}
}

// next returns the next packet, failing the test after 10 s.
func (l *sioLink) next(t *testing.T) string {
	t.Helper()
	select {
	case p := <-l.in:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no packet from the replay in 10s")
		return ""
	}
}

// during returns the packets that come within d.
func (l *sioLink) during(d time.Duration) []string { return l.upTo(-1, d) }

// upTo returns the first n packets, or those that come within d (n < 0:
// all of those).
func (l *sioLink) upTo(n int, d time.Duration) []string {
	var got []string
	end := time.After(d)
	for len(got) != n {
		select {
		case p := <-l.in:
			got = append(got, p)
		case <-end:
			return got
		}
	}
	return got
}

// A recorded ack answer is a reply to the client's emit: with no flag and
// a client that emits 300 ms later than recorded, the ack comes after the
// emit, under the client's ack id, and the ticks recorded after the ack
// wait behind it and keep their order, on both transports.
func TestEngineIOAckWaitsForEmit(t *testing.T) {
	for _, transport := range []string{"polling", "websocket"} {
		t.Run(transport, func(t *testing.T) {
			ts := startServer(t, &Server{}, File(socketIOJoin(t)))
			var l *sioLink
			if transport == "polling" {
				l = pollingLink(t, openPolling(t, ts))
			} else {
				c := dial(t, ts, "/socket.io/?EIO=4&transport=websocket")
				defer c.CloseNow()
				l = socketLink(t, c)
				if open := l.next(t); !strings.HasPrefix(open, "0{") {
					t.Fatalf("first packet %q, want the open packet", open)
				}
			}
			l.send("40")
			if p := l.next(t); !strings.HasPrefix(p, `40{"sid":`) {
				t.Fatalf("got %q, want the CONNECT answer", p)
			}
			if p := l.next(t); p != `42["welcome",{"server":"sio"}]` {
				t.Fatalf("got %q, want the welcome", p)
			}
			if early := l.during(300 * time.Millisecond); len(early) > 0 {
				t.Errorf("before the client's emit the replay sent %q: the ack and what follows it must wait for the emit", early)
			}
			l.send(`427["join","lobby"]`)
			got := l.upTo(4, 10*time.Second)
			want := []string{`437[{"room":"lobby","ok":true}]`, `42["tick",{"n":1}]`, `42["tick",{"n":2}]`, `42["tick",{"n":3}]`}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("after the emit: %q, want %q (the ack under the client's id 7, then the ticks)", got, want)
			}
		})
	}
}
