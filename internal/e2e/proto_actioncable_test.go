package e2e

import (
	"testing"
	"time"
)

// Action Cable: @rails/actioncable 8.1's consumer (subscriptions with a
// random tab id in their identifier, performs, a rejected subscription, an
// unsubscribe; its connection monitor declares the connection stale 4 s
// after the last ping) against proto-actioncable-server.mjs, written from
// the published Action Cable protocol (welcome, a ping every 3 s,
// subscribe/confirm_subscription, messages).
func TestProtoActionCable(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-actioncable-server.mjs",
		client:   "proto-actioncable.mjs",
		path:     "/cable",
		timeout:  4 * time.Second,
		events:   8,
		beats:    true,
		protocol: "actioncable",
	})
}
