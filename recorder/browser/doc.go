// Package browser records the traffic of a running Chromium from its own
// DevTools protocol events, with no proxy in front of the backend: every
// WebSocket, event stream, Engine.IO polling exchange, protocol bootstrap
// and Recorder.Poll exchange of every tab and worker, into the sessions a
// recorder.Proxy
// writes for the same traffic, through the same recorder.Sink and
// recorder.Redaction. Each session line says "via":"browser" and names the
// page (tab or worker URL) that opened it.
//
// Entry points: Recorder.Run records from a DevTools connection until its
// context ends or the browser goes away; Launch starts a Chromium (a
// temporary profile unless one is given) and returns its DevTools address;
// DebuggerURL finds the address of a Chromium started by the user with
// --remote-debugging-port.
//
//	addr, stop, err := browser.Launch(ctx, &browser.LaunchOptions{Headless: true})
//	defer stop()
//	rec := &browser.Recorder{Sink: sink, Open: "http://localhost:5173/"}
//	err = rec.Run(ctx, addr) // until ctx is done or the browser closes
//	sink.Close()
//
// Files: conn.go, the protocol connection (answers and the event queue);
// capture.go, Recorder and its loop; targets.go, attaching to every tab
// and worker; clock.go, the browser's monotonic timestamps as wall time;
// lines.go, a session's lines to the Sink (redaction, the close line);
// socket.go, WebSockets (frames, close frames and drops); engineio.go,
// Engine.IO sessions grouped by sid across polling and WebSocket;
// exchange.go, HTTP requests (event streams, polls, Engine.IO polling);
// bootstrap.go, a protocol's request before its socket (SignalR's
// negotiate, SockJS's /info) and the tokens it hands out, hidden in every
// URL after; launch.go, starting or finding the browser (chromedp).
//
// How endings are told: Chromium reports a close frame as a frame with
// opcode 8 (its payload the code and reason) before webSocketClosed; a
// socket that closes without one dropped (1006). A tab or worker that goes
// away, or the browser itself, ends its open sessions as drops by the
// client; a Recorder whose context ends stops them with 1001, as the
// proxy's Shutdown does.
package browser
