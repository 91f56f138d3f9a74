package e2e

import (
	"testing"
	"time"
)

// STOMP over SockJS, as Spring's STOMP endpoints serve it: @stomp/stompjs
// 7.5's Client on sockjs-client 1.6 against proto-stomp-server.mjs's
// broker on sockjs-node 0.3 (/stomp-sockjs), on SockJS's default transport
// (websocket), on xhr-streaming and on xhr-polling, recorded with no flag as a kind sockjs
// session, replayed slower than recorded, through a pause and past the
// recording's end: STOMP's receipts follow the client's random ids and
// its heart-beats (inside SockJS messages) are live.
func TestProtoSTOMPOverSockJS(t *testing.T) {
	for _, transport := range []string{"", "#xhr-streaming", "#xhr-polling"} {
		name := "default"
		if transport != "" {
			name = transport[1:]
		}
		t.Run(name, func(t *testing.T) {
			testProtocol(t, protoCase{
				server:  "proto-stomp-server.mjs",
				client:  "proto-stomp.mjs",
				path:    "/stomp-sockjs" + transport,
				timeout: 2 * time.Second,
				events:  10,
				beats:   true,
			})
		})
	}
}
