// Package recorder is a recording reverse proxy for WebSocket traffic.
//
// A Proxy sits between clients and a backend. It is an http.Handler: every
// WebSocket connection is relayed to the backend and recorded as a session
// into a Sink; any other HTTP request is passed through unrecorded, so the
// whole application keeps working behind it.
//
// The proxy makes both opening handshakes itself and then relays frames as
// they arrive, bytes unchanged, whole reads at a time; it parses them in
// passing to record every message, ping and pong, to enforce
// Proxy.MaxMessageSize (1009) and RFC 6455 (1002). An idle connection holds
// no read buffer (on Linux, macOS and the BSDs). Files: handshake.go, relay.go
// (the pumps), frame.go (framing), budget.go (memory of messages being
// received), session.go (a session's life and its lines), sink.go (the
// queue and the writer), sessionfile.go (a session's file), leftovers.go,
// outdir.go (where files may be created, and how), retention.go, filter.go,
// stats.go, redact.go (headers, URLs, subprotocols), redact_json.go (JSON in
// messages).
//
//	sink, err := recorder.NewDirSink("/var/lib/wsreplay", &recorder.QueueOptions{Compression: format.Zstd})
//	if err != nil { ... }
//	p := &recorder.Proxy{Upstream: u, Sink: sink} // u: ws://backend:3000
//	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: p}
//	go srv.ListenAndServe()
//	...
//	p.Shutdown(ctx) // 1001 to both legs of every session, recorded
//	srv.Shutdown(ctx)
//	sink.Close()    // flushes and finishes every file
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
// traffic: see Redaction. Redacting JSON in messages is done by a FileSink's
// writer goroutine, off the relay path.
package recorder
