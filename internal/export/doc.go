// Package export turns a recorded session into a JavaScript module that a
// frontend's tests import to mock its server with the real stream, as
// "wsreplay export" writes them: a WebSocket session on Playwright's
// page.routeWebSocket or MSW's ws.link; a Socket.IO session on the same,
// with a player that is an Engine.IO 4 server (socketio.go,
// socketio_module.go); an event stream on page.route (one whole body) or
// MSW's sse(); a poll session on page.route or MSW's http handlers
// (httpkinds.go, sse_module.go, poll_module.go). Index writes the
// index.mjs that installs the modules of several sessions.
//
// The modules are ES modules, formatted as Prettier 3 formats them with a
// print width of 100, except that each message stays on one line however
// long (checked by hand: Prettier is no dependency of this project), and
// documented at the top with the command that made them, so that a
// reviewer sees what the mock sends. Payloads are
// embedded in the module, or, over SidecarThreshold, in a JSON file next
// to it.
//
// A module replays a conversation, as "wsreplay serve" does: a reply waits
// for the live client's request and carries the ids the client chose.
// Session.Follow (follow.go) finds the session's protocol, as cat does,
// and writes on each message what the module's player needs to do so
// without a profile: the JSON paths of a request's ids and of what makes
// it the same request, and where a reply carries which request's ids,
// found by asking the profile's Echoer about altered copies of the
// message (probe.go). Write embeds them; the player (targets.go) pairs
// the live requests with the recorded ones.
package export
