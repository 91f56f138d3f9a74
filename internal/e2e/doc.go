// Package e2e holds wsreplay's interoperability tests: the real wsreplay
// binary against clients and servers nobody here wrote — Node's ws,
// socket.io, and Chromium driven by playwright-core — and the modules
// "wsreplay export" writes, run by Playwright's routeWebSocket in Chromium
// and by MSW's WebSocket interception in Node; and the protocols frontends
// speak over WebSockets, each with its real client library and its own
// server (or a test server written from the protocol's published document
// where the server is no npm package): proto_test.go runs a client
// application (proto-NAME.mjs, see proto-lib.mjs) live through "wsreplay
// record", then against "wsreplay serve" with only the URL changed, 300 ms
// slower than recorded, and through a pause and past the recording's end,
// and compares what the application saw (a server that is a Go library,
// centrifugal/centrifuge, is a Go module of its own, centrifuge-server,
// which the test builds, so the product's go.mod does not name it). The
// Node scripts beside
// this file are pinned by package-lock.json; install them with
// "npm ci --prefix internal/e2e" and Chromium with "apt-get install chromium".
//
// Where node, its packages or Chromium are missing, no test runs (go test
// prints "ok ... [no tests to run]" for the package, and -v says what is
// missing), except under CI (CI=true), where that is a failure.
package e2e
