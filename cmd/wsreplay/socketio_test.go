package main

import (
	"strings"
	"testing"
)

// ls marks a Socket.IO session, one row per sid; cat shows its packets as
// Socket.IO events: namespace, event, arguments, ack id, attachments, and
// the transport that carried each.
func TestSocketIOListing(t *testing.T) {
	out, errOut, code := wsreplay(t, "ls", "../../testdata/socketio/sio4.ndjson", "../../testdata/socketio/sio2.ndjson")
	if code != 0 || strings.Count(out, " socketio ") != 2 || strings.Count(out, "\n") != 3 {
		t.Errorf("ls: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = wsreplay(t, "cat", "../../testdata/socketio/sio4.ndjson")
	for _, want := range []string{
		"socketio EIO=4 pingInterval=300ms pingTimeout=200ms",
		`socket.io CONNECT / {"token":"[redacted]"}  (polling)`,
		`engine.io ping probe  (websocket)`,
		`socket.io EVENT / "join" ["lobby"] ack 0  (websocket)`,
		`socket.io BINARY_EVENT / "blob" [{"name":"bytes","data":{"_placeholder":true,"num":0}}] +1 attachmen`,
		`attachment 00 01 02 fe ff  (websocket)`,
		`socket.io ACK /admin [{"kicked":"bo"}] ack 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("cat lacks %s:\n%s%s", want, out, errOut)
		}
	}
	if code != 0 {
		t.Errorf("cat: exit %d", code)
	}
}
