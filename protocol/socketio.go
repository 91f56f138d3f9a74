package protocol

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// SocketIO is the profile of Engine.IO and the Socket.IO packets it
// carries, revisions 3 and 4 (Socket.IO 2, 3 and 4). A session is
// Socket.IO when it was recorded as format.KindSocketIO, or when its query
// has EIO= and transport=, on any path.
//
// The replay of a Socket.IO session is the replay server's own Engine.IO
// engine (replayer/engineio*.go): it answers the handshake, serves both
// transports and makes pings live. This profile gives the rest of wsreplay
// what that engine knows: recognition, description, the heartbeats, and
// the ack ids an answer echoes from its emit.
type SocketIO struct{}

// Name returns "socketio", the name format.KindSocketIO has too.
func (SocketIO) Name() string { return "socketio" }

// Recognize reports a format.KindSocketIO session, or a WebSocket whose
// query is Engine.IO's. A poll or event-stream session is not one, whatever
// its query: its messages are HTTP bodies, not packets.
func (SocketIO) Recognize(o Opening) bool {
	if o.Kind == format.KindSocketIO {
		return true
	}
	if o.Kind != format.KindWebSocket || o.URL == nil {
		return false
	}
	_, ok := engineio.ParseQuery(o.URL.Query())
	return ok
}

// Describe reads an Engine.IO packet: a Socket.IO packet gets its type as
// Kind, its namespace as Channel, its event as Name and its ack id as ID;
// another Engine.IO packet its type in lower case ("ping"). The Summary
// is engineio.Describe's. A binary message is an attachment.
func (SocketIO) Describe(m Message) Description {
	if m.Binary || !utf8.Valid(m.Data) {
		s := fmt.Sprintf("attachment % x", m.Data[:min(len(m.Data), 16)])
		if len(m.Data) > 16 {
			s += " …"
		}
		return Description{Kind: "attachment", Summary: s}
	}
	d := Description{Summary: engineio.Describe(m.Data)}
	if sio, ok := engineio.ParseSocketIO(m.Data); ok {
		d.Kind, d.Channel = sio.TypeName(), sio.Path()
		d.Name, _ = sio.Event()
		if sio.HasID {
			d.ID = strconv.FormatInt(sio.ID, 10)
		}
		return d
	}
	if len(m.Data) > 0 {
		d.Kind = engineio.PacketName(m.Data[0])
		d.Heartbeat = m.Data[0] == engineio.Ping || m.Data[0] == engineio.Pong
	}
	return d
}

// ReplyHeartbeat answers a client's ping, as Engine.IO 3 clients send
// them ("2" gets "3"); the upgrade probe "2probe" gets "3probe".
func (SocketIO) ReplyHeartbeat(m Message) (Message, bool) {
	if m.Dir != format.Send || m.Binary || len(m.Data) == 0 || m.Data[0] != engineio.Ping {
		return Message{}, false
	}
	reply := append([]byte{engineio.Pong}, m.Data[1:]...)
	return Message{Dir: format.Receive, Data: reply}, true
}

// SendHeartbeat returns Engine.IO 4's ping ("2" every pingInterval): in
// revision 4 the server pings, in revision 3 the client does.
func (SocketIO) SendHeartbeat(o Opening) (Beat, bool) {
	e := o.EngineIO
	if e == nil || e.Version < 4 || e.PingInterval <= 0 {
		return Beat{}, false
	}
	return Beat{Interval: time.Duration(e.PingInterval) * time.Millisecond,
		Message: Message{Dir: format.Receive, Data: []byte{engineio.Ping}}}, true
}

// Request reads a client's emit that asks for an ack: the same request is
// the same event in the same namespace; its id is the ack id, scoped by
// namespace ("ack /chat").
func (SocketIO) Request(m Message) (Request, bool) {
	if m.Binary {
		return Request{}, false
	}
	sio, ok := engineio.ParseSocketIO(m.Data)
	if !ok || !sio.HasID || sio.Type != engineio.SIOEvent && sio.Type != engineio.SIOBinaryEvent {
		return Request{}, false
	}
	ev, _ := sio.Event()
	return Request{Same: sio.Path() + " " + strconv.Quote(ev),
		IDs: []ID{{Scope: "ack " + sio.Path(), Value: strconv.FormatInt(sio.ID, 10)}}}, true
}

// Echoes returns the ack id of a server's ACK or BINARY_ACK.
func (SocketIO) Echoes(m Message) []ID {
	sio, ok := sioAck(m)
	if !ok {
		return nil
	}
	return []ID{{Scope: "ack " + sio.Path(), Value: strconv.FormatInt(sio.ID, 10)}}
}

// Rewrite gives an ACK or BINARY_ACK the ack id to() names.
func (SocketIO) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	sio, ok := sioAck(m)
	if !ok {
		return m.Data
	}
	v, ok := to(ID{Scope: "ack " + sio.Path(), Value: strconv.FormatInt(sio.ID, 10)})
	if !ok {
		return m.Data
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 || id == sio.ID {
		return m.Data // an ack id is a number; the live client's always is
	}
	sio.ID = id
	return sio.Encode()
}

func sioAck(m Message) (engineio.SocketIO, bool) {
	if m.Binary {
		return engineio.SocketIO{}, false
	}
	sio, ok := engineio.ParseSocketIO(m.Data)
	return sio, ok && sio.HasID && (sio.Type == engineio.SIOAck || sio.Type == engineio.SIOBinaryAck)
}

// Body returns where a Socket.IO packet's JSON starts: after its type,
// attachments, namespace and ack id.
func (SocketIO) Body(m Message) (int, bool) {
	if m.Binary {
		return 0, false
	}
	sio, ok := engineio.ParseSocketIO(m.Data)
	if !ok || len(sio.Data) == 0 {
		return 0, false
	}
	return len(m.Data) - len(sio.Data), true
}
