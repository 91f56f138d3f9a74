package replayer

import (
	"slices"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// rawJSONSession speaks a JSON protocol no profile knows: a request at
// 1 s whose "req" its answer echoes 50 ms later, and a tick at 2 s that
// answers nothing.
func rawJSONSession(tick string) *Session {
	return session(
		msg(100, format.Receive, `{"op":"hello"}`),
		msg(1000, format.Send, `{"op":"get","req":"r-17"}`),
		msg(1050, format.Receive, `{"op":"result","req":"r-17","v":1}`),
		msg(2000, format.Receive, tick),
	)
}

// TestGenericRuleFollowsIDs: with no profile, a JSON session's replies
// still wait for their requests and carry the client's values (the
// generic rule, protocol.NewLearned); a reply whose request never comes
// is held genericHold at most, then goes as recorded; a session that is
// not all JSON, or played with --protocol none, keeps the tape.
func TestGenericRuleFollowsIDs(t *testing.T) {
	const tick = `{"op":"tick","n":1}`
	tests := []struct {
		name   string
		srv    *Server
		sess   *Session
		client []arrival
		want   []arrival
	}{
		{"the reply waits and takes the live value", &Server{}, rawJSONSession(tick),
			[]arrival{{ms(3000), `{"op":"get","req":"q-99"}`}},
			[]arrival{{ms(100), `{"op":"hello"}`}, {ms(3050), `{"op":"result","req":"q-99","v":1}`}, {ms(3050), tick}}},
		{"no request: held at most genericHold", &Server{}, rawJSONSession(tick), nil,
			[]arrival{{ms(100), `{"op":"hello"}`}, {ms(1050) + genericHold, `{"op":"result","req":"r-17","v":1}`}, {ms(1050) + genericHold, tick}}},
		{"a late request: still genericHold past the reply's time at most", &Server{}, session(
			msg(100, format.Receive, `{"op":"hello"}`),
			msg(1000, format.Send, `{"op":"get","req":"r-17"}`),
			msg(12000, format.Receive, `{"op":"result","req":"r-17","v":1}`)),
			[]arrival{{ms(9000), `{"op":"get","req":"q-99"}`}},
			[]arrival{{ms(100), `{"op":"hello"}`}, {ms(12000) + genericHold, `{"op":"result","req":"q-99","v":1}`}}},
		{"--protocol none", &Server{Protocol: protocol.NoProtocol}, rawJSONSession(tick),
			[]arrival{{ms(3000), `{"op":"get","req":"q-99"}`}},
			[]arrival{{ms(100), `{"op":"hello"}`}, {ms(1050), `{"op":"result","req":"r-17","v":1}`}, {ms(2000), tick}}},
		{"not all JSON", &Server{}, session(
			msg(100, format.Receive, `hello`),
			msg(1000, format.Send, `{"op":"get","req":"r-17"}`),
			msg(1050, format.Receive, `{"op":"result","req":"r-17","v":1}`)),
			[]arrival{{ms(3000), `{"op":"get","req":"q-99"}`}},
			[]arrival{{ms(100), `hello`}, {ms(1050), `{"op":"result","req":"r-17","v":1}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := playEcho(t, tt.srv, tt.sess, tt.client, nil, 30*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}
