package replayer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// gqlRecording is a graphql-transport-ws session as graphql-ws records
// it: a subscription and a query, each answered under the id the client
// chose ("1", "2"), then a clean close.
func gqlRecording(t *testing.T) string {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	m := func(ms int, dir format.Dir, text string) *format.Event {
		return message("g", at(ms), dir, format.Text, []byte(text))
	}
	return writeRecording(t, sessionLine("g", "/graphql", "graphql-transport-ws", rec0),
		m(0, format.Send, `{"type":"connection_init"}`),
		m(5, format.Receive, `{"type":"connection_ack"}`),
		m(50, format.Send, `{"id":"1","type":"subscribe","payload":{"query":"subscription Prices { price }"}}`),
		m(60, format.Receive, `{"id":"1","type":"next","payload":{"data":{"price":1}}}`),
		m(100, format.Receive, `{"id":"1","type":"next","payload":{"data":{"price":2}}}`),
		m(150, format.Send, `{"id":"2","type":"subscribe","payload":{"query":"query Me { me }"}}`),
		m(160, format.Receive, `{"id":"2","type":"next","payload":{"data":{"me":"ann"}}}`),
		m(165, format.Receive, `{"id":"2","type":"complete"}`),
		m(200, format.Receive, `{"id":"1","type":"complete"}`),
		&format.Event{Type: format.TypeClose, Session: "g", Time: at(250), By: format.ByServer, Code: 1000, Clean: true},
	)
}

// gqlStep is what the test's client sends, at its recorded offset.
type gqlStep struct {
	at    time.Duration
	typ   string // connection_init or subscribe
	query string
}

var gqlClient = []gqlStep{
	{0, "connection_init", ""},
	{50 * time.Millisecond, "subscribe", "subscription Prices { price }"},
	{150 * time.Millisecond, "subscribe", "query Me { me }"},
}

// transcript is what a client saw and did, in order.
type transcript struct {
	mu     sync.Mutex
	events []string // "sent <id>" or the message received
}

func (tr *transcript) add(s string) {
	tr.mu.Lock()
	tr.events = append(tr.events, s)
	tr.mu.Unlock()
}

// TestRepliesFollowTheClient: a graphql-ws client that chooses fresh ids
// gets every recorded reply under its own ids, never before it asked, on
// time or 300 ms slower than recorded before each request, and under
// --wait; the replay then ends as recorded.
func TestRepliesFollowTheClient(t *testing.T) {
	for _, c := range []struct {
		name string
		srv  *Server
		late time.Duration // added before each request, adding up
	}{
		{"on time", &Server{}, 0},
		{"client 300ms slower", &Server{}, 300 * time.Millisecond},
		{"client 300ms slower, --wait", &Server{Wait: true}, 300 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, c.srv, File(gqlRecording(t)))
			conn := dial(t, ts, "/graphql", "graphql-transport-ws")
			tr := &transcript{}
			ids := map[string]string{} // the client's id -> the query it asked
			done := make(chan error, 1)
			go func() { done <- readTranscript(conn, tr) }()
			start, lateBy := time.Now(), time.Duration(0)
			for _, s := range gqlClient {
				if s.typ == "subscribe" {
					lateBy += c.late
				}
				time.Sleep(time.Until(start.Add(s.at + lateBy)))
				msg := `{"type":"connection_init"}`
				if s.typ == "subscribe" {
					id := freshID(t)
					ids[id] = s.query
					q, _ := json.Marshal(s.query)
					msg = `{"type":"subscribe","id":"` + id + `","payload":{"query":` + string(q) + `}}`
					tr.add("sent " + id) // before the write: a reply cannot come before it
				}
				if err := conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			if err := <-done; websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Errorf("ended with %v, want the recorded close 1000", err)
			}
			checkTranscript(t, tr.events, ids)
		})
	}
}

// readTranscript reads messages into tr until the connection ends.
func readTranscript(conn *websocket.Conn, tr *transcript) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		tr.add(string(data))
	}
}

// checkTranscript checks that every recorded reply came, under the id the
// client chose for its query, after the client sent it.
func checkTranscript(t *testing.T, events []string, ids map[string]string) {
	t.Helper()
	want := map[string][]string{ // query -> the replies it gets, in order
		"subscription Prices { price }": {`next {"data":{"price":1}}`, `next {"data":{"price":2}}`, "complete "},
		"query Me { me }":               {`next {"data":{"me":"ann"}}`, "complete "},
	}
	sent := map[string]bool{}
	got := map[string][]string{}
	for _, ev := range events {
		if id, ok := strings.CutPrefix(ev, "sent "); ok {
			sent[id] = true
			continue
		}
		var m struct {
			Type    string          `json:"type"`
			ID      string          `json:"id"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(ev), &m); err != nil || m.Type == "connection_ack" {
			continue
		}
		q, ok := ids[m.ID]
		switch {
		case !ok:
			t.Errorf("reply under id %q, which the client never chose: %s", m.ID, ev)
		case !sent[m.ID]:
			t.Errorf("reply before its request: %s", ev)
		}
		got[q] = append(got[q], m.Type+" "+string(m.Payload))
	}
	for q, w := range want {
		if fmt.Sprint(got[q]) != fmt.Sprint(w) {
			t.Errorf("%s: got %q, want %q\ntranscript: %q", q, got[q], w, events)
		}
	}
}

// freshID is an id as graphql-ws chooses one: a random UUID.
func freshID(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[:4], b[4:6], b[6:8], b[8:10], b[10:])
}
