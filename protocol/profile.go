package protocol

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Profile is what wsreplay knows of one protocol spoken over a session:
// how to recognise it and how to read its messages. Everything else a
// profile can do is an optional interface (HeartbeatReplier,
// HeartbeatSender, Echoer, Bootstrapper, Framer, Injector), checked by the caller
// with a type assertion on the Profile it holds; a profile implements
// what its protocol has.
//
// A Profile holds no per-session state: its methods may be called from
// many goroutines at once, and must not keep or modify the bytes they are
// given. What a protocol must remember within a session is a value the
// profile hands out (a Framer's Splitter, a Pairing over its Echoer).
// They must not panic on any input: recordings are untrusted.
type Profile interface {
	// Name is the protocol's name as wsreplay writes and takes it
	// ("socketio", "graphql-transport-ws"): lower case, no spaces.
	Name() string
	// Recognize reports whether a session that opened as o speaks this
	// protocol. o.First may be empty (the recorder decides at the
	// upgrade); a profile that can tell only from messages reports false
	// until it sees them.
	Recognize(o Opening) bool
	// Describe reads one message of a session of this protocol for
	// people and for tools. A message it cannot read gets a Description
	// with an empty Kind and Summary; the caller then shows the payload.
	Describe(m Message) Description
}

// Message is one message of a session, in either direction. Data is the
// caller's: a profile reads it and never keeps or modifies it.
type Message struct {
	Dir    format.Dir // format.Send: client to server; format.Receive: server to client
	Binary bool       // a binary message; otherwise Data is the text
	Data   []byte
}

// MessageOf returns the message a recording's message line carries.
func MessageOf(e *format.Event) Message {
	return Message{Dir: e.Dir, Binary: e.Opcode == format.Binary, Data: e.Data}
}

// Opening is what a session says of itself before, or at the start of,
// its messages: what a Profile recognises it by. The zero value says
// nothing, and no built-in profile recognises it.
type Opening struct {
	// Protocol names the session's protocol outright: the session line's
	// "protocol", or what a user chose (--protocol). Set.Detect then
	// takes that profile and asks none; NoProtocol means none.
	Protocol    string
	Kind        format.Kind // what carries the session
	URL         *url.URL    // path and query the client asked for; nil if unknown
	Subprotocol string      // the negotiated subprotocol, "" if none
	Header      http.Header // the client's request headers (redacted in recordings); nil if unknown
	// EngineIO holds the open packet's parameters of a format.KindSocketIO
	// session, when known.
	EngineIO *format.EngineIO
	// First are the session's first messages, both directions in order;
	// empty when the caller has seen none yet. Callers pass at most
	// MaxFirst.
	First []Message
}

// NoProtocol, as Opening.Protocol, says the session speaks no protocol a
// profile should read (--protocol none).
const NoProtocol = "none"

// MaxFirst is the most messages a caller puts in Opening.First: profiles
// that recognise their protocol by its first messages (a handshake, a
// CONNECT frame, "jsonrpc":"2.0") decide within that many.
const MaxFirst = 8

// OpeningOf returns the opening a recording's session line describes, with
// no messages yet. A URL that does not parse is left out.
func OpeningOf(session *format.Event) Opening {
	o := Opening{Protocol: session.Protocol, Kind: session.Kind, Subprotocol: session.Subprotocol,
		Header: session.RequestHeaders, EngineIO: session.EngineIO}
	if u, err := url.ParseRequestURI(session.URL); err == nil {
		o.URL = u
	}
	return o
}

// RequestOpening returns the opening of a live request: its URL, headers,
// and the subprotocol the server chose ("" if none, or not chosen yet).
func RequestOpening(r *http.Request, subprotocol string) Opening {
	return Opening{URL: r.URL, Header: r.Header, Subprotocol: subprotocol}
}

// Description is a profile's reading of one message: structured fields
// that cat, the timeline and diff show, filter and compare, and a
// one-line summary for people. Fields a protocol does not have are "".
type Description struct {
	// Kind is the protocol's own name for what the message is: a
	// Socket.IO packet type ("EVENT", "ACK"), a graphql message type
	// ("subscribe", "next"), a STOMP command, an MQTT packet type.
	Kind string
	// Channel is where the message goes: a Socket.IO namespace, a STOMP
	// destination, an MQTT topic, a Phoenix topic.
	Channel string
	// Name is what the message is about within its channel: an event
	// name, a graphql operation name, an RPC method, a SignalR target.
	Name string
	// ID is the id the message carries that ties a request to its
	// replies: an ack id, an operation id, a receipt, a ref.
	ID string
	// Heartbeat marks a keep-alive that carries no application data
	// (the timeline greys it, diff may ignore it).
	Heartbeat bool
	// Summary is the message in one line for people, as cat prints it
	// in place of the raw payload; "" leaves the payload shown as it is.
	// It may hold any bytes of the message: the caller makes it safe for
	// a terminal or a page.
	Summary string
}

