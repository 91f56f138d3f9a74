package protocol_test

import (
	"fmt"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// A caller cuts a session's WebSocket messages into the protocol's own
// messages before it asks the profile about them: here an MQTT CONNECT
// that came in three WebSocket messages, and a CONNACK and a SUBACK that
// came in one.
func ExampleFramer() {
	var p protocol.Profile = protocol.MQTT{}
	f, ok := p.(protocol.Framer) // a capability: the caller checks for it
	if !ok {
		return
	}
	split := f.NewSplitter() // one per stream of messages: this recording
	stream := []protocol.Message{
		{Dir: format.Send, Binary: true, Data: []byte{0x10, 16}},
		{Dir: format.Send, Binary: true, Data: []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60}},
		{Dir: format.Send, Binary: true, Data: []byte{0, 4, 'j', 's', '_', '1'}},
		{Dir: format.Receive, Binary: true, Data: []byte{0x20, 2, 0, 0, 0x90, 3, 0x10, 0x92, 1}},
	}
	for _, ws := range stream {
		for _, m := range split.Split(ws) {
			fmt.Println(m.Dir, p.Describe(m).Summary)
		}
	}
	// Output:
	// send CONNECT MQTT 3.1.1 keepalive 60s client "js_1"
	// receive CONNACK code 0
	// receive SUBACK id 4242
}
