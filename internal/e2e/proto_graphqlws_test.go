package e2e

import (
	"testing"
	"time"
)

// graphql-ws 6.4's createClient (default UUID operation ids: a query, a
// failing query, a mutation, a subscription; keepAlive pings with a 1 s
// pong timeout) against graphql-ws's own server on ws and graphql.
func TestProtoGraphQLWS(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-graphql-ws-server.mjs",
		client:   "proto-graphql-ws.mjs",
		path:     "/graphql",
		timeout:  time.Second,
		events:   12,
		beats:    true,
		protocol: "graphql-transport-ws",
	})
}
