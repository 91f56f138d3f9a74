package e2e

import (
	"testing"
	"time"
)

// Phoenix channels: phoenix 1.8's Socket and Channel (V2 JSON serializer;
// a join, pushes with "ok" and "error" replies, a broadcast, the channel's
// own push, a leave; a heartbeat every 1 s, the connection given up when a
// heartbeat's reply is 1 s late) against proto-phoenix-server.mjs, written
// from Phoenix's documentation of its sockets, channels and serializer.
func TestProtoPhoenix(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-phoenix-server.mjs",
		client:   "proto-phoenix.mjs",
		path:     "/socket",
		timeout:  time.Second,
		events:   10,
		beats:    true,
		protocol: "phoenix",
	})
}
