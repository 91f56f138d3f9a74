// Package export turns a recorded session into a JavaScript module that a
// frontend's tests import to mock the WebSocket with the real stream:
// Playwright (page.routeWebSocket) or MSW (ws.link), as "wsreplay export"
// writes them.
//
// The modules are ES modules, formatted as Prettier 3 formats them with a
// print width of 100, except that each message stays on one line however
// long (checked by hand: Prettier is no dependency of this project), and
// documented at the top with the command that made them, so that a
// reviewer sees what the mock sends. Payloads are
// embedded in the module, or, over SidecarThreshold, in a JSON file next
// to it.
package export
