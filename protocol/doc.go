// Package protocol is where a protocol spoken over a session plugs into
// wsreplay, once, for the recorder, the replay server and the commands: a
// Profile per protocol (Socket.IO, GraphQL over WebSocket, ...) that
// recognises its sessions and reads their messages, and optional
// capabilities (live heartbeats, the ids replies echo, HTTP bootstraps)
// that the callers check for.
//
// # Who calls whom
//
//	recorder.Proxy ──────┐  Opening of the upgrade (subprotocol, path, query)
//	replayer.Server ─────┤  Opening of the session played; client messages
//	cat, timeline, diff ─┤  Opening of the session line; messages to show
//	                     ▼
//	               protocol.Set            the profiles a caller knows, in order
//	               (nil: Default())        Detect / Detector / Lookup / Bootstrap
//	                     │
//	                     ▼
//	               protocol.Profile        Name, Recognize, Describe
//	                 + Framer ──► Splitter WebSocket messages -> the protocol's messages
//	                 + HeartbeatReplier    a client's ping -> the reply to send now
//	                 + HeartbeatSender     the server's ping and its interval
//	                 + Echoer ──► Pairing  request ids: replies wait, ids follow the client
//	                 + Bootstrapper        HTTP requests before the socket (SockJS /info, SignalR negotiate)
//	                 + BootstrapRecognizer the shape of a bootstrap's answer, for the recorder
//	                 + Endpointer          socket paths with per-connection parts (SockJS)
//	                 + Fallbacker          HTTP transports a replay does not serve, named in its log
//	                 + Injector            an event and its arguments -> the server message that delivers it (inject)
//	                 + Enveloper           where the JSON of a message with a header starts (Socket.IO)
//
// The values on the right of an arrow hold one session's state, which a
// Profile does not: a Splitter per stream of messages (MQTT packets span
// WebSocket messages, and SignalR, Centrifuge and MQTT put several in one;
// the caller cuts with it first and asks the profile about what comes
// out), a Pairing per replay.
//
// A caller holds a Set in its options (zero value: the built-ins), detects
// a session's Profile from its Opening (Set.Detect; Set.Detector when the
// first messages must be seen too), and from then on asks that profile
// about the session's messages: Describe for people and tools, and each
// capability through a type assertion on the Profile, so a profile of a
// third party gets every behaviour a built-in one gets.
//
// A JSON protocol no profile recognises still gets its ids followed by
// the generic rule: NewLearned returns an Echoer that holds what one replay
// learns (values a client chose that come back in server messages), for a
// Pairing like a profile's Echoer. It is not a Profile, since a Profile
// holds no per-session state, and so is not in a Set.
//
// The reverse direction, for wsreplay drive (package driver), which plays
// a recorded client against a live server: NewGranted reads a recorded
// session for the values its server chose that its client sent back (a
// session id an application hands out), and a Granted per run puts the
// live server's values into the client's later messages. It reads a
// message's JSON through the profile's Enveloper, where it has one.
//
// Today cat describes every message through the profile detected for its
// session (Socket.IO packets, GraphQL operations, STOMP frames, MQTT
// packets, Phoenix, JSON-RPC, Centrifuge, ActionCable, SignalR and SockJS
// messages); the recorder names on the session line the protocol an
// upgrade shows (recorder/protocol.go); and a WebSocket replay makes
// heartbeats live through its profile's HeartbeatReplier and
// HeartbeatSender (replayer/heartbeat.go). The recorder records the
// bootstraps a Bootstrapper names (recorder/bootstrap.go) and the replay
// server answers them, chooses sessions by a profile's Endpoint, and names
// a Fallbacker's transports in its log (replayer/bootstrap.go, choose.go).
// The replay server's Engine.IO
// engine (replayer/engineio*.go) still does its own pings and ack ids, the
// same things SocketIO's HeartbeatSender, HeartbeatReplier and Echoer say.
//
// The package is public, not internal, because recorder.Proxy and
// replayer.Server are to hold a Set in their options: a library user's own
// profile must get every behaviour a built-in one gets. What it promises
// is kept small for that reason: Profile has three methods, and a new
// capability is a new optional interface, which breaks no profile.
//
// # Adding a protocol
//
// A protocol is its own file (or files) in this package, say stomp.go
// with stomp_test.go, holding a type that implements Profile and the
// capabilities its protocol has, and one line in Default() (set.go) that
// lists it. Nothing in the recorder, the replay server, or the commands
// changes: cat shows its Describe, and the replay server uses its
// capabilities where it checks for them. A protocol whose messages are
// not its WebSocket messages (several in one, or one over several, as
// MQTT's packets) implements Framer as well: mqtt.go, centrifuge.go and
// signalr.go show both kinds. Put a more specific profile
// before a more general one in Default(): the first that recognises a
// session wins.
//
// A profile's methods read untrusted bytes (recordings come from anyone):
// they must not panic, and FuzzProfiles in this package holds every
// profile of Default() to that.
package protocol
