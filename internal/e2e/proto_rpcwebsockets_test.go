package e2e

import (
	"testing"
	"time"
)

// JSON-RPC 2.0: rpc-websockets 10's Client with random request ids (calls
// that answer, a failing call, an unknown method, a subscription to events
// and the events, a notification; each call's reply timeout 1 s) against
// rpc-websockets' own Server.
func TestProtoJSONRPC(t *testing.T) {
	testProtocol(t, protoCase{
		server:  "proto-rpc-websockets-server.mjs",
		client:  "proto-rpc-websockets.mjs",
		path:    "/rpc",
		timeout: time.Second,
		events:  12,
	})
}
