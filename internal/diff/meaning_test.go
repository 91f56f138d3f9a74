package diff

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// sse is a session of an event stream whose events are given as SSE
// fields and data.
func sse(evs ...format.SSE) *events {
	s := session()
	s.evs[0].Kind = format.KindSSE
	for _, f := range evs {
		data := "{\"n\":1}"
		if f.NoData {
			data = ""
		}
		s.evs = append(s.evs, &format.Event{Type: format.TypeMessage, Session: "s", Time: t0,
			Dir: format.Receive, Opcode: format.Text, Data: []byte(data), SSE: &f})
	}
	return s
}

// An SSE event is compared by its event type, id and retry with its data:
// the same data under another name, id or retry is a change.
func TestCompareSSE(t *testing.T) {
	t.Parallel()

	base := []format.SSE{{Event: "odd", ID: "1", HasID: true}, {Event: "even", ID: "2", HasID: true}, {Retry: 3000, NoData: true}}
	with := func(i int, f func(*format.SSE)) []format.SSE {
		evs := append([]format.SSE(nil), base...)
		f(&evs[i])
		return evs
	}
	tests := []struct {
		name    string
		b       []format.SSE
		changed int
	}{
		{"the same", base, 0},
		{"event name", with(0, func(e *format.SSE) { e.Event = "weird" }), 1},
		{"id", with(1, func(e *format.SSE) { e.ID = "7" }), 1},
		{"no id", with(1, func(e *format.SSE) { e.HasID = false }), 1},
		{"retry", with(2, func(e *format.SSE) { e.Retry = 5000 }), 1},
		{"message is the default name", []format.SSE{{Event: "odd", ID: "1", HasID: true}, {Event: "even", ID: "2", HasID: true}, {Event: "message", Retry: 3000, NoData: true}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compare(sse(base...), sse(tt.b...), nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Changed != tt.changed || r.Equal != 3-tt.changed {
				t.Errorf("changed %d, equal %d; want %d, %d", r.Changed, r.Equal, tt.changed, 3-tt.changed)
			}
		})
	}
}

// sio is a Socket.IO session of the given Engine.IO packets.
func sio(lines ...string) *events {
	s := session(lines...)
	s.evs[0].Kind = format.KindSocketIO
	return s
}

// A Socket.IO session is compared packet by meaning: the handshake's sid
// and ping timing, the transport's pings and pongs, and the ack ids a
// client chose are not differences; an event's name, namespace and args
// (as JSON) are; --ignore paths reach into the args and the open packet.
func TestCompareSocketIO(t *testing.T) {
	t.Parallel()

	a := []string{
		`<- 0{"sid":"aaaaaaaaaaaaaaaaaaaa","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		`-> 40`,
		`<- 40{"sid":"bbbbbbbbbbbbbbbbbbbb"}`,
		`-> 42["hello",{"name":"ada","ts":1}]`,
		`-> 4212["add",1,2]`,
		`<- 4312[3]`,
		`<- 2`, `-> 3`,
		`<- 42/admin,["tick",{"n":1}]`,
	}
	b := []string{
		`<- 0{"pingTimeout":5000,"sid":"cccccccccccccccccccc","pingInterval":300,"upgrades":["websocket"],"maxPayload":1000000}`,
		`-> 40`,
		`<- 40{"sid":"dddddddddddddddddddd"}`,
		`-> 42["hello",{"ts":2,"name":"ada"}]`,
		`<- 2`, `-> 3`, `<- 2`, `-> 3`,
		`-> 427["add",1,2]`,
		`<- 437[3]`,
		`<- 42/admin,["tick",{"n":1.0}]`,
	}
	set := func(lines []string, i int, s string) []string {
		c := append([]string(nil), lines...)
		c[i] = s
		return c
	}
	tests := []struct {
		name    string
		b       []string
		ignore  []string
		exact   bool
		changed int
	}{
		{"same meaning", b, []string{"$[1].ts"}, false, 0},
		{"an arg's ts", b, nil, false, 1},
		{"ignored anywhere", b, []string{"$..ts"}, false, 0},
		{"exact ids", b, []string{"$..ts"}, true, 2},
		{"event name", set(b, 10, `<- 42/admin,["tock",{"n":1}]`), []string{"$..ts"}, false, 1},
		{"namespace", set(b, 10, `<- 42["tick",{"n":1}]`), []string{"$..ts"}, false, 1},
		{"ack answer", set(b, 9, `<- 437[4]`), []string{"$..ts"}, false, 1},
		{"open packet", set(b, 0, `<- 0{"sid":"c","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":1000000}`), []string{"$..ts"}, false, 1},
		{"open packet, ignored", set(b, 0, `<- 0{"sid":"c","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":1000000}`), []string{"$..ts", "$.upgrades"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Options{ExactIDs: tt.exact}
			for _, s := range tt.ignore {
				o.Ignore = append(o.Ignore, mustPath(s))
			}
			r, err := Compare(sio(a...), sio(tt.b...), o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Changed != tt.changed || r.Added+r.Removed != 0 || r.Equal != 7-tt.changed {
				t.Errorf("changed %d, added %d, removed %d, equal %d; want %d changed, %d equal\n%s", r.Changed, r.Added, r.Removed, r.Equal, tt.changed, 7-tt.changed, hunkText(r.Hunks))
			}
		})
	}
}

// The messages kept describe themselves as their protocol reads them.
func TestDescribeKept(t *testing.T) {
	t.Parallel()
	r, err := Compare(sio(`<- 42["tick",1]`), sio(`<- 42["tock",1]`), nil)
	if err != nil || len(r.Hunks) != 1 {
		t.Fatalf("%v, %d hunks", err, len(r.Hunks))
	}
	e := r.Hunks[0].Edits[0]
	if d := e.B.Describe(); e.Kind != Changed || d.Kind != "EVENT" || d.Name != "tock" {
		t.Errorf("%s: described as %+v, want an EVENT tock", e.Kind, d)
	}
}

// poll is a poll session of requests ("GET /path?q") and responses
// ("200"), each with the body {"n":1}.
func poll(lines ...string) *events {
	s := session()
	s.evs[0].Kind = format.KindPoll
	for _, l := range lines {
		e := &format.Event{Type: format.TypeMessage, Session: "s", Time: t0, Opcode: format.Text, Data: []byte(`{"n":1}`)}
		var method, u string
		if _, err := fmt.Sscanf(l, "%s %s", &method, &u); err == nil {
			e.Dir, e.HTTP = format.Send, &format.HTTP{Method: method, URL: u}
		} else {
			status, _ := strconv.Atoi(l)
			e.Dir, e.HTTP = format.Receive, &format.HTTP{Status: status}
		}
		s.evs = append(s.evs, e)
	}
	return s
}

// A poll's request is compared by its method and path (not its query)
// with its body, a response by its status with its body.
func TestComparePolls(t *testing.T) {
	t.Parallel()

	a := []string{"GET /poll?t=1", "200", "POST /send", "204"}
	tests := []struct {
		name    string
		b       []string
		changed int
	}{
		{"another query", []string{"GET /poll?t=99", "200", "POST /send", "204"}, 0},
		{"a status", []string{"GET /poll?t=1", "500", "POST /send", "204"}, 1},
		{"a method", []string{"GET /poll?t=1", "200", "PUT /send", "204"}, 1},
		{"a path", []string{"GET /poll2?t=1", "200", "POST /send", "204"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compare(poll(a...), poll(tt.b...), nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Changed != tt.changed || r.Equal != 4-tt.changed {
				t.Errorf("changed %d, equal %d; want %d, %d", r.Changed, r.Equal, tt.changed, 4-tt.changed)
			}
		})
	}
}
