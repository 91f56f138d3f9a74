package format

// Kind is the transport a session was carried by. A session line without a
// "kind" field is a WebSocket session, as every file written before kinds
// existed is; readers that do not know kinds read the other kinds' messages
// as WebSocket messages, which is what they carry.
type Kind string

// The kinds of format version 1.
const (
	KindWebSocket Kind = ""         // a WebSocket connection (written without "kind")
	KindSocketIO  Kind = "socketio" // one Engine.IO sid, over polling, WebSocket or both
	KindPoll      Kind = "poll"     // one poller's HTTP long-polling exchanges
	KindSSE       Kind = "sse"      // one Server-Sent Events response
	KindSockJS    Kind = "sockjs"   // one SockJS session, over websocket, xhr-streaming or xhr-polling
)

// String returns the kind's name, "websocket" for KindWebSocket.
func (k Kind) String() string {
	if k == KindWebSocket {
		return "websocket"
	}
	return string(k)
}

// EngineIO holds the parameters of an Engine.IO session's open packet, on
// the session line of a KindSocketIO session ("engineio").
type EngineIO struct {
	Version      int      // protocol revision: the EIO= of the handshake, 3 or 4
	SID          string   // the sid the server gave
	PingInterval int64    // milliseconds
	PingTimeout  int64    // milliseconds
	MaxPayload   int64    // bytes; 0 if the open packet had none (v3)
	Upgrades     []string // transports the client may upgrade to
}

// HTTP is the HTTP side of a message carried by an HTTP exchange, on a
// message line of a KindPoll session ("http"): a send line is a request
// (its body is the message's payload), a receive line its response.
type HTTP struct {
	Method  string              // requests: GET, POST...
	URL     string              // requests: path and query, redacted
	Status  int                 // responses: the status code
	Headers map[string][]string // the headers a backend or a client reads, redacted
}

// SSE holds the fields of a Server-Sent Event besides its data, on a
// message line of a KindSSE session ("sse"). The event's data is the
// message's text, its lines joined by "\n" as an EventSource delivers it.
type SSE struct {
	ID    string // the event's id, when HasID
	HasID bool   // the event had an id field (an empty one resets the last id)
	Event string // the event type; "" is "message"
	Retry int64  // the retry field in milliseconds; 0 if none
	// NoData: the event had no data field, only an id or a retry; an
	// EventSource dispatches no event for it, but keeps its id and retry.
	// The message's text is then empty.
	NoData bool
}
