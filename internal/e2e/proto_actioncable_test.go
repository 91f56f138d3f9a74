package e2e

import (
	"testing"
	"time"
)

// Action Cable: @rails/actioncable 8.1's consumer (subscriptions with a
// random tab id in their identifier, performs, a rejected subscription, an
// unsubscribe; its connection monitor declares the connection stale 4 s
// after the last ping; then a second connection the server disconnects as
// unauthorized) against proto-actioncable-server.mjs, written from the
// published Action Cable protocol (welcome, a ping every 3 s,
// subscribe/confirm_subscription, messages, disconnect).
func TestProtoActionCable(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-actioncable-server.mjs",
		client:   "proto-actioncable.mjs",
		path:     "/cable",
		timeout:  4 * time.Second,
		events:   9,
		beats:    true,
		protocol: "actioncable",
	})
}
