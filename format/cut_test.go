package format

import (
	"testing"
	"time"
)

func TestCut(t *testing.T) {
	t.Parallel()

	at := func(s string, ms int) time.Time {
		return t0.Add(time.Duration(ms) * time.Millisecond)
	}
	evs := []*Event{
		{Type: TypeSession, Version: 1, Session: "a", Time: at("a", 0), URL: "/a"},
		{Type: TypeSession, Version: 1, Session: "b", Time: at("b", 500), URL: "/b"},
		{Type: TypeMessage, Session: "a", Time: at("a", 1000), Dir: Receive, Opcode: Text, Data: []byte("a1")},
		{Type: TypeMessage, Session: "b", Time: at("b", 1200), Dir: Send, Opcode: Text, Data: []byte("b1")},
		{Type: TypeMessage, Session: "a", Time: at("a", 2500), Dir: Send, Opcode: Text, Data: []byte("a2")},
		{Type: TypeMessage, Session: "b", Time: at("b", 2600), Dir: Receive, Opcode: Text, Data: []byte("b2")},
		{Type: TypeMessage, Session: "a", Time: at("a", 4000), Dir: Receive, Opcode: Text, Data: []byte("a3")},
		{Type: TypeClose, Session: "a", Time: at("a", 5000), Code: 1000, Clean: true},
		{Type: TypeClose, Session: "b", Time: at("b", 5000), Code: 1000, Clean: true},
	}
	run := func(c Cut) []string {
		ct := NewCutter(c)
		var out []string
		for _, e := range evs {
			for _, k := range ct.Apply(e) {
				out = append(out, k.Session+":"+string(k.Type)[:1]+string(k.Data)+"@"+k.Time.Sub(t0).String())
			}
		}
		return out
	}
	tests := []struct {
		name string
		cut  Cut
		want string
	}{
		{"everything", Cut{}, "[a:s@0s b:s@500ms a:ma1@1s b:mb1@1.2s a:ma2@2.5s b:mb2@2.6s a:ma3@4s a:c@5s b:c@5s]"},
		{"one session", Cut{Sessions: []string{"b"}}, "[b:s@500ms b:mb1@1.2s b:mb2@2.6s b:c@5s]"},
		{"window by offset", Cut{Sessions: []string{"a"}, From: 2 * time.Second, To: 4 * time.Second}, "[a:s@2s a:ma2@2.5s a:ma3@4s]"},
		{"window by time", Cut{FromTime: at("", 2000), ToTime: at("", 3000)}, "[a:s@2s a:ma2@2.5s b:s@2s b:mb2@2.6s]"},
		{"direction", Cut{Dir: Send}, "[a:s@0s b:s@500ms b:mb1@1.2s a:ma2@2.5s a:c@5s b:c@5s]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtList(run(tt.cut)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func fmtList(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}
