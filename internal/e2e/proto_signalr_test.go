package e2e

import (
	"testing"
	"time"
)

// SignalR's JSON hub protocol over WebSocket: @microsoft/signalr 10's
// HubConnection (default negotiation; it gives up on a server silent for
// 2 s) against signalr-server.mjs, a hub written from the protocol
// documents, pinging every 500 ms.
func TestProtoSignalR(t *testing.T) {
	testProtocol(t, protoCase{
		start: func(t *testing.T) string {
			_, port := startNode(t, "signalr-server.mjs", "0", "500")
			return port
		},
		client:   "proto-signalr.mjs",
		path:     "/hub",
		timeout:  2 * time.Second,
		events:   4,
		beats:    true,
		protocol: "",
	})
}
