package main

import (
	"io"
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/replayer"
)

// serveHeartbeats runs serve's flags through serveOptions and returns the
// heartbeats the replay server gets.
func serveHeartbeats(t *testing.T, args ...string) ([]replayer.Heartbeat, error) {
	t.Helper()
	app := newApp(io.Discard, io.Discard)
	var got []replayer.Heartbeat
	var optErr error
	for _, c := range app.Commands {
		if c.Name == "serve" {
			c.Action = func(c *cli.Context) error {
				srv, err := serveOptions(c)
				if srv != nil {
					got = srv.Heartbeats
				}
				optErr = err
				return nil
			}
		}
	}
	if err := app.Run(append([]string{"wsreplay", "serve"}, args...)); err != nil {
		t.Fatal(err)
	}
	return got, optErr
}

// --heartbeat takes each value whole: JSON with commas, spaces, STOMP's
// newline as \n; the simple ping:pong as before. Its variable holds one.
func TestHeartbeatFlagTakesAnyText(t *testing.T) {
	got, err := serveHeartbeats(t,
		"--heartbeat", `{"op":"ping","v":[1,2]}:{"op":"pong", "v":[1,2]}`,
		"--heartbeat", `\n:\n`,
		"--heartbeat", "ping:pong")
	want := []replayer.Heartbeat{{Ping: `{"op":"ping","v":[1,2]}`, Pong: `{"op":"pong", "v":[1,2]}`}, {Ping: "\n", Pong: "\n"}, {Ping: "ping", Pong: "pong"}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("flags: %q, %v; want %q", got, err, want)
	}
	t.Setenv("WSREPLAY_HEARTBEAT", `{"a":1,"b":2}:{"ok":true}`)
	got, err = serveHeartbeats(t)
	want = []replayer.Heartbeat{{Ping: `{"a":1,"b":2}`, Pong: `{"ok":true}`}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("WSREPLAY_HEARTBEAT: %q, %v; want %q", got, err, want)
	}
}
