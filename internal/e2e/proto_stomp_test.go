package e2e

import (
	"testing"
	"time"
)

// STOMP 1.2: @stomp/stompjs 7.5's Client (subscriptions, receipts with
// random ids, client-individual acks, heart-beats 1000,1000: it gives up
// after 2 s without a byte from the server) against proto-stomp-server.mjs,
// a broker written from the STOMP 1.2 specification.
func TestProtoSTOMP(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-stomp-server.mjs",
		client:   "proto-stomp.mjs",
		path:     "/stomp",
		timeout:  2 * time.Second,
		events:   10,
		beats:    true,
		protocol: "stomp",
	})
}
