package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
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

// TestCatDescribesSplitMQTT: an MQTT packet cut over several WebSocket
// messages (mqtt.js writes a CONNECT in pieces, aedes a SUBACK) is
// described on the message that completes it, the pieces before it say
// they are pieces, and a message of several packets describes each.
func TestCatDescribesSplitMQTT(t *testing.T) {
	b64 := func(b ...byte) string { return base64.StdEncoding.EncodeToString(b) }
	connect := []byte{0x10, 16, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 2, 0, 4, 'j', 's', '_', '1'}
	lines := []string{`{"type":"session","v":1,"session":"m","time":"2026-12-07T10:00:00Z","url":"/mqtt","subprotocol":"mqtt"}`}
	msg := func(ms int, dir string, b []byte) {
		lines = append(lines, fmt.Sprintf(`{"type":"message","session":"m","time":"2026-12-07T10:00:00.%03dZ","dir":%q,"binary":%q}`, ms, dir, b64(b...)))
	}
	msg(0, "send", connect[:1])
	msg(1, "send", connect[1:2])
	msg(2, "send", connect[2:])
	msg(5, "receive", []byte{0x90})
	msg(6, "receive", []byte{0x03})
	msg(7, "receive", []byte{0x00, 0x07})
	msg(8, "receive", []byte{0x01})
	msg(9, "receive", []byte{0x30, 5, 0, 1, 'a', 'h', 'i', 0xd0, 0})
	file := filepath.Join(t.TempDir(), "mqtt.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := wsreplay(t, "cat", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"->     1 B  (part of a message completed later)\n",
		`->    16 B  CONNECT MQTT 3.1.1 keepalive 2s client "js_1"` + "\n",
		"<-     2 B  (part of a message completed later)\n",
		"<-     1 B  SUBACK id 7\n",
		`<-     9 B  PUBLISH "a" qos 0 2 bytes "hi" · PINGRESP` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("cat lacks %q:\n%s", want, out)
		}
	}
}
