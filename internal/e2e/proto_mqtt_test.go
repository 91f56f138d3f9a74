package e2e

import (
	"testing"
	"time"
)

// MQTT 3.1.1 over WebSocket: MQTT.js 5.16 (keepalive 2 s: it gives up 3 s
// after a PINGREQ without a PINGRESP; packet ids from a random start; each
// packet cut over several WebSocket messages) against the aedes 1.2 broker:
// a subscription, QoS 0 and QoS 1 publishes, an unsubscription, end().
func TestProtoMQTT(t *testing.T) {
	testProtocol(t, protoCase{
		server:   "proto-mqtt-server.mjs",
		client:   "proto-mqtt.mjs",
		path:     "/mqtt",
		timeout:  3 * time.Second,
		events:   8,
		beats:    true,
		protocol: "mqtt",
	})
}
