package format

import (
	"strconv"
	"time"
)

// Version is the recording format version this package writes, and the
// highest it reads.
const Version = 1

// Type is the kind of a recording line.
type Type string

// The line types of format version 1. A Reader skips lines of any other
// type, counting them by type (Reader.Unknown).
const (
	TypeSession Type = "session" // a connection was accepted; opens a session
	TypeMessage Type = "message" // one whole WebSocket message
	TypeClose   Type = "close"   // the session ended
	TypePing    Type = "ping"    // an observed ping control frame
	TypePong    Type = "pong"    // an observed pong control frame
	// TypeFault is a fault the recording proxy applied to live traffic
	// (record --fault, --latency...): the message lines around it are
	// what the client received, the fault's effect included.
	TypeFault Type = "fault"
)

// Dir is the direction of a message, seen from the client as in HAR.
type Dir string

const (
	Send    Dir = "send"    // client to server
	Receive Dir = "receive" // server to client
)

// Opcode is the WebSocket data frame type of a message.
type Opcode int

const (
	Text   Opcode = 1
	Binary Opcode = 2
)

// String returns "text" or "binary".
func (o Opcode) String() string {
	switch o {
	case Text:
		return "text"
	case Binary:
		return "binary"
	}
	return "opcode(" + strconv.Itoa(int(o)) + ")"
}

// Who ended a session, in a close line's By field.
const (
	ByClient = "client"
	ByServer = "server"
	ByProxy  = "proxy"
)

// ViaBrowser is a session line's Via when a browser's own DevTools
// protocol events were recorded, not traffic through the proxy.
const ViaBrowser = "browser"

// CodeAbnormal is the close code recorded, and reported by browsers, when a
// connection ended without a close frame.
const CodeAbnormal = 1006

// WireCode reports whether a close line's code may be sent in a close
// frame. RFC 6455 section 7.4.1 reserves 1004, and 1005, 1006 and 1015 for
// reporting only ("MUST NOT be set as a status code in a Close control
// frame"); section 7.4.2 leaves 0-999 unused and 1016-2999 to future
// revisions (1012-1014 are registered with IANA and sent by servers); 5000
// and up do not exist. Browsers and coder/websocket draw the same line.
func WireCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// Event is one line of a recording. Which fields are meaningful depends on
// Type; the others are zero.
//
// Data is owned by the Event: a Reader allocates it fresh for every line and
// a Writer does not keep it after Write returns.
type Event struct {
	Type    Type
	Session string    // session id; lines of several sessions may interleave
	Time    time.Time // UTC; session start plus monotonic elapsed time

	// session lines
	Version         int    // format version; 1
	URL             string // path and query the client asked for, redacted
	Upstream        string // full upstream URL dialled, redacted
	Subprotocol     string // negotiated subprotocol, "" if none
	Extensions      string // negotiated extensions, "" if none
	RequestHeaders  map[string][]string
	ResponseHeaders map[string][]string
	Kind            Kind      // what carried the session; KindWebSocket if none
	EngineIO        *EngineIO // KindSocketIO: the open packet's parameters
	// Protocol names the protocol spoken over the session, as the
	// profiles of package protocol name them ("graphql-transport-ws");
	// "" when none was detected, or when Kind already says it. On a
	// KindPoll session, a protocol with an HTTP bootstrap ("sockjs",
	// "signalr") marks that bootstrap's exchange (see the package doc).
	Protocol string
	// Via says how the session was recorded: "" (absent) by the
	// recording proxy, ViaBrowser from a browser through the DevTools
	// protocol (wsreplay record --browser or --attach).
	Via string
	// Page is, on a session line with Via set, the URL of the tab or
	// worker whose socket or request opened the session, redacted as URL
	// is; "" when unknown.
	Page string

	// message, ping and pong lines
	Dir    Dir
	Opcode Opcode // message lines: Text or Binary
	Data   []byte // payload; for Text, the message's bytes (normally UTF-8)

	// Transport, on a message line, is what carried it: on KindSocketIO,
	// "polling" or "websocket"; on KindSockJS, "websocket",
	// "xhr-streaming" or "xhr-polling". On a session line with Protocol
	// "signalr", it names the SignalR HTTP transport that carried the
	// connection, as negotiate names them: "ServerSentEvents" or
	// "LongPolling" ("" : the WebSocket the kind says).
	Transport string

	// message lines of other kinds than WebSocket
	HTTP *HTTP // KindPoll: the request or response the payload is the body of
	SSE  *SSE  // KindSSE: the event's id, type and retry

	// fault lines (Dir too: the direction of the messages it acted on)
	Fault  string // the fault as it was given: "delay=200ms:path=/feed", "latency 200ms±50ms"
	Action string // what it did: drop, duplicate, delay, reorder, corrupt, or link for a link's faults
	// close lines
	By     string // ByClient, ByServer or ByProxy
	Code   int    // close code; CodeAbnormal when Clean is false
	Reason string
	Clean  bool  // a close frame was exchanged
	Lost   int64 // recording lines of this session that could not be written
}

// Offset returns how far into its session e happened, given the session's
// start time.
func (e *Event) Offset(start time.Time) time.Duration { return e.Time.Sub(start) }
