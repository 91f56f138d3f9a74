package replayer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// A replay's injections not sent yet are bounded in bytes; what is sent
// frees its share.
func TestInjectPendingBound(t *testing.T) {
	defer func(old int64) { maxPendingInject = old }(maxPendingInject)
	maxPendingInject = 2500
	c := newControl(1, false)
	msg := func(n int) []*format.Event {
		return []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: make([]byte, n)}}
	}
	for i, n := range []int{1000, 1000, 500} {
		if err := c.inject(msg(n)); err != nil {
			t.Fatalf("injection %d of %d bytes: %v", i+1, n, err)
		}
	}
	if err := c.inject(msg(1)); !errors.Is(err, errInjectFull) {
		t.Fatalf("a byte past the bound: %v, want errInjectFull", err)
	}
	d := c.decideIdle()
	c.injectedOne(d.injects[0])
	if err := c.inject(msg(1000)); err != nil {
		t.Errorf("after 1000 bytes went out: %v", err)
	}
}

// Over the API: an injection past maxInject is refused with 413; one that
// would pass the replay's bound of bytes not sent yet (its client does not
// read) with 409; both without queueing anything.
func TestInjectBoundsOverAPI(t *testing.T) {
	defer func(a, b int64) { maxInject, maxPendingInject = a, b }(maxInject, maxPendingInject)
	maxInject, maxPendingInject = 256<<10, 512<<10
	at := rec0
	ts := startServer(t, &Server{}, File(writeRecording(t, sessionLine("s1", "/ws", "", at),
		message("s1", at, format.Receive, format.Text, []byte("only")))))
	c := dial(t, ts, "/ws") // never read until the end
	waitReplay(t, ts, "r1")
	if st, v := call(t, ts, "POST", "replays/r1/inject", fmt.Sprintf(`{"text":%q}`, strings.Repeat("x", 256<<10+1))); st != 413 || v["field"] != "text" {
		t.Errorf("an injection of maxInject+1 bytes: %d %v, want 413", st, v)
	}
	chunk := fmt.Sprintf(`{"binary":%q}`, base64.StdEncoding.EncodeToString(make([]byte, 256<<10)))
	sent := 0
	for ; sent < 400; sent++ { // loopback buffers take some MB before a write blocks
		st, v := call(t, ts, "POST", "replays/r1/inject", chunk)
		if st == 409 {
			break
		}
		if st != 200 {
			t.Fatalf("injection %d: %d %v", sent+1, st, v)
		}
	}
	if sent == 400 {
		t.Fatalf("%d injections of 256 KiB into a replay whose client does not read, all taken", sent)
	}
	t.Logf("409 after %d injections of 256 KiB", sent)
	ctx := t.Context()
	for range sent + 1 { // "only", then every injection taken
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st, v := call(t, ts, "POST", "replays/r1/inject", `{"text":"after"}`); st != 200 {
		t.Fatalf("once the client has read: %d %v", st, v)
	}
	if _, data, err := c.Read(ctx); err != nil || string(data) != "after" {
		t.Errorf("read %q, %v, want the injection after the refused one (nothing of it queued)", data, err)
	}
	c.Close(websocket.StatusNormalClosure, "")
}

// A Socket.IO replay takes the event form, written as an EVENT to a
// namespace the client has joined (a BINARY_EVENT with its attachments in
// one payload), and a whole packet as text; text that is no packet a
// Socket.IO client takes is refused with 400, and nothing is sent.
func TestInjectSocketIO(t *testing.T) {
	ts := startServer(t, &Server{Speed: 100}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	// The emit the recorded ack answers: what the recording has after
	// the ack waits for it.
	eioDo(t, "POST", sid, "", "40\x1e427[\"ask\",1]")
	waitReplay(t, ts, "r1")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), "451-") })
	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"plain JSON as text", `{"text":"{\"plain\":\"json\"}"}`, 400, "text"},
		{"an event's data not an array", `{"text":"42{\"a\":1}"}`, 400, "text"},
		{"a reserved event", `{"text":"42[\"connect\"]"}`, 400, "text"},
		{"binary event without attachments", `{"text":"451-[\"b\",{\"_placeholder\":true,\"num\":0}]"}`, 400, "text"},
		{"record separator", `{"text":"42[\"a\"]\u001e42[\"b\"]"}`, 400, "text"},
		{"raw binary", `{"binary":"AAE="}`, 400, "binary"},
		{"event and text", `{"event":"tick","text":"42[\"a\"]"}`, 400, "event"},
		{"args without event", `{"args":[1]}`, 400, "event"},
		{"reserved event name", `{"event":"disconnect"}`, 400, "event"},
		{"bad namespace", `{"event":"tick","namespace":"admin"}`, 400, "namespace"},
		{"namespace not joined", `{"event":"tick","namespace":"/admin"}`, 409, "namespace"},
		{"args not JSON", `{"event":"tick","args":[nope]}`, 400, ""},
		{"an event stream's fields", `{"event":"tick","data":"x","id":"7"}`, 400, "event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, v := call(t, ts, "POST", "replays/r1/inject", tc.body); st != tc.status || tc.field != "" && v["field"] != tc.field {
				t.Errorf("%s: %d %v, want %d on %q", tc.body, st, v, tc.status, tc.field)
			}
		})
	}
	mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"tick","args":[1,{"a":"b"}]}`)
	mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"bin","args":["x"],"attachments":["AAEC"]}`)
	mustCall(t, ts, "POST", "replays/r1/inject", `{"text":"42[\"raw\",2]"}`)
	var got []string
	_, payloads := pollUntil(t, sid, func(pk engineio.Packet) bool {
		if pk.Data[0] != engineio.Ping {
			got = append(got, fmt.Sprintf("%q", pk.Data))
		}
		return string(pk.Data) == `42["raw",2]`
	})
	want := []string{`"42[\"tick\",1,{\"a\":\"b\"}]"`, `"451-[\"bin\",\"x\",{\"_placeholder\":true,\"num\":0}]"`, `"\x00\x01\x02"`, `"42[\"raw\",2]"`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the client got %s, want %s (and nothing of the refused ones)", got, want)
	}
	for _, pks := range payloads {
		for i, pk := range pks {
			if strings.HasPrefix(string(pk.Data), "451-") && (i+1 >= len(pks) || !pks[i+1].Binary) {
				t.Errorf("binary event without its attachment in the same payload: %v", pks)
			}
		}
	}
	eioDo(t, "POST", sid, "", "40/admin,")
	pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), "40/admin,") })
	mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"tick","namespace":"/admin"}`)
	pollUntil(t, sid, func(pk engineio.Packet) bool { return string(pk.Data) == `42/admin,["tick"]` })
}

// A Socket.IO client on polling that does not come for its packets gets no
// more injected than maxPendingInject: they would only be queued.
func TestInjectSocketIOPollingBound(t *testing.T) {
	defer func(a, b int64) { maxInject, maxPendingInject = a, b }(maxInject, maxPendingInject)
	maxInject, maxPendingInject = 256<<10, 512<<10
	ts := startServer(t, &Server{Speed: 100}, File(socketIORecording(t)))
	sid := openPolling(t, ts)
	eioDo(t, "POST", sid, "", "40")
	waitReplay(t, ts, "r1")
	arg := fmt.Sprintf(`{"event":"big","args":[%q]}`, strings.Repeat("x", 200<<10))
	status := 0
	for range 10 {
		if status, _ = call(t, ts, "POST", "replays/r1/inject", arg); status != 200 {
			break
		}
	}
	if status != 409 {
		t.Fatalf("10 injections of 200 KiB to a client that does not poll: the last answered %d, want 409", status)
	}
	pollUntil(t, sid, func(pk engineio.Packet) bool { return strings.HasPrefix(string(pk.Data), `42["big"`) })
	mustCall(t, ts, "POST", "replays/r1/inject", arg)
}

// An event stream replay takes the event form (event, id, data, retry),
// written as one event with those fields, and text as the data of an
// unnamed event; what an EventSource would not receive as given is refused
// with 400 naming the field, and nothing of it is sent.
func TestInjectSSE(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(sseRecording(t)))
	resp, start := getStream(t, ts, "/events", "")
	waitReplay(t, ts, "r1")
	for _, tc := range []struct{ name, body, field string }{
		{"carriage return in data", `{"event":"tick","data":"a\rb"}`, "data"},
		{"CRLF in data", `{"data":"a\r\nb"}`, "data"},
		{"carriage return in text", `{"text":"a\rb"}`, "text"},
		{"line break in the event name", `{"event":"ti\nck","data":"x"}`, "event"},
		{"line break in the id", `{"id":"7\n","data":"x"}`, "id"},
		{"NUL in the id", `{"id":"7\u0000","data":"x"}`, "id"},
		{"retry zero", `{"data":"x","retry":0}`, "retry"},
		{"retry negative", `{"data":"x","retry":-5}`, "retry"},
		{"retry not a number", `{"data":"x","retry":"soon"}`, "retry"},
		{"event without data", `{"event":"tick","id":"7"}`, "data"},
		{"binary", `{"binary":"AAE="}`, "binary"},
		{"Socket.IO's fields", `{"event":"tick","args":[1]}`, "event"},
		{"text and fields", `{"text":"x","id":"7"}`, "text"},
		{"nothing", `{}`, "event"},
		{"not JSON", `{"data":`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, v := call(t, ts, "POST", "replays/r1/inject", tc.body); st != 400 || tc.field != "" && v["field"] != tc.field {
				t.Errorf("%s: %d %v, want 400 on %q", tc.body, st, v, tc.field)
			}
		})
	}
	for id, want := range map[string]string{"a": "event", "ws": "raw"} { // what the timeline's inject box offers
		if v := mustCall(t, ts, "GET", "sessions/"+id, ""); v["inject"] != want {
			t.Errorf("session %s: inject %v, want %s", id, v["inject"], want)
		}
	}
	mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"tick","id":"7","data":"one\ntwo","retry":3000}`)
	mustCall(t, ts, "POST", "replays/r1/inject", `{"text":"plain {\"n\":1}"}`)
	mustCall(t, ts, "POST", "replays/r1/inject", `{"id":"8"}`)
	mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"","data":""}`)
	mustCall(t, ts, "POST", "replays/r1/close", `{}`)
	seen, err := readStream(t, resp, start)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range seen {
		got = append(got, s.block)
	}
	want := []string{"event: tick|data: one|data: two|id: 7|retry: 3000", `data: plain {"n":1}`, "id: 8", "data: "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the stream held\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A replay of a protocol whose profile writes a server message from its
// meaning (protocol.Injector: SignalR) takes the event form, written by the
// profile (an invocation of the client method), on each transport; text is
// sent as it is; what the profile cannot write is refused with 400.
func TestInjectSignalR(t *testing.T) {
	for _, transport := range []string{"WebSockets", "LongPolling"} {
		t.Run(transport, func(t *testing.T) {
			ts := startServer(t, &Server{}, File(signalRHTTPRecording(t)))
			var neg negotiated
			if err := json.Unmarshal(bootstrapRequest(t, ts, "POST", "/hub/negotiate?negotiateVersion=1"), &neg); err != nil {
				t.Fatal(err)
			}
			c := connectHub(t, ts, transport, "/hub?id="+neg.ConnectionToken)
			c.send("{\"protocol\":\"json\",\"version\":1}\x1e")
			if rec, _ := c.recv(); rec != "{}\x1e" {
				t.Fatalf("handshake answered %q", rec)
			}
			waitReplay(t, ts, "r1") // held before the completion, which waits for the client's invocation
			for _, body := range []string{`{"event":""}`, `{"event":"news","namespace":"/"}`, `{"event":"news","data":"x"}`,
				`{"event":"news","text":"x"}`, `{"args":[1]}`} {
				if st, v := call(t, ts, "POST", "replays/r1/inject", body); st != 400 || v["field"] != "event" {
					t.Errorf("%s: %d %v, want 400 on event", body, st, v)
				}
			}
			if v := mustCall(t, ts, "GET", "sessions/conn", ""); v["inject"] != "event" {
				t.Errorf("the session's inject: %v, want event", v["inject"])
			}
			mustCall(t, ts, "POST", "replays/r1/inject", `{"event":"news","args":[{"n":1},"x"]}`)
			mustCall(t, ts, "POST", "replays/r1/inject", `{"text":"{\"type\":1,\"target\":\"raw\",\"arguments\":[]}\u001e"}`)
			var got []string
			for len(got) < 2 {
				rec, ok := c.recv()
				if !ok {
					t.Fatalf("the connection ended after %q", got)
				}
				if rec != "{\"type\":6}\x1e" { // a live ping
					got = append(got, rec)
				}
			}
			want := []string{"{\"type\":1,\"target\":\"news\",\"arguments\":[{\"n\":1},\"x\"]}\x1e", "{\"type\":1,\"target\":\"raw\",\"arguments\":[]}\x1e"}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("the client got %q, want %q", got, want)
			}
		})
	}
}
