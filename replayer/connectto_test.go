package replayer

import (
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// The session list gives what a client is configured with: a Socket.IO
// server's base URL (and its path when not the default), a SockJS base, a
// SignalR hub, not the request of one transport.
func TestConnectTo(t *testing.T) {
	withProtocol := func(s *Session, p string) *Session {
		s.at = &place{url: s.URL, protocol: p}
		return s
	}
	for _, c := range []struct {
		sess *Session
		want string
	}{
		{&Session{Kind: format.KindWebSocket, URL: "/live?room=1"}, "ws://h:1/live?room=1"},
		{&Session{Kind: format.KindSocketIO, URL: "/socket.io/?EIO=4&transport=polling&t=PbX1"}, "http://h:1"},
		{&Session{Kind: format.KindSocketIO, URL: "/rt/?EIO=4&transport=websocket"}, "http://h:1 (path: /rt/)"},
		{&Session{Kind: format.KindSSE, URL: "/events?x=1"}, "http://h:1/events?x=1"},
		{withProtocol(&Session{Kind: format.KindPoll, URL: "/echo/info"}, "sockjs"), "http://h:1/echo"},
		{withProtocol(&Session{Kind: format.KindWebSocket, URL: "/echo/123/abc/websocket"}, "sockjs"), "http://h:1/echo"},
		{withProtocol(&Session{Kind: format.KindPoll, URL: "/hub/negotiate?negotiateVersion=1"}, "signalr"), "http://h:1/hub"},
		{withProtocol(&Session{Kind: format.KindWebSocket, URL: "/hub?id=%5Bredacted%5D"}, "signalr"), "http://h:1/hub"},
		{&Session{Kind: format.KindWebSocket}, "ws://h:1/"},
	} {
		if got := connectTo(c.sess, "h:1", false); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.sess.Kind, c.sess.URL, got, c.want)
		}
	}
	if got := connectTo(&Session{Kind: format.KindWebSocket, URL: "/x"}, "h:1", true); got != "wss://h:1/x" {
		t.Errorf("over TLS: %q", got)
	}
}
