package recorder

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// BenchmarkEcho measures 1 KiB text echo round trips on one connection,
// directly and through the proxy recording to zstd, all in this process.
// internal/bench measures the proxy as a process of its own.
func BenchmarkEcho(b *testing.B) {
	up := upstream(b, nil, echo(nil))
	msg := []byte(`{"type":"update","pad":"` + strings.Repeat("x", 1024-25) + `"}`)
	run := func(b *testing.B, url string) {
		ctx := context.Background()
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.CloseNow()
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
				b.Fatal(err)
			}
			if _, _, err := c.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
		c.Close(1000, "")
	}
	b.Run("direct", func(b *testing.B) { run(b, wsURL(up)+"/") })
	b.Run("proxy", func(b *testing.B) {
		sink, err := NewDirSink(b.TempDir(), &QueueOptions{Compression: format.Zstd})
		if err != nil {
			b.Fatal(err)
		}
		u, _ := url.Parse(wsURL(up))
		p := &Proxy{Upstream: u, Sink: sink}
		ts := newServer(p)
		defer func() { stopProxy(b, p, ts, sink) }()
		run(b, wsURL(ts)+"/")
	})
}
