package replayer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/internal/readable"
)

// Injecting into a Socket.IO replay: the event form ({"event", "args",
// "namespace", "attachments"}) is written as a Socket.IO EVENT (a
// BINARY_EVENT with attachments) to a namespace the client has joined;
// text must be a whole Engine.IO packet that a Socket.IO client reads
// (anything else would end its connection with a transport error), and is
// refused otherwise, with nothing sent.

// reservedEvents are the event names Socket.IO keeps for itself (its
// RESERVED_EVENTS): a client does not take them from the server.
var reservedEvents = []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// injection shapes an injection for this replay (control.shape). A client
// on polling that has not come for what is queued (more than
// maxPendingInject bytes) gets no more: sent, it would only be queued.
func (p *eioPlay) injection(in *injection) ([]*format.Event, error) {
	evs, err := p.shape(in)
	if err != nil {
		return nil, err
	}
	p.r.mu.Lock()
	queued := p.r.queued
	p.r.mu.Unlock()
	if queued+payloadSize(evs) > maxPendingInject {
		return nil, &apiError{status: http.StatusConflict, field: "text", msg: fmt.Sprintf(
			"the client has not polled for the %d bytes queued for it: try again later", queued)}
	}
	return evs, nil
}

// shape turns in into the packets it sends.
func (p *eioPlay) shape(in *injection) ([]*format.Event, error) {
	bad := func(field, msg string) error { return &apiError{status: http.StatusBadRequest, msg: msg, field: field} }
	switch {
	case in.sseFields():
		return nil, bad("event", "id, data and retry are an event stream's fields: a Socket.IO event takes event, args, namespace and attachments")
	case in.Event != nil && (in.Text != nil || in.Binary != nil):
		return nil, bad("event", "give an event or a packet as text, not both")
	case in.Event != nil:
		return p.eventInjection(in)
	case in.socketIOFields():
		return nil, bad("event", "args, namespace and attachments go with event: give the event's name")
	case in.Binary != nil:
		return nil, bad("binary", "a Socket.IO replay sends binary data as attachments of an event: give event, args and attachments (base64)")
	case in.Text == nil:
		return nil, bad("event", `give the event to emit ({"event":"tick","args":[1],"namespace":"/"}) or a whole Engine.IO packet as text`)
	}
	pk := []byte(*in.Text)
	if msg := p.checkPacket(pk); msg != "" {
		return nil, bad("text", fmt.Sprintf("%s is not a packet a Socket.IO client takes: %s", readable.Preview(pk, 40), msg))
	}
	return []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: pk}}, nil
}

// eventInjection writes the event form as an EVENT packet, and its
// attachments as binary arguments after args.
func (p *eioPlay) eventInjection(in *injection) ([]*format.Event, error) {
	name, ns := *in.Event, in.Namespace
	if ns == "" {
		ns = "/"
	}
	if !strings.HasPrefix(ns, "/") || strings.ContainsAny(ns, ",?") {
		return nil, &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("namespace %q: a namespace is a path such as / or /admin", ns), field: "namespace"}
	}
	if slices.Contains(reservedEvents, name) {
		return nil, &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("%q is an event name Socket.IO keeps for itself", name), field: "event"}
	}
	p.mu.Lock()
	joined := p.joined[ns]
	p.mu.Unlock()
	if !joined {
		return nil, &apiError{status: http.StatusConflict, msg: fmt.Sprintf("the client has not joined namespace %s (yet)", ns), field: "namespace"}
	}
	args := []any{name}
	for _, a := range in.Args {
		args = append(args, a)
	}
	for i := range in.Attachments {
		args = append(args, map[string]any{"_placeholder": true, "num": i})
	}
	data, err := json.Marshal(args)
	if err != nil { // an arg that is not JSON: json.RawMessage has checked it already
		return nil, &apiError{status: http.StatusBadRequest, msg: err.Error(), field: "args"}
	}
	sio := engineio.SocketIO{Type: engineio.SIOEvent, Namespace: ns, Data: data}
	if n := len(in.Attachments); n > 0 {
		sio.Type, sio.Attachments = engineio.SIOBinaryEvent, n
	}
	evs := []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: sio.Encode()}}
	for _, a := range in.Attachments {
		if p.r.version == 3 {
			a = append([]byte{engineio.Message - '0'}, a...) // revision 3's binary packet: its type first
		}
		evs = append(evs, &format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Binary, Data: a})
	}
	return evs, nil
}

// checkPacket says what is wrong with pk as an Engine.IO packet from the
// server that a Socket.IO client reads ("" if nothing): as socket.io-parser
// checks a packet's payload (isPayloadValid).
func (p *eioPlay) checkPacket(pk []byte) string {
	switch {
	case len(pk) == 0:
		return "it is empty"
	case p.r.version >= 4 && bytes.IndexByte(pk, 0x1e) >= 0:
		return "it holds the record separator \\x1e, which ends a packet in a polling payload"
	}
	switch pk[0] {
	case engineio.Close, engineio.Ping, engineio.Pong, engineio.Noop:
		return ""
	case engineio.Message:
	default:
		return "an Engine.IO packet begins with its type: 1 close, 2 ping, 3 pong, 4 message, 6 noop (or give the event form: event, args, namespace)"
	}
	sio, ok := engineio.ParseSocketIO(pk)
	if !ok {
		return "a message packet is 4, then the Socket.IO type 0-6, [namespace,], [ack id], JSON"
	}
	d := bytes.TrimSpace(sio.Data)
	switch sio.Type {
	case engineio.SIOBinaryEvent, engineio.SIOBinaryAck:
		return "a binary packet needs its attachments: give the event form with attachments"
	case engineio.SIOEvent:
		if name, ok := sio.Event(); !ok || slices.Contains(reservedEvents, name) {
			return "an EVENT's data is a JSON array whose first element is the event's name (not a reserved one)"
		}
	case engineio.SIOAck:
		if !sio.HasID || !isJSONArray(d) {
			return "an ACK is its ack id, then a JSON array"
		}
	case engineio.SIOConnect:
		if len(d) > 0 && (d[0] != '{' || !json.Valid(d)) {
			return "a CONNECT's data is a JSON object"
		}
	case engineio.SIODisconnect:
		if len(d) > 0 {
			return "a DISCONNECT has no data"
		}
	case engineio.SIOConnectError:
		if !json.Valid(d) || d[0] != '{' && d[0] != '"' {
			return "a CONNECT_ERROR's data is a JSON object or string"
		}
	}
	return ""
}
