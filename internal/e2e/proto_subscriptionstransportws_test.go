package e2e

import (
	"testing"
	"time"
)

// subscriptions-transport-ws 0.11's SubscriptionClient (counter ids: a
// query, a failing query, a mutation, a subscription; the server's "ka"
// every 300 ms, the client's timeout 1 s) against its own
// SubscriptionServer.
func TestProtoSubscriptionsTransportWS(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-subscriptions-transport-ws-server.mjs",
		client:   "proto-subscriptions-transport-ws.mjs",
		path:     "/subscriptions",
		timeout:  time.Second,
		events:   12,
		beats:    true,
		protocol: "subscriptions-transport-ws",
	})
}
