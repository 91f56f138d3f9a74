// Package nettest holds the helpers of tests that talk to servers on
// loopback, written once for every package that needs them: Dial a
// WebSocket, Get a page, WaitFor a condition, and a Buffer their servers
// and commands log into. Each takes a testing.TB and
// fails it on error; a test package imports it, product code never does.
package nettest

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// dialTimeout bounds a Dial on a loaded machine; the connection itself has
// no deadline.
const dialTimeout = 20 * time.Second

// Dial opens a WebSocket connection to url (ws:// or wss://) with opts (nil
// for none), failing tb if it cannot. The connection reads messages of any
// size (no read limit) and is closed, if it is still open, when tb ends.
func Dial(tb testing.TB, url string, opts *websocket.DialOptions) *websocket.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		tb.Fatal(err)
	}
	c.SetReadLimit(-1)
	tb.Cleanup(func() { c.CloseNow() })
	return c
}

// Get fetches url and returns the status code and the body, failing tb if
// there is no response.
func Get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitLimit is how long WaitFor waits: long, as tests run on slow, loaded
// machines; a condition met returns at once.
const waitLimit = 30 * time.Second

// WaitFor polls cond every 10 ms until it holds, failing tb with what it
// waited for if it does not within 30 s.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(waitLimit); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
	}
}
