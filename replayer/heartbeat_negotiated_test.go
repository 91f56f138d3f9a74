package replayer_test

import (
	"testing"
	"testing/synctest"

	"github.com/wsreplay/wsreplay/replayer/replayertest"
)

// A Centrifuge server's ping interval is the "ping" of its connect reply,
// which comes after the replay has started: the live beats go every 1 s,
// as that reply says (on the replay's clock from the accept), not every
// 25 s (the default when a server names none), and the recorded pings are
// not replayed. A client
// that gives up when a ping is a second late (centrifuge's
// maxServerPingDelay) keeps its connection past the recording's end.
func TestServerBeatsFromTheConnectReply(t *testing.T) {
	path := recordBeats(t, "centrifuge-json", []line{
		{0, true, `{"connect":{"name":"js"},"id":1}`},
		{5, false, `{"id":1,"connect":{"client":"c","version":"0.0.0","ping":1,"pong":true}}`},
		{1005, false, `{}`},
		{1006, true, `{}`},
		{1500, false, `{"push":{"channel":"news","pub":{"data":{"n":1}}}}`},
	}, 0)
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
		c := dialBeats(t, srv, "centrifuge-json")
		c.send(0, `{"connect":{"name":"js"},"id":1}`)
		want := []got{
			{sec(0.005), `{"id":1,"connect":{"client":"c","version":"0.0.0","ping":1,"pong":true}}`},
			{sec(1), "{}"},
			{sec(1.5), `{"push":{"channel":"news","pub":{"data":{"n":1}}}}`},
			{sec(2), "{}"}, {sec(3), "{}"}, {sec(4), "{}"},
		}
		expectGot(t, "ping 1 in the connect reply", c.until(sec(4.5)), want)
	})
}
