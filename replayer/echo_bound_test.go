package replayer

import (
	"strconv"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// TestEchoBounded: what a replay learns of the ids of a long session, and
// what --wait keeps of a client that sends what the recording never had,
// stay bounded; the latest ids are still followed.
func TestEchoBounded(t *testing.T) {
	det := protocol.Default().Detector(protocol.Opening{Subprotocol: "graphql-transport-ws"})
	x := newEcho(det, true)
	const n = maxFollowed + maxFollowed/4 // past every bound
	sub := func(id string, q int) []byte {
		return []byte(`{"id":"` + id + `","type":"subscribe","payload":{"query":"{q` + strconv.Itoa(q) + `}"}}`)
	}
	now := time.Now()
	for i := range n {
		rec := &format.Event{Type: format.TypeMessage, Dir: format.Send, Opcode: format.Text, Data: sub("r"+strconv.Itoa(i), i)}
		x.passed(rec, time.Duration(i)*time.Millisecond, nil)
		// A request the recording never had, and the counterpart.
		x.live(protocol.Message{Dir: format.Send, Data: sub("x"+strconv.Itoa(i), -i)}, came{at: now})
		x.live(protocol.Message{Dir: format.Send, Data: sub("l"+strconv.Itoa(i), i)}, came{at: now})
	}
	if x.recOff.len() > maxFollowed || x.liveAt.len() > maxFollowed {
		t.Errorf("ids kept: %d recorded, %d live; want at most %d", x.recOff.len(), x.liveAt.len(), maxFollowed)
	}
	if x.content.n > maxAhead || len(x.content.live) > maxAhead || len(x.content.ahead) > maxAhead {
		t.Errorf("--wait keeps %d arrivals under %d keys, %d ahead; want at most %d", x.content.n, len(x.content.live), len(x.content.ahead), maxAhead)
	}
	last := strconv.Itoa(n - 1)
	e := &format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte(`{"id":"r` + last + `","type":"complete"}`)}
	r := x.reach(e, time.Duration(n)*time.Millisecond, nil)
	if _, ready, _ := x.check(r, 1, 0); !ready {
		t.Fatal("the latest reply waits")
	}
	if got, want := string(x.rewrite(r, e).Data), `{"id":"l`+last+`","type":"complete"}`; got != want {
		t.Errorf("latest reply %s, want %s", got, want)
	}
}

// TestRecent: the last max keys put are kept, a key put again counts from
// its latest put.
func TestRecent(t *testing.T) {
	r := newRecent[string, int](3)
	for i, k := range []string{"a", "b", "c", "a", "d", "e"} {
		r.put(k, i)
	}
	// Puts: a0 b1 c2 a3 d4 e5; the last three puts are a3 d4 e5.
	for k, want := range map[string]int{"a": 3, "d": 4, "e": 5} {
		if v, ok := r.get(k); !ok || v != want {
			t.Errorf("%s: %d, %v; want %d", k, v, ok, want)
		}
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := r.get(k); ok {
			t.Errorf("%s kept past the bound", k)
		}
	}
	if r.len() != 3 {
		t.Errorf("len %d, want 3", r.len())
	}
}
