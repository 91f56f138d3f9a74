// Package engineio reads and writes what the recorder and the replay server
// need of Engine.IO (the transport under Socket.IO) and of Socket.IO's own
// packets: polling payloads split into packets and joined again, in
// revision 4 (Socket.IO 3 and 4) and 3 (Socket.IO 2); the open packet's
// parameters; and a Socket.IO packet's header (type, namespace, ack id,
// attachments).
//
// A packet is held as it is written on a WebSocket: text packets as their
// text ("2", "42[\"ev\",1]"), binary ones as their bytes (in revision 3 a
// binary WebSocket frame begins with the message type, byte 4). That is the
// form recordings keep, whatever transport carried the packet.
package engineio

import (
	"encoding/json"
	"net/url"
	"strconv"
)

// Engine.IO packet types, the first character of a text packet.
const (
	Open    = '0'
	Close   = '1'
	Ping    = '2'
	Pong    = '3'
	Message = '4'
	Upgrade = '5'
	Noop    = '6'
)

// Packet is one Engine.IO packet as written on a WebSocket.
type Packet struct {
	Data   []byte
	Binary bool
}

// Query is what an Engine.IO request says of itself in its query.
type Query struct {
	Version   int    // EIO=: 3 or 4 (another number is kept as given)
	Transport string // "polling" or "websocket"
	SID       string // "" for a handshake
	Base64    bool   // b64=1: the client cannot take binary polling payloads
}

// ParseQuery reports whether a request with this query is Engine.IO (it
// has EIO= and transport=), and what it says.
func ParseQuery(q url.Values) (Query, bool) {
	if !q.Has("EIO") || !q.Has("transport") {
		return Query{}, false
	}
	v, _ := strconv.Atoi(q.Get("EIO"))
	return Query{Version: v, Transport: q.Get("transport"), SID: q.Get("sid"), Base64: q.Get("b64") != ""}, true
}

// OpenParams are the parameters of an open packet.
type OpenParams struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload,omitempty"`
}

// ParseOpen reads an open packet ("0{...}").
func ParseOpen(p []byte) (OpenParams, bool) {
	var o OpenParams
	if len(p) < 2 || p[0] != Open || json.Unmarshal(p[1:], &o) != nil || o.SID == "" {
		return OpenParams{}, false
	}
	return o, true
}

// OpenPacket returns the open packet announcing o.
func OpenPacket(o OpenParams) []byte {
	if o.Upgrades == nil {
		o.Upgrades = []string{}
	}
	b, _ := json.Marshal(o)
	return append([]byte{Open}, b...)
}
