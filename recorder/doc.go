// Package recorder is a recording reverse proxy for WebSocket traffic.
//
// A Proxy sits between clients and a backend. It is an http.Handler: every
// WebSocket connection is relayed to the backend and recorded as a session
// into a Sink; any other HTTP request is passed through, so the whole
// application keeps working behind it, and recorded only if it belongs to a
// session: a Server-Sent Events response (Content-Type text/event-stream)
// is one, and so are a poller's requests on the Proxy.Poll paths. Engine.IO
// (Socket.IO) polling requests are recorded too, and one sid's polling and
// WebSocket are one session (unless Proxy.NoEngineIO).
//
// The proxy makes both opening handshakes itself and then relays frames as
// they arrive, bytes unchanged, whole reads at a time; it parses them in
// passing to record every message, ping and pong, to enforce
// Proxy.MaxMessageSize (1009) and RFC 6455 (1002). An idle connection holds
// no read buffer (on Linux, macOS and the BSDs).
//
// Files, in the order a connection meets them:
//
//   - proxy.go: Proxy, the http.Handler; plain requests passed through;
//     Shutdown.
//
//   - session.go: a WebSocket session's life: open (both handshakes, the
//     session line), run (the two pumps), how it ends. socketlines.go:
//     where its messages are recorded, its own recording or the Engine.IO
//     session it carries. sessionrec.go: what every kind of session keeps
//     and how its lines reach the Sink (add, message, close), the one
//     "session ended" record (its fields in sessionlog.go).
//
//   - handshake.go: the opening handshakes, in the order they are made: the
//     client's request checked, the upstream request built (URL, forwarded
//     headers), dialed and answered, the client accepted.
//
//   - relay.go: a leg (one side's connection) and the pumps that relay and
//     record, session.pumpToUpstream and session.pumpToClient.
//
//   - engineio.go: an Engine.IO (Socket.IO) session, every packet of one
//     sid whatever transport carries it, and how it ends; engineio_poll.go:
//     its polling requests, exchanges (exchange.go) whose hooks keep a copy
//     of each body; engineio_queue.go: the session's goroutine that splits
//     the bodies into packets, off the relay path.
//
//   - sockjs.go: a SockJS session, every application message of one
//     <server>/<session> whatever transport carries it (its WebSocket,
//     sjSocket), read from SockJS's frames, and how it ends;
//     sockjs_http.go: its xhr_streaming, xhr and xhr_send requests,
//     exchanges whose hooks read the frames as they pass.
//
//   - signalr.go: SignalR's Server-Sent Events and long polling, one
//     session per connection token a recorded negotiate handed out, its
//     messages the hub protocol's records from the bodies and the events.
//
//   - frame.go: RFC 6455 framing: headers, frameParser (frames across
//     reads), masking, close frames.
//
//   - readbuf.go: a pump's read buffer (readBuf), given back while the
//     socket is empty; rawread_unix.go: the read that waits for data before
//     it takes one, and the peek by which Shutdown tells a side already gone.
//
//   - Per system (every file builds, and CI vets, on Linux, macOS, Windows
//     and FreeBSD; OpenBSD too): freespace_*.go, the free space that
//     Retention's Room reads (statfs, statvfs, GetDiskFreeSpaceEx);
//     lock_flock.go, the lock that tells a running recorder's file from a
//     leftover (where flock is missing, as on Windows, no file is taken for
//     a leftover); outdir_unix.go, the owner and mode checks of --out (on
//     Windows only regular files are checked).
//
//   - budget.go: the memory of messages being received (PartialBudget).
//
//   - faults.go: Faults, applied to live traffic only as asked, and which
//     sessions they act on; faultout.go: the writer that relays what the
//     server sends through them, message by message, and records what the
//     client got; faulthold.go: the bytes it may hold before the relay
//     stops reading from the upstream.
//
//   - exchange.go: a plain HTTP request and its response that belong to a
//     session (an event stream, a long-poll, an Engine.IO poll): the one
//     tee, hooks on the bodies as they stream through the passthru, in the
//     request's context, set by the kind the request is (classify).
//     httpsession.go: a session carried by HTTP exchanges (poll, sse). sse.go: text/event-stream responses recorded as
//     sse sessions (the parser is internal/sse). poll.go: Proxy.Poll's
//     pollers, told apart and ended, each recorded as a poll session.
//
//   - sink.go: the Sink interface, and the optional WaitingSink and
//     RedactingSink a Sink may implement. filesink.go: FileSink, QueueOptions and
//     the constructors. queue.go: the bounded queue and its writer
//     goroutine. filestore.go: every session in one file (NewFileSink).
//     dirstore.go: a file per session (NewDirSink). sessionfile.go: a
//     session's file, and a full disk. frameout.go: the one frame encoder
//     the session files share (each write a zstd frame or gzip member).
//     compress.go: the worker that puts the files of ended sessions in
//     place (a rename; a plain file of an earlier release is compressed).
//
//   - leftovers.go: what a killed recorder left; outdir.go: where files may
//     be created, and how; retention.go: Retention; lock_*.go and
//     freespace_*.go: what differs by system.
//
//   - filter.go: Filter; stats.go: ProxyStats and SinkStats; redact.go:
//     Redaction of headers, URLs, subprotocols; redact_json.go: of JSON in
//     messages.
//
//     sink, err := recorder.NewDirSink("/var/lib/wsreplay", &recorder.QueueOptions{Compression: format.Zstd})
//     if err != nil { ... }
//     p := &recorder.Proxy{Upstream: u, Sink: sink} // u: ws://backend:3000
//     srv := &http.Server{Addr: "127.0.0.1:8080", Handler: p}
//     go srv.ListenAndServe()
//     ...
//     p.Shutdown(ctx) // 1001 to both legs of every session, recorded
//     srv.Shutdown(ctx)
//     sink.Close()    // flushes and finishes every file
//
// Package recorder/browser records the same sessions from a browser's
// DevTools protocol events instead of a proxy (wsreplay record --browser),
// into a Sink, with a Redaction (its exported Header, URL and Subprotocol,
// and EndToEnd, are what it shares of the proxy's lines).
//
// Live traffic comes first. Lines go to the FileSink through a bounded queue
// drained by one goroutine, which flushes when the queue drains and at least
// every QueueOptions.FlushInterval; a full queue or a failing disk drops
// recording lines (counted in the session's close line as "lost", and
// logged once per session), never messages of the traffic.
//
// Messages are reassembled to be recorded whole; all those still being
// received share Proxy.PartialBudget, past which a message is relayed but
// not recorded. A full disk cuts out whole lines, never leaves a torn one,
// and a session's close line waits for room. A recorder starting on a
// directory finishes the files a killed one left (leftovers.go); every file
// it writes is locked, so a running recorder's are left alone.
//
// Endings are mirrored: a close code and reason from either side reach the
// other unchanged; a side that vanishes without a close frame makes the proxy
// drop the other side the same way, so a browser sees 1006 as it would have
// without the proxy. Each ending is recorded in the session's close line.
//
// Secrets are redacted in what is recorded and logged, never in the
// traffic: see Redaction. Redacting JSON in messages is done by the Sink
// when it is a RedactingSink (a FileSink's writer goroutine), off the relay
// path.
package recorder
