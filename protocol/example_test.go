package protocol_test

import (
	"fmt"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// A command reading a recording finds each session's protocol from its
// session line and describes its messages.
func ExampleSet_Detect() {
	session := &format.Event{Type: format.TypeSession, URL: "/graphql", Subprotocol: "graphql-transport-ws"}
	p := protocol.Default().Detect(protocol.OpeningOf(session))
	msg := &format.Event{Type: format.TypeMessage, Dir: format.Send, Opcode: format.Text,
		Data: []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription OnPrice { price }"}}`)}
	d := p.Describe(protocol.MessageOf(msg))
	fmt.Println(p.Name())
	fmt.Printf("%s %s %s\n", d.Kind, d.Name, d.ID)
	// Output:
	// graphql-transport-ws
	// subscribe OnPrice 1
}

// A replay holds a recorded reply until the live client has sent its
// request, and sends it under the live client's id.
func ExampleNewPairing() {
	var p protocol.Profile = protocol.GraphQLTransportWS{}
	e, ok := p.(protocol.Echoer) // a capability: the caller checks for it
	if !ok {
		return
	}
	pairs := protocol.NewPairing(e)
	client := func(s string) protocol.Message { return protocol.Message{Dir: format.Send, Data: []byte(s)} }
	reply := protocol.Message{Dir: format.Receive, Data: []byte(`{"id":"rec-7","type":"next","payload":{"data":{"price":3}}}`)}

	pairs.Recorded(client(`{"id":"rec-7","type":"subscribe","payload":{"query":"subscription OnPrice { price }"}}`))
	fmt.Println(pairs.Ready(reply))
	pairs.Live(client(`{"id":"0c1d","type":"subscribe","payload":{"query":"subscription OnPrice { price }"}}`))
	fmt.Println(pairs.Ready(reply))
	fmt.Println(string(pairs.Rewrite(reply)))
	// Output:
	// false
	// true
	// {"id":"0c1d","type":"next","payload":{"data":{"price":3}}}
}

// A session whose JSON protocol no profile knows gets the generic rule:
// a Learned per replay, behind the same Pairing.
func ExampleNewLearned() {
	pairs := protocol.NewPairing(protocol.NewLearned())
	client := func(s string) protocol.Message { return protocol.Message{Dir: format.Send, Data: []byte(s)} }
	reply := protocol.Message{Dir: format.Receive, Data: []byte(`{"type":"subscribed","request":"rq-19","rows":3}`)}

	pairs.Recorded(client(`{"op":"subscribe","channel":"prices","request":"rq-19"}`))
	fmt.Println(pairs.Ready(reply))
	pairs.Live(client(`{"op":"subscribe","channel":"prices","request":"rq-a1"}`))
	fmt.Println(pairs.Ready(reply))
	fmt.Println(string(pairs.Rewrite(reply)))
	// Output:
	// false
	// true
	// {"type":"subscribed","request":"rq-a1","rows":3}
}
