package recorder

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// negotiateLines is a SignalR negotiate as a program other than the Proxy
// writes it: nothing hidden.
func negotiateLines() []*format.Event {
	return []*format.Event{
		{Type: format.TypeSession, Version: 1, Session: "n", URL: "/hub/negotiate?negotiateVersion=1&access_token=tok-URL",
			Upstream: "ws://backend:3000/hub/negotiate?negotiateVersion=1&access_token=tok-URL",
			Kind:     format.KindPoll, Protocol: "signalr", RequestHeaders: map[string][]string{"Authorization": {"Bearer tok-AUTH"}}},
		{Type: format.TypeMessage, Session: "n", Dir: format.Send, Opcode: format.Text, Data: []byte{},
			HTTP: &format.HTTP{Method: "POST", URL: "/hub/negotiate?negotiateVersion=1&access_token=tok-URL",
				Headers: map[string][]string{"Cookie": {"sid=tok-COOKIE"}}}},
		{Type: format.TypeMessage, Session: "n", Dir: format.Receive, Opcode: format.Text,
			Data: []byte(`{"negotiateVersion":1,"connectionId":"cid-1","connectionToken":"tok-CONN","availableTransports":[]}`),
			HTTP: &format.HTTP{Status: 200, Headers: map[string][]string{"Set-Cookie": {"s=tok-SETCOOKIE"}}}},
		{Type: format.TypeClose, Session: "n", By: format.ByServer, Code: 1000, Reason: "bootstrap answered", Clean: true},
	}
}

// TestRedactorSession: a Redactor hides what the Proxy hides in the lines
// of a session it did not record: credential headers and query
// parameters, a bootstrap answer's token (and then the id= that presents
// it), the JSON fields and headers of Redaction; the lines it was given
// are left as they were.
func TestRedactorSession(t *testing.T) {
	t.Run("bootstrap", func(t *testing.T) {
		r := &Redactor{}
		in := negotiateLines()
		before := lines(t, in)
		out, unparsed := r.Session(in)
		got := lines(t, out)
		if strings.Contains(got, "tok-") || unparsed != 0 {
			t.Errorf("redacted lines hold a secret (unparsed %d):\n%s", unparsed, got)
		}
		if !strings.Contains(got, `\"connectionToken\":\"[redacted]\"`) || !strings.Contains(got, `\"connectionId\":\"cid-1\"`) {
			t.Errorf("the answer's token is not hidden as the Proxy hides it:\n%s", got)
		}
		if lines(t, in) != before {
			t.Errorf("the lines given were changed:\n%s", lines(t, in))
		}
		hub, _ := r.Session([]*format.Event{{Type: format.TypeSession, Session: "h", URL: "/hub?id=tok-CONN"}})
		if hub[0].URL != "/hub?id=%5Bredacted%5D" {
			t.Errorf("the hub's URL is %q, want its id= hidden", hub[0].URL)
		}
	})
	t.Run("not a bootstrap", func(t *testing.T) {
		in := negotiateLines()
		in[0].Protocol = ""
		out, _ := (&Redactor{}).Session(in)
		if got := string(out[2].Data); !strings.Contains(got, "tok-CONN") {
			t.Errorf("a plain poll's answer was changed: %s", got)
		}
	})
	t.Run("flags", func(t *testing.T) {
		r := &Redactor{Redaction: Redaction{Headers: []string{"X-Team"}, Query: []string{"room"}, JSONFields: []string{"password"}}}
		in := []*format.Event{
			{Type: format.TypeSession, Session: "w", URL: "/ws?room=tok-ROOM&v=2", RequestHeaders: map[string][]string{"X-Team": {"tok-TEAM"}}},
			{Type: format.TypeMessage, Session: "w", Dir: format.Receive, Opcode: format.Text, Data: []byte(`{"user":"a","password":"tok-PW"}`)},
			{Type: format.TypeMessage, Session: "w", Dir: format.Receive, Opcode: format.Text, Data: []byte(`"password": {tok-TORN`)},
		}
		out, unparsed := r.Session(in)
		got := lines(t, out[:2])
		if strings.Contains(got, "tok-") || !strings.Contains(got, `v=2`) || !strings.Contains(got, `\"user\":\"a\"`) {
			t.Errorf("redacted lines:\n%s\nwant every tok- hidden and the rest kept", got)
		}
		if unparsed != 1 || string(out[2].Data) != string(in[2].Data) {
			t.Errorf("unparsed %d, %q; want 1 and the message kept whole, as the Proxy keeps it", unparsed, out[2].Data)
		}
	})
}

// TestRedactorKeepsRecorded: the lines the Proxy recorded come out of a
// Redactor with the same Redaction as they went in, so a recording and
// lines redacted by a Redactor compare equal where only secrets differed.
func TestRedactorKeepsRecorded(t *testing.T) {
	red := Redaction{JSONFields: []string{"password"}, Query: []string{"room"}}
	p, ts, sink, dir := proxyFor(t, bootstrapUpstream(t), func(p *Proxy) { p.Redaction = red })
	req, _ := http.NewRequest("POST", ts.URL+"/hub/negotiate?negotiateVersion=1&room=9", nil)
	req.Header.Set("Authorization", "Bearer abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c := dial(t, ts, "/hub?id=tok-SECRET-1&room=9", nil)
	c.Write(t.Context(), websocket.MessageText, []byte(`{"password":"pw"}`+"\x1e"))
	c.Read(t.Context())
	c.Read(t.Context()) // the close
	nettest.WaitFor(t, "the sessions to end", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	if len(recs) != 2 {
		t.Fatalf("recorded %d sessions, want the negotiate and the hub", len(recs))
	}
	for name, evs := range recs {
		got, _ := (&Redactor{Redaction: red}).Session(evs)
		if !reflect.DeepEqual(got, evs) {
			t.Errorf("%s: a Redactor changed the recorded\n%s\ninto\n%s", name, dump(evs), dump(got))
		}
	}
}

// lines writes evs as lines, each at the same time.
func lines(t *testing.T, evs []*format.Event) string {
	t.Helper()
	var b []byte
	for _, e := range evs {
		c := *e
		c.Time = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		var err error
		if b, err = format.AppendLine(b, &c); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}
