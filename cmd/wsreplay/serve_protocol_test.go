package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// TestServeProtocolFlag: serve follows the client's graphql ids in a
// session it detects by its first messages; --protocol none replays the
// recorded ids; --protocol names the protocol outright.
func TestServeProtocolFlag(t *testing.T) {
	for _, c := range []struct {
		name string
		flag []string
		want string // the id the reply carries
	}{
		{"detected", nil, "live-7"},
		{"--protocol none", []string{"--protocol", "none"}, "1"},
		{"--protocol graphql-transport-ws", []string{"--protocol", "graphql-transport-ws"}, "live-7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"serve", "../../testdata/graphql/graphql-transport-ws.ndjson", "--session", "g2",
				"--listen", "127.0.0.1:0", "--speed", "max", "--no-control"}, c.flag...)
			url, _, _ := startCommand(t, args...)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			conn := nettest.Dial(t, url+"/graphql", nil)
			defer conn.CloseNow()
			for _, m := range []string{`{"type":"connection_init"}`,
				`{"id":"live-7","type":"subscribe","payload":{"operationName":"Me","query":"query Me { me { name } }"}}`} {
				if err := conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			for {
				_, data, err := conn.Read(ctx)
				if err != nil {
					t.Fatalf("no reply: %v", err)
				}
				if strings.Contains(string(data), `"next"`) {
					if want := `{"id":"` + c.want + `","type":"next"`; !strings.HasPrefix(string(data), want) {
						t.Errorf("got %s, want it to start %s", data, want)
					}
					return
				}
			}
		})
	}
}
