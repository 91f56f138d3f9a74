package replayer

import (
	"net/url"
	"testing"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// TestReplayDetectsProtocol: a replay speaks the protocol --protocol
// names, else the session line's, else the one its opening shows; "none"
// turns them off.
func TestReplayDetectsProtocol(t *testing.T) {
	u, _ := url.Parse("/graphql")
	gql := &Session{Kind: format.KindWebSocket, URL: "/graphql", Subprotocol: "graphql-transport-ws"}
	named := &Session{Kind: format.KindWebSocket, URL: "/x", at: &place{url: "/x", protocol: "graphql-transport-ws"}}
	plain := &Session{Kind: format.KindWebSocket, URL: "/x"}
	for _, c := range []struct {
		name     string
		srv      *Server
		sess     *Session
		subproto string
		want     string
	}{
		{"subprotocol recorded", &Server{}, gql, "", "graphql-transport-ws"},
		{"session line", &Server{}, named, "", "graphql-transport-ws"},
		{"live subprotocol stands in", &Server{}, plain, "graphql-transport-ws", "graphql-transport-ws"},
		{"nothing known", &Server{}, plain, "", ""},
		{"--protocol none", &Server{Protocol: protocol.NoProtocol}, gql, "", ""},
		{"--protocol names one", &Server{Protocol: "subscriptions-transport-ws"}, plain, "", "subscriptions-transport-ws"},
		{"no profiles", &Server{Protocols: protocol.Set{}}, gql, "", ""},
	} {
		got := ""
		if p := c.srv.detector(c.sess, u, c.subproto).Profile(); p != nil {
			got = p.Name()
		}
		if got != c.want {
			t.Errorf("%s: protocol %q, want %q", c.name, got, c.want)
		}
	}
}
