package engineio

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Describe reads an Engine.IO text packet for people, as wsreplay cat
// shows it: the Engine.IO packet type, and for a Socket.IO packet its
// type, namespace, event name, arguments, ack id and attachments:
//
//	2                      engine.io ping
//	40/admin,{"token":1}   socket.io CONNECT /admin {"token":1}
//	42/chat,7["say","hi"]  socket.io EVENT /chat "say" ["hi"] ack 7
//	451-["up",{...}]       socket.io BINARY_EVENT / "up" [{...}] +1 attachment
func Describe(p []byte) string {
	if len(p) == 0 {
		return "engine.io (empty)"
	}
	if sio, ok := ParseSocketIO(p); ok {
		return describeSocketIO(sio)
	}
	name := PacketName(p[0])
	if name == "" {
		return "engine.io ? " + string(p)
	}
	s := "engine.io " + name
	if len(p) > 1 {
		s += " " + string(p[1:])
	}
	return s
}

var eioNames = map[byte]string{Open: "open", Close: "close", Ping: "ping", Pong: "pong", Message: "message",
	Upgrade: "upgrade", Noop: "noop"}

// PacketName returns the name of an Engine.IO packet type ("ping"), "" for
// a byte that is none.
func PacketName(t byte) string { return eioNames[t] }

var sioNames = map[byte]string{SIOConnect: "CONNECT", SIODisconnect: "DISCONNECT", SIOEvent: "EVENT",
	SIOAck: "ACK", SIOConnectError: "CONNECT_ERROR", SIOBinaryEvent: "BINARY_EVENT", SIOBinaryAck: "BINARY_ACK"}

// TypeName returns the name of a Socket.IO packet type ("EVENT"), as the
// protocol's documents write it.
func (s SocketIO) TypeName() string { return sioNames[s.Type] }

func describeSocketIO(s SocketIO) string {
	var b strings.Builder
	b.WriteString("socket.io " + s.TypeName() + " " + s.Namespace)
	data := s.Data
	if ev, ok := s.Event(); ok {
		b.WriteString(" " + strconv.Quote(ev))
		data = eventArgs(data)
	}
	if len(data) > 0 {
		b.WriteString(" ")
		b.Write(data)
	}
	if s.HasID {
		b.WriteString(" ack " + strconv.FormatInt(s.ID, 10))
	}
	if s.Attachments > 0 {
		b.WriteString(" +" + strconv.Itoa(s.Attachments) + " attachment")
		if s.Attachments > 1 {
			b.WriteString("s")
		}
	}
	return b.String()
}

// eventArgs returns an event's arguments, its array without the name.
func eventArgs(data []byte) []byte {
	var args []json.RawMessage
	if json.Unmarshal(data, &args) != nil || len(args) == 0 {
		return data
	}
	return append(append([]byte{'['}, bytes.Join(toBytes(args[1:]), []byte{','})...), ']')
}

func toBytes(r []json.RawMessage) [][]byte {
	out := make([][]byte, len(r))
	for i := range r {
		out[i] = r[i]
	}
	return out
}
