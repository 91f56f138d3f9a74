package main

import (
	"strings"
	"testing"
)

// TestCatDescribesProtocols: cat shows each message as its session's
// protocol reads it (protocol.Default(): GraphQL over WebSocket here,
// named on the session line, or detected by its subprotocol, or by its
// first messages when the session line has neither), and the payload of
// messages the protocol cannot read.
func TestCatDescribesProtocols(t *testing.T) {
	const file = "../../testdata/graphql/graphql-transport-ws.ndjson"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"by subprotocol", []string{"--session", "g1", file}, []string{
			"subprotocol graphql-transport-ws  protocol graphql-transport-ws\n",
			`->   170 B  subscribe OnPrice id "5c9a2e1f-8f7e-4a51-9d0c-0d3f4b2a7e11" {"sym":"ACME"}` + "\n",
			`<-    94 B  next id "5c9a2e1f-8f7e-4a51-9d0c-0d3f4b2a7e11" {"data":{"price":101.5}}` + "\n",
			"->    15 B  ping\n",
			`->   102 B  subscribe query id "0b7f3c44-2d1e-4c8a-a6b5-91e2f0c3d4a9"` + "\n",
			`<-    63 B  complete id "0b7f3c44-2d1e-4c8a-a6b5-91e2f0c3d4a9"` + "\n",
		}},
		{"by first messages", []string{"--session", "g2", file}, []string{
			"== session g2  /graphql  2026-12-07T10:00:01Z\n",
			`->    26 B  {"type":"connection_init"}` + "\n", // not yet told apart from any JSON
			`->    97 B  subscribe Me id "1"` + "\n",
			`<-    65 B  next id "1" {"data":{"me":{"name":"Ada"}}}` + "\n",
		}},
		{"named on the session line", []string{"--session", "g3", file}, []string{
			"== session g3  /subscriptions  2026-12-07T10:00:02Z  protocol subscriptions-transport-ws\n",
			`->    75 B  start Ticks id "1"` + "\n",
			"<-    13 B  ka\n",
			`<-    54 B  data id "1" {"data":{"tick":1}}` + "\n",
		}},
		{"found from messages a filter leaves out", []string{"--session", "g2", "--dir", "receive", file}, []string{
			`<-    65 B  next id "1" {"data":{"me":{"name":"Ada"}}}` + "\n",
		}},
		{"pretty adds the payload", []string{"--pretty", "--session", "g2", "--dir", "send", file}, []string{
			`->    97 B  subscribe Me id "1" {` + "\n" + `                "id": "1",`,
		}},
		{"socket.io through the same seam", []string{"--pretty", "../../testdata/socketio/sio4.ndjson"}, []string{
			`socket.io EVENT / "join" ["lobby"] ack 0  (websocket)` + "\n",
			"engine.io ping  (websocket)\n", // "2" is JSON, but no document to pretty-print
			"engine.io upgrade  (websocket)\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := wsreplay(t, append([]string{"cat"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("cat lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