// HeartbeatReplier is implemented by profiles whose clients start
// heartbeats that the server answers (graphql-ws ping, Engine.IO 3's "2",
// Phoenix's heartbeat, MQTT PINGREQ). The replay server answers them at
// once, while paused and past the recording's end, and leaves the
// recorded answers out of the replay.
type HeartbeatReplier interface {
	// ReplyHeartbeat returns the reply to send now to the client message
	// m, when m is a heartbeat the server answers; ok is false for any
	// other message. The reply may depend on m (an echoed ref).
	ReplyHeartbeat(m Message) (reply Message, ok bool)
}

// HeartbeatSender is implemented by profiles whose servers start
// heartbeats on their own clock (Engine.IO 4's ping, Centrifuge's {},
// ActionCable's ping, STOMP's heart-beat). The replay server sends them on
// the replay's clock and leaves the recorded ones out of the replay.
type HeartbeatSender interface {
	// SendHeartbeat returns the beat a server sends in a session that
	// opened as o; ok is false when it sends none.
	SendHeartbeat(o Opening) (b Beat, ok bool)
}

// Beat is a heartbeat a server sends every Interval.
type Beat struct {
	// Interval is how often the beat is sent. Zero: as often as the
	// recording shows, for a protocol that does not say (the caller learns
	// it from the first two recorded beats).
	Interval time.Duration
	// Learn asks the caller for the recording's interval where it shows
	// one (a server setting the protocol does not announce, as SignalR's
	// KeepAliveInterval), Interval being the default when it shows none.
	Learn   bool
	Message Message
	// At, when not nil, returns the beat to send at now, for a protocol
	// whose beat carries the time (ActionCable's ping holds the server's
	// Unix time): the caller sends At(now) in place of Message, which is
	// then the beat as of the SendHeartbeat call, for callers that only
	// need its shape. Nil: every beat is Message.
	At func(now time.Time) Message
}

// Framer is implemented by profiles whose messages are not the WebSocket
// messages that carry them. One WebSocket message may hold several
// (SignalR's records ended by 0x1e, Centrifuge's newline-delimited
// replies, MQTT packets) or, in MQTT over WebSocket, part of one (mqtt.js
// sends a CONNECT in 9 WebSocket messages; the MQTT standard lets any
// packet span messages, [MQTT-6.0.0-2]).
//
// A Profile holds no per-session state, so the state of the cutting is
// a Splitter of its own: a caller takes one per stream of messages from
// NewSplitter (one for a recorded session, both directions in order; one
// for a live connection), feeds it each WebSocket message, and asks the
// profile about the messages it returns (Describe, Request, Echoes,
// Rewrite, ReplyHeartbeat). A replay may send each returned message as a
// WebSocket message of its own: each protocol with a Framer allows it.
// The profile's methods also read an uncut WebSocket message (its first
// message for Describe and Request, all of them for Echoes and Rewrite),
// for callers that have not cut it.
type Framer interface {
	// NewSplitter returns a Splitter for one stream of messages.
	NewSplitter() Splitter
}

// Splitter cuts one stream of WebSocket messages into a protocol's
// messages. It holds, per direction, the bytes of a message not yet
// whole, never more than its protocol's budget (16 MiB for MQTT): past
// it, or on bytes that cannot be its protocol's, it gives up on that
// direction and returns each later WebSocket message as it came. Not safe
// for concurrent use; the stream's owner serialises its calls.
type Splitter interface {
	// Split takes the stream's next WebSocket message and returns the
	// protocol messages it completes, in order, each with m's Dir and
	// Binary: none while a message is still partial. It only cuts: the
	// messages returned, and then Rest, hold every byte of each
	// direction in order, delimiters included. A returned Data may share
	// m.Data's array (valid as long as the caller keeps m.Data) or be
	// the Splitter's own; nobody modifies it after.
	Split(m Message) []Message
	// Rest returns what is held of messages not yet whole, one Message
	// per direction that holds any, and forgets it: the tail of a stream
	// cut off mid-message, which a caller shows or sends as it is.
	Rest() []Message
}

