package replayer_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/replayer/replayertest"
)

// The recorded SignalR client sent its Close message, and the server
// closed at once; the client pinged while idle, as SignalR's clients do
// (a ping the protocol needs no answer to). The live client is slower:
// paused, then lingering, it pings many more times than the recorded one
// before its Echo and its Close. The recorded close waits for the live
// Close, not for the live client's message of the same number counting
// pings: those are heartbeats, left out of the count on both sides.
func TestEndingCausedByTheClientPingsLeftOut(t *testing.T) {
	const rs = "\x1e"
	ping := `{"type":6}` + rs
	hello := `{"protocol":"json","version":1}` + rs
	echo := `{"target":"Echo","arguments":["hi"],"invocationId":"1","type":1}` + rs
	done := `{"type":3,"invocationId":"1","result":"hi"}` + rs
	bye := `{"type":7}` + rs
	path := recordBeats(t, "", []line{
		{0, true, hello}, {5, false, "{}" + rs},
		{500, false, ping}, {600, true, ping}, {1000, false, ping}, {1100, true, ping},
		{1200, true, echo}, {1201, false, done}, {1205, true, bye},
	}, 1206)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
		c := dialBeats(t, srv, "")
		c.send(0, hello)
		for at := 250 * time.Millisecond; at < 5*time.Second; at += 500 * time.Millisecond {
			c.send(at, ping)
		}
		c.send(sec(5), echo)
		want := []got{{5 * time.Millisecond, "{}" + rs}}
		for at := 500 * time.Millisecond; at <= 8500*time.Millisecond; at += 500 * time.Millisecond {
			want = append(want, got{at, ping})
			if at == 5*time.Second {
				want = append(want, got{sec(5.001), done})
			}
		}
		if expectGot(t, "the replay before the live Close", c.until(sec(8.9)), want); t.Failed() {
			return
		}
		c.send(sec(9), bye)
		want = []got{{sec(9), ping}, {sec(9.001), fmt.Sprint("closed ", 4400)}}
		expectGot(t, "the replay after the live Close", c.until(sec(12)), want)
	})
}
