// Package replayertest replays a recording to the WebSocket client of a Go
// test in one call:
//
//	srv := replayertest.Start(t, "testdata/bug.ndjson", &replayertest.Options{Speed: 10})
//	conn, _, err := websocket.Dial(ctx, srv.URL+"/live", &websocket.DialOptions{HTTPClient: srv.HTTPClient()})
//
// The server is shut down by t.Cleanup. Options are those of "wsreplay
// serve" (replayer.Server's fields).
//
// Under testing/synctest, set Options.InMemory: the replay then runs over
// in-memory connections (net.Pipe), which a bubble can wait on, instead of
// loopback TCP, which it cannot; the client dials through HTTPClient or
// DialContext. The replay's pacing runs on the bubble's fake clock, so a
// client's reconnect logic meets recorded drops, closes and silences of
// minutes in no real time.
package replayertest
