package engineio

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Socket.IO packet types, the character after an Engine.IO message's "4".
const (
	SIOConnect      = '0'
	SIODisconnect   = '1'
	SIOEvent        = '2'
	SIOAck          = '3'
	SIOConnectError = '4'
	SIOBinaryEvent  = '5'
	SIOBinaryAck    = '6'
)

// SocketIO is a Socket.IO packet read from an Engine.IO message packet:
//
//	4 <type> [<attachments>-] [<namespace>,] [<ack id>] [<JSON>]
type SocketIO struct {
	Type        byte   // SIOConnect ... SIOBinaryAck
	Attachments int    // binary packets that follow (SIOBinaryEvent, SIOBinaryAck)
	Namespace   string // "/" when the packet names none; a CONNECT's may carry a query
	ID          int64  // the ack id, when HasID
	HasID       bool
	Data        []byte // the JSON, "" if none
}

// ParseSocketIO reads p, an Engine.IO packet, as a Socket.IO packet. It
// reports false for any other Engine.IO packet and for a malformed header.
func ParseSocketIO(p []byte) (SocketIO, bool) {
	if len(p) < 2 || p[0] != Message || p[1] < SIOConnect || p[1] > SIOBinaryAck {
		return SocketIO{}, false
	}
	s := SocketIO{Type: p[1], Namespace: "/"}
	rest := p[2:]
	if s.Type == SIOBinaryEvent || s.Type == SIOBinaryAck {
		dash := bytes.IndexByte(rest, '-')
		n, err := strconv.Atoi(string(rest[:max(dash, 0)]))
		if dash <= 0 || err != nil || n < 0 {
			return SocketIO{}, false
		}
		s.Attachments, rest = n, rest[dash+1:]
	}
	if len(rest) > 0 && rest[0] == '/' {
		end := bytes.IndexByte(rest, ',')
		if end < 0 {
			end = len(rest) // "40/admin": a namespace and nothing else
		}
		s.Namespace = string(rest[:end])
		rest = rest[min(end+1, len(rest)):]
	}
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits < 19 {
		s.ID, _ = strconv.ParseInt(string(rest[:digits]), 10, 64)
		s.HasID, rest = true, rest[digits:]
	}
	s.Data = rest
	return s, true
}

// Path returns the namespace without a query a CONNECT may carry.
func (s SocketIO) Path() string {
	if i := bytes.IndexByte([]byte(s.Namespace), '?'); i >= 0 {
		return s.Namespace[:i]
	}
	return s.Namespace
}

// Event returns the event name of an EVENT or BINARY_EVENT: the first
// element of its array, if a string.
func (s SocketIO) Event() (string, bool) {
	if s.Type != SIOEvent && s.Type != SIOBinaryEvent {
		return "", false
	}
	var args []json.RawMessage
	if json.Unmarshal(s.Data, &args) != nil || len(args) == 0 {
		return "", false
	}
	var name string
	if json.Unmarshal(args[0], &name) != nil {
		return "", false
	}
	return name, true
}

// Encode writes s as an Engine.IO message packet.
func (s SocketIO) Encode() []byte {
	b := []byte{Message, s.Type}
	if s.Type == SIOBinaryEvent || s.Type == SIOBinaryAck {
		b = strconv.AppendInt(b, int64(s.Attachments), 10)
		b = append(b, '-')
	}
	if s.Namespace != "" && s.Namespace != "/" {
		b = append(append(b, s.Namespace...), ',')
	}
	if s.HasID {
		b = strconv.AppendInt(b, s.ID, 10)
	}
	return append(b, s.Data...)
}
