package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// socketIOClosing is a Socket.IO 4 session the server ends with a clean
// close right after its last event, which answers the client's "ready"
// (with Server.Wait, the replay waits for it: the client has joined "/"
// by then, so the event is not held for the join).
func socketIOClosing(tb testing.TB, pingTimeout int64) string {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	s := sessionLine("sio", "/socket.io/?EIO=4&transport=polling&t=a", "", rec0)
	s.Kind = format.KindSocketIO
	s.EngineIO = &format.EngineIO{Version: 4, SID: "REC", PingInterval: 10000, PingTimeout: pingTimeout, Upgrades: []string{"websocket"}}
	text := func(ms int, dir format.Dir, t string) *format.Event {
		e := message("sio", at(ms), dir, format.Text, []byte(t))
		e.Transport = "polling"
		return e
	}
	return writeRecording(tb, s,
		text(0, format.Receive, `0{"sid":"REC","upgrades":["websocket"],"pingInterval":10000}`),
		text(1, format.Send, `40`),
		text(2, format.Receive, `40{"sid":"recorded"}`),
		text(2, format.Send, `42["ready"]`),
		text(3, format.Receive, `42["last",1]`),
		&format.Event{Type: format.TypeClose, Session: "sio", Time: at(3), By: format.ByServer, Code: 1000, Clean: true},
	)
}

// A clean server close right after the last packet of a polling replay
// reaches the client: the sid answers until a GET has taken the close
// packet, not "400 Session ID unknown" once the player is done.
func TestEngineIOPollingCloseTaken(t *testing.T) {
	for i := range 5 { // it was lost 4 runs of 5
		ts := startServer(t, &Server{Wait: true}, File(socketIOClosing(t, 5000)))
		sid := openPolling(t, ts)
		eioDo(t, "POST", sid, "", "40\x1e42[\"ready\"]")
		deadline := time.Now().Add(5 * time.Second)
		var got []string
		for closed := false; !closed; {
			if time.Now().After(deadline) {
				t.Fatalf("run %d: no close packet; got %q", i, got)
			}
			resp, body := eioDo(t, "GET", sid, "", "")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("run %d: poll after %q: %s %s, want the close packet", i, got, resp.Status, body)
			}
			pks, err := engineio.DecodePayload(4, body, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, pk := range pks {
				got = append(got, string(pk.Data))
				closed = closed || string(pk.Data) == "1"
			}
		}
		if !strings.Contains(strings.Join(got, " "), `42["last",1]`) {
			t.Errorf("run %d: packets %q, want the last event before the close", i, got)
		}
	}
}

// The sid of a polling replay the server closed is kept for the close
// packet only until pingTimeout has passed: a client that never polls
// again does not hold it.
func TestEngineIOPollingCloseNotTaken(t *testing.T) {
	ts := startServer(t, &Server{Wait: true}, File(socketIOClosing(t, 100)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40\x1e42[\"ready\"]")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `42["last",1]` })
	time.Sleep(2 * time.Second) // twenty times pingTimeout
	if resp, body := eioDo(t, "GET", sid, "", ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("poll long after pingTimeout: %s %q, want 400 Session ID unknown", resp.Status, body)
	}
}

// With --wait, a step that passes the recorded emit before the client has
// made its own parks the ack answer; the client's emit then gets it under
// the client's ack id, not the recorded one.
func TestEngineIOWaitStepAckID(t *testing.T) {
	ts := startServer(t, &Server{Wait: true, Paused: true}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40")
	waitReplay(t, ts, "r1")
	mustCall(t, ts, "POST", "replays/r1/step", `{"until":"^430","regex":true}`)
	eioDo(t, "POST", sid, "", `427["ask",1]`)
	all, _ := pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), "43") })
	if got := string(all[len(all)-1].Data); got != `437[2]` {
		t.Errorf("ack answer %q, want 437[2] (the client's ack id 7)", got)
	}
}

// A polling POST past the maxPayload the replay announced is refused with
// 413 and none of it is taken, as engine.io's server does; one within it is
// taken. Two POSTs of one sid at once: the second gets 400.
func TestEngineIOPostBounded(t *testing.T) {
	ts := startServer(t, &Server{}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	big := strings.Repeat("4x\x1e", 1_000_000/3+1) // past the recorded maxPayload of 1e6
	if resp, b := eioDo(t, "POST", sid, "", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of %d bytes past maxPayload: %d %q, want 413", len(big), resp.StatusCode, b)
	}
	if resp, b := eioDo(t, "POST", sid, "", "40"); resp.StatusCode != http.StatusOK || string(b) != "ok" {
		t.Errorf("a body within maxPayload after a refused one: %d %q, want 200 ok", resp.StatusCode, b)
	}

	// The first POST is held by a body that does not end yet.
	pr, pw := io.Pipe()
	defer pw.Close() // a failing test must not leave the POST held
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", sid, pr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	pw.Write([]byte("4"))
	var second int
	nettest.WaitFor(t, "a second POST to be refused", func() bool {
		resp, _ := eioDo(t, "POST", sid, "", "4y")
		second = resp.StatusCode
		return second == http.StatusBadRequest
	})
	pw.Write([]byte("z"))
	pw.Close()
	if got := <-first; got != http.StatusOK {
		t.Errorf("the first POST: %d, want 200", got)
	}
}
