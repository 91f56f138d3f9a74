// Package driver plays the client's half of recorded sessions against a
// live server, a new build of the backend they were recorded from, and
// compares its answers with the recorded server half: recordings as
// backend regression tests, and, many at once, as load.
//
//	scripts, err := driver.LoadScripts(r, "checkout.ndjson") // every session of a recording
//	d := &driver.Driver{Target: target, Timeout: 5 * time.Second}
//	res := d.Run(ctx, scripts[0])           // one run: res.Diff says what differs
//	rep := d.RunLoad(ctx, scripts, driver.Load{Concurrency: 200, Duration: time.Minute}, nil)
//
// A run opens the session's connection with its recorded path, query,
// subprotocol and headers (hop-by-hop headers and redacted values left
// out, Driver.Header's values put in), then sends each client message
// when the server message it followed in the recording has arrived (the
// k-th server message, counted in order), its recorded gap after it; with
// Driver.Clock, at its recorded offset. Socket.IO sessions are played by
// an Engine.IO client of the package's own (engineio.go), as
// socket.io-client plays them: the polling handshake, the upgrade if the
// recording shows one, live pings.
//
// Ids the server chose and the client sent back (a session id, a
// channel's id) are followed through protocol.Granted: a run reads the
// live value where the recording's server message had the recorded one,
// and puts it into the client's later messages. Ids the client chose are
// sent as recorded; the server echoes them.
//
// What the target answered is a recording of its own (Driver.Out, in the
// format every wsreplay command reads) and is compared with the recording
// by internal/diff (byte for byte first, then by meaning: JSON, Socket.IO
// packets, the client's ids), the live server's granted values put back
// to the recorded ones, so that only real differences show.
package driver