// Injector is implemented by profiles that write a server message from
// its meaning, for a replay's inject: an event's name and its arguments,
// as the protocol's servers deliver an event to a client (SignalR: an
// invocation of a client method, as a hub's Clients.Caller.SendAsync sends
// it).
type Injector interface {
	// Inject returns the server message that delivers event, with args
	// (each a JSON value), to the client; an error says in one line what
	// is wrong with them.
	Inject(event string, args []json.RawMessage) (Message, error)
}

// Echoer is implemented by profiles whose server messages echo values the
// client chose: Socket.IO ack ids, graphql operation ids, STOMP receipts,
// JSON-RPC ids, MQTT packet ids, Phoenix refs. With it, a Pairing (and so
// the replay server) holds a recorded reply until the live client has sent
// its request, and sends it with the live client's values.
type Echoer interface {
	// Request reads a client message that chooses ids: what makes it
	// "the same request" as a recorded one, and the ids it chose. ok is
	// false for a message that chooses none.
	Request(m Message) (r Request, ok bool)
	// Echoes returns the ids a server message carries from requests
	// (nil if none).
	Echoes(m Message) []ID
	// Rewrite returns the server message m with each id it echoes
	// replaced by to(id) where to reports true. It returns m.Data itself
	// when nothing is replaced, and never modifies m.Data.
	Rewrite(m Message, to func(ID) (string, bool)) []byte
}

// ID is a value a client chose. Scope is what the value names and where
// it is unique ("ack /chat": a Socket.IO ack id in namespace /chat;
// "id": a graphql operation id); two IDs are the same only if both match.
type ID struct {
	Scope string
	Value string
}

// Request is what an Echoer reads of a client message that chooses ids.
// The k-th live request with a given Same is the counterpart of the k-th
// recorded request with that Same.
type Request struct {
	// Same is the protocol's notion of "the same request": a Socket.IO
	// emit's namespace and event, a graphql subscribe's operation, a
	// JSON-RPC method, a STOMP command and destination.
	Same string
	IDs  []ID
}

// Bootstrapper is implemented by profiles whose clients make HTTP requests
// before their socket (SockJS /info, SignalR negotiate). The recorder
// records such a request with the session it opens; the replay server
// answers it on every request, with fresh ids where the protocol wants
// them. The caller applies its own rules first (Host and Origin checks,
// CORS headers, sandboxing of replayed responses).
type Bootstrapper interface {
	// Bootstrap reports whether r is one of the protocol's bootstrap
	// requests.
	Bootstrap(r *http.Request) bool
	// AnswerBootstrap answers r. recorded is the recorded answer's body,
	// nil when there is none (a HAR, an older recording): the profile
	// then answers from the protocol alone.
	AnswerBootstrap(w http.ResponseWriter, r *http.Request, recorded []byte)
}

// BootstrapRecognizer is implemented by Bootstrappers whose bootstrap
// answer has a shape of its own (SockJS /info's "entropy", SignalR
// negotiate's "connectionId"): the recorder records a request Bootstrap
// accepts only when the upstream's answer has that shape, so that an
// application's own /info endpoint stays plain HTTP.
type BootstrapRecognizer interface {
	// RecognizeBootstrap reports whether body, the upstream's answer with
	// status to the bootstrap request r, is the protocol's answer.
	RecognizeBootstrap(r *http.Request, status int, body []byte) bool
}

// Endpointer is implemented by profiles whose socket URLs hold parts a
// client makes afresh for every connection (SockJS's
// /<server>/<session>/websocket): the replay server chooses a session
// recorded on the same endpoint, and does not call a different path a
// mistake.
type Endpointer interface {
	// Endpoint returns what stays the same between connections of one
	// endpoint ("/echo/*/*/websocket"); ok is false for a URL that is not
	// one of the protocol's sockets.
	Endpoint(u *url.URL) (endpoint string, ok bool)
}

// Fallbacker is implemented by profiles whose clients may ask for HTTP
// transports or endpoints besides the bootstrap and the WebSocket (SockJS
// xhr_streaming, iframe; SignalR Server-Sent Events, long polling) that a
// replay may not serve: the replay server says so in one log line.
type Fallbacker interface {
	// Fallback reports whether r asks for such a transport: what it is
	// ("SockJS xhr_streaming transport") and what a replay would need to
	// answer it.
	Fallback(r *http.Request) (what, need string, ok bool)
}
