// Package replayer serves recorded WebSocket sessions to clients, as they
// were recorded: same messages, same order, same pace (or scaled), same
// ending, with faults to inject on demand. It never dials anything. Event
// streams (Server-Sent Events) are replayed the same way to EventSources,
// and long-polling exchanges to each poller (Server.Poll).
//
// A Catalog indexes recordings (wsreplay NDJSON in any compression, or HAR
// files) without loading their messages; a Server is an http.Handler that
// gives every WebSocket connection its own replay of a session from it:
//
//	cat, err := replayer.Open(replayer.File("bug.ndjson.zst"))
//	if err != nil { ... }
//	defer cat.Close()
//	srv := &replayer.Server{Catalog: cat, Speed: 2}
//	ts := httptest.NewServer(srv) // or http.ListenAndServe
//	defer srv.Shutdown(ctx)       // 1001 to every client
//
// Session choice: a connection gets a session recorded with the same path
// and query, else the same path, else any (restricted by Server.Sessions);
// successive connections in one such group get its sessions in recording
// order, wrapping around, so a recorded drop and reconnect replays as a drop
// and a reconnect. Sessions are named by their recorded ids; a later source
// holding an id an earlier one had gets ID~2 (then ~3), with a warning.
//
// Timing: a server message recorded at offset o from its session's start is
// sent at accept + o/Speed, scheduled against that one instant (never by
// chained sleeps, so there is no drift). Client messages are read all the
// time and, with Wait, hold back the server messages recorded after them.
// Where the session's protocol profile tells requests and replies apart
// (protocol.Echoer), a WebSocket replay holds each recorded reply until the
// live client has made its request, and sends it with the client's ids.
//
// Only this machine's pages are served (guard.go): a Host that is a DNS
// name other than localhost, *.localhost or one in Server.AllowHosts, and a
// WebSocket from an Origin not on this machine or in Server.AllowOrigins,
// get 403, so that no web page can read the recordings, even through DNS
// rebinding.
//
// Replayed content is untrusted: every replayed HTTP response (polls,
// event streams, Engine.IO polling) is sandboxed (sandbox.go: a CSP
// sandbox without scripts, nosniff, a Content-Type no browser runs, no
// recorded header that gives authority), so none runs script with the
// authority of the control API on the same origin, and no request for a
// service worker script is answered (worker.go).
//
// Live control: every replay can be paused, resumed, stepped, sought,
// sped up or slowed down, given a message to inject, dropped, hung or
// closed while it runs, through a JSON API under /_wsreplay/api/ and a
// timeline page per session at /_wsreplay/s/{session} (linked from "/")
// that uses it: on the Server's own handler, or, with Server.ControlURL,
// on a listener of their own that ControlHandler serves (moved.go), so
// that no origin that serves recordings can reach them; wsreplay serve
// does that. A pause shifts
// every later message by its length; a change of speed re-bases the
// schedule at the current position; a step sends the next message now and
// stays paused; a seek forward sends the skipped messages at once (the
// page's state stays right), a seek backward closes the connection with
// 4000 and starts the next connection at the target; Wait's gates yield
// to steps and seeks; heartbeats are answered while paused. Server.Paused
// starts every replay paused. These are served only to requests that
// reached the server on a loopback address (Server.ControlRemote: every
// address; Server.NoControl: none), with the Host rules above, and an API
// request (a read too) or the events stream must come with no Origin or
// the server's own, and no Sec-Fetch-Site but same-origin or none: a page
// of another site can neither steer a replay, read the stream, nor make
// the server search for it. WriteTimeline writes the timeline page of
// one session as a single read-only file.
//
// Socket.IO: a Socket.IO session (format.KindSocketIO) is served to an
// Engine.IO client, on whichever transport it uses, as a Socket.IO server
// would: see engineio.go. Its pings are live, on the replay's own clock.
//
// SockJS: a SockJS session (format.KindSockJS) is served to a SockJS
// client on whichever transport it picks (websocket, xhr-streaming,
// xhr-polling, and the raw <base>/websocket), framed as a SockJS server
// frames it: see sockjs.go. Its "h" heartbeats are live.
//
// Heartbeats (heartbeat.go): a WebSocket replay's heartbeats are live per
// protocol, through the session's profile (package protocol): a client's
// heartbeat the profile answers (protocol.HeartbeatReplier) is answered at
// once, paused or past the recording's end too; the server's beat
// (protocol.HeartbeatSender) is sent every interval on the real clock, at
// any speed and through a pause, until the replay ends or hangs; the
// recorded beats and answers are left out of the replay and of Wait's
// counting. Server.Heartbeats adds text pairs for protocols no profile
// knows, for every kind of replay.
//
// Endings: a recorded clean close by the server sends its code and reason;
// a recorded drop closes the TCP connection without a close frame (browsers
// report 1006); a session the client ended, or with no recorded ending,
// stays open, since in a replay the client does its own closing. In a
// replay whose profile makes heartbeats live, a server's ending that
// answered a client message waits for the live client's counterpart and
// the recorded delay after it (endcause.go).
//
// Logging (Server.Logger): a line per connection and per ending, and one
// line for each request the Server cannot answer as asked (a plain HTTP
// request off "/", an unknown Engine.IO sid, no session to play), a session from
// another path, or a subprotocol mismatch, saying what was asked, what was
// answered and what to try (diagnose.go).
//
// The walk of a request: ServeHTTP (route.go) tells once what the
// request asks for (route), guard (guard.go) answers 403 to a Host or,
// for a replay, an Origin the server does not serve, replayed HTTP is
// wrapped by sandboxWriter (sandbox.go), and the request goes to the one
// file that serves its kind. A WebSocket or an event stream admits its
// replay and chooses its session through server.go (startReplay: admit,
// the control API's next defaults, chooseSession), as an Engine.IO
// handshake does with its own error answers (later requests find the
// replay by sid); each plays with a player (pacing.go, given the Server's
// timing value, timing.go) and ends through finish (ending.go), which
// calls the kind's ender: close with a code and reason, drop, fail,
// gone. A poller is answered from its session's tape (poll.go), on a
// schedule of its own.
//
//	ServeHTTP (route.go)
//	  |- route: control | Engine.IO | SockJS | poll | bootstrap | SignalR | fallback | event stream | page | WebSocket
//	  |- guard (guard.go): Host; Origin for replays   sandboxWriter (sandbox.go)
//	  |
//	  |- control:      serveControl (api.go) -> ServeMux: api*.go, events.go, ui.go
//	  |- Engine.IO:    serveEngineIO (engineio.go) -> eioReplay (engineio_conn.go)
//	  |                  -> eioPlay (engineio_play.go)
//	  |- SockJS:       serveSockJS (sockjs_transport.go) -> sjReplay (sockjs.go)
//	  |- poll:         servePoll (poll.go, polltape.go)
//	  |- bootstrap:    serveBootstrap (bootstrap.go): the profile's AnswerBootstrap
//	  |- SignalR:      serveSignalR (signalr.go) -> signalRReplay (signalr_conn.go)
//	  |- fallback:     serveFallback (bootstrap.go): 404 and one log line
//	  |- event stream: serveSSE (sse.go) -> sseConn
//	  |- page:         servePage (page.go)
//	  '- WebSocket:    serveWebSocket (conn.go) -> replayConn
//	                                        |
//	    startReplay, admit, chooseSession (server.go, choose.go)
//	    player.play (pacing.go: schedule.go, wait.go, fault.go, steer.go, control.go)
//	    finish (ending.go) -> ender: replayConn | sseConn | eioReplay
//
// Files, one concern each:
//
//   - catalog.go: Catalog, Source and Session: indexing recordings, and
//     reading a session's events back.
//   - prefetch.go: a replay's events decoded ahead, in a goroutine.
//   - shared.go: one decoded copy of a session that several replays play
//     at once (sharedCopies, held by the Catalog).
//   - batch.go: the frames of messages due together, written in one write.
//   - route.go: ServeHTTP, and route: which kind of request it is.
//   - server.go: Server; the phases every kind shares: startReplay, admit
//     (registering a replayLife, for Shutdown), chooseSession; Shutdown.
//   - guard.go: every Host and Origin check: guard (DNS rebinding, the
//     pages replays may play to) and fromOwnPages (the control API's).
//   - choose.go: which session a connection gets.
//   - conn.go: a WebSocket replay: serveWebSocket, accept, serve; one
//     accepted connection: sending, reading the client (pumpFromClient),
//     its side of the ending (replayConn is an ender).
//   - ending.go: finish, the one ending routine of every transport, and
//     the ender interface each implements.
//   - hijack.go: upgrade, every WebSocket accept, keeping the raw
//     connection to drop it without a close frame.
//   - timing.go: timing, what the player takes of the Server (speed, gap,
//     from, loop, wait, heartbeats, faults).
//   - pacing.go: the player, which plays a session to a sender, event by
//     event, apart from sockets (tested under testing/synctest).
//   - heartbeat.go: a replay's live heartbeats (liveBeats): answers to the
//     client's, the profile's server beats, the recorded ones left out.
//   - endcause.go: the recorded ending a client caused, held for the live
//     client.
//   - schedule.go: when each event is due: offsets scaled by Speed, gaps
//     capped by MaxGap, From cut off, against one anchor that --wait moves.
//   - wait.go: the waiter, which waits for an instant or for the client
//     until the fault fires or the client leaves.
//   - fault.go: the earliest fault configured (DropAt, CloseAt, HangAt).
//   - playfault.go: link and message faults (Server.Link, Server.Faults,
//     package fault) as a player applies them: arrivals through the link's
//     fault.Clock, and drop, duplicate, delay, reorder, corrupt;
//     faultctl.go: a live replay's faults in its control, and those
//     applied; apifaults.go: POST replays/{id}/faults.
//   - control.go: a replay's live control, apart from the transport:
//     commands waiting for the player, and where the player is.
//   - steer.go: the player's side of it: holding a message until it is
//     due as the commands allow, injecting, the idle end of a session.
//   - live.go: the replays as the control API sees them (apiReplay), their
//     JSON, the defaults for the next connection.
//   - api.go: the control API's routes (http.ServeMux patterns), security
//     rules and errors;
//     apireplays.go its commands to replays and "next"; apisessions.go
//     its sessions, messages and search.
//   - events.go: the events stream (Server-Sent Events).
//   - msgindex.go: a session's index: figures, a histogram and where
//     every 256th message starts, to read message ranges from disk.
//   - ui.go, ui/: the timeline page (plain HTML, CSS and JavaScript,
//     embedded), and WriteTimeline; ui/index.js keeps the session list
//     (page.go) current from the events stream.
//   - carried.go: what a row says of how its message travelled (an
//     event's type, id and retry; a poll's request or status; a transport).
//   - clock.go, clock_linux.go, clock_other.go: the fine clock, for the last
//     stretch of each wait (Go's timers are a millisecond coarse).
//   - clientlog.go: what --wait keeps of the client's messages.
//   - echo.go: a WebSocket replay's replies held for their requests and
//     given the live client's ids (protocol.Pairing); echo_wait.go: --wait
//     pairing the client's messages by content; recent.go: the bounded map
//     of ids they keep.
//   - diagnose.go: the log lines for requests the Server cannot answer as
//     asked.
//   - sse.go: event streams (sessions of kind sse) replayed to an
//     EventSource by a player whose sender writes and flushes each event.
//   - poll.go: long-polling (Server.Poll) replayed per poller: the k-th
//     request gets the k-th recorded response at its offset, then the idle
//     answer; polltape.go: a poll session read as its exchanges.
//   - bootstrap.go: a protocol's HTTP requests before its socket (SockJS
//     /info, SignalR negotiate) answered on every request through its
//     profile, from the recorded bootstrap or the protocol alone; the
//     transports a replay does not serve, named in one log line.
//   - signalr.go: SignalR's Server-Sent Events and long polling: the first
//     GET presenting a negotiated token starts a replay of the hub's
//     SignalR session, recorded on any transport, played by the WebSocket
//     replay's player (live pings, replies waiting, invocationIds
//     followed); signalr_conn.go: its event stream, polls, sends, pings and
//     endings (the stream's end, a 204 to the next poll).
//   - sandbox.go: sandboxWriter, which makes every replayed HTTP response
//     inert in a browser, and the recorded headers a poll answer repeats.
//   - worker.go: no service worker: worker script requests refused, stale
//     workers cleared by the pages.
//   - cors.go: the CORS headers of replayed HTTP responses, for exactly the
//     origins guard admits, and preflights.
//   - engineio.go: Engine.IO (Socket.IO) requests, those whose query has
//     EIO= and transport=: the handshake on polling or WebSocket under a
//     fresh sid, Engine.IO's own error answers.
//     engineio_conn.go: one Engine.IO replay's transports (polling GETs and
//     POSTs, the WebSocket and the upgrade), live pings, its side of the
//     ending (a close to polling keeps the sid until a GET takes it).
//     engineio_play.go: its packets between the player and the transports:
//     pings and CONNECT answers made live, namespaces held until joined,
//     acks under the client's ids, binary units, unrecorded emits logged.
//   - sockjs.go: one SockJS replay per live SockJS session, whichever
//     transports carry it: the player's messages made a[...] frames, the
//     ending a c[code,reason] frame, the live "h" and the inner protocol's
//     beats, the client's messages read. sockjs_transport.go: its
//     transports (the WebSocket, xhr_streaming, xhr polls, xhr_send, the
//     raw <base>/websocket).
//   - page.go: the page listing the sessions and live replays, at "/".
//   - stats.go: Stats, the running totals.
package replayer
