package replayer

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

// BenchmarkTiming replays 10 s of messages recorded at 200, 1,000 and
// 10,000 msgs/s, and in bursts of 100 every 100 ms, at speed 1, to one
// client and reports how late they arrive: arrival minus the time they were
// due, counted from the time of the server's "connected" log line (written
// microseconds after the accept). end-drift is the lateness of the last
// message. It takes 10 s per rate and iteration.
func BenchmarkTiming(b *testing.B) {
	steady := func(every time.Duration) func(int) time.Duration {
		return func(i int) time.Duration { return time.Duration(i) * every }
	}
	b.Run("200msgs/s", func(b *testing.B) { benchTiming(b, 2000, steady(5*time.Millisecond)) })
	b.Run("1000msgs/s", func(b *testing.B) { benchTiming(b, 10000, steady(time.Millisecond)) })
	b.Run("10000msgs/s", func(b *testing.B) { benchTiming(b, 100000, steady(100*time.Microsecond)) })
	b.Run("bursts100every100ms", func(b *testing.B) {
		benchTiming(b, 10000, func(i int) time.Duration { return time.Duration(i/100) * 100 * time.Millisecond })
	})
}

// benchLatency, given (go test -bench Timing -args -timing.latency 0),
// makes BenchmarkTiming's replays cross a link with that latency (see
// Server.Link): with 0, what the link's schedule costs in lateness.
var benchLatency = flag.String("timing.latency", "", "BenchmarkTiming: replay over a link of this `latency` (200ms±50ms; 0)")

// benchTiming replays n messages, the i-th recorded at at(i).
func benchTiming(b *testing.B, n int, at func(int) time.Duration) {
	evs := []*format.Event{sessionLine("s", "/", "", rec0)}
	for i := range n {
		data := make([]byte, 200)
		binary.BigEndian.PutUint64(data, uint64(i))
		evs = append(evs, message("s", rec0.Add(at(i)), format.Receive, format.Binary, data))
	}
	accepts := make(chan time.Time, 1)
	log := slog.New(&acceptWatcher{accepts: accepts})
	srv := &Server{Logger: log}
	if *benchLatency != "" {
		lat, jit, err := fault.ParseLatency(*benchLatency)
		if err != nil {
			b.Fatal(err)
		}
		srv.Link = &fault.Link{Latency: lat, Jitter: jit}
	}
	ts := startServer(b, srv, File(writeRecording(b, evs...)))
	var late []time.Duration
	writes0 := writeCalls()
	for b.Loop() {
		c := dial(b, ts, "/")
		t0 := <-accepts
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		for i := range n {
			_, data, err := c.Read(ctx)
			now := time.Now()
			if err != nil {
				b.Fatal(err)
			}
			if got := int(binary.BigEndian.Uint64(data)); got != i {
				b.Fatalf("message %d arrived as %d", got, i)
			}
			late = append(late, now.Sub(t0.Add(at(i))))
		}
		cancel()
		c.CloseNow()
	}
	if w0, w1 := writes0, writeCalls(); w0 >= 0 && w1 >= 0 {
		// This process is the client too, which writes next to nothing.
		b.ReportMetric(float64(w1-w0)/float64(len(late)), "writes/msg")
	}
	drift := late[len(late)-1]
	slices.Sort(late)
	pct := func(p float64) float64 {
		return float64(late[int(p*float64(len(late)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-late-ms")
	b.ReportMetric(pct(0.99), "p99-late-ms")
	b.ReportMetric(pct(1), "max-late-ms")
	b.ReportMetric(float64(drift.Microseconds())/1000, "end-drift-ms")
}

// writeCalls returns the write system calls this process has made (Linux:
// /proc/self/io), or -1.
func writeCalls() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// acceptWatcher is a slog.Handler that passes on the time of each
// "connected" line.
type acceptWatcher struct{ accepts chan time.Time }

func (w *acceptWatcher) Enabled(context.Context, slog.Level) bool { return true }
func (w *acceptWatcher) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *acceptWatcher) WithGroup(string) slog.Handler            { return w }
func (w *acceptWatcher) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "connected" {
		w.accepts <- r.Time
	}
	return nil
}

// BenchmarkSpeedMax compares a replay at --speed max of 1 KiB text messages
// with a bare coder/websocket loop writing the same messages, over loopback.
func BenchmarkSpeedMax(b *testing.B) {
	const n = 20000
	msg := []byte(`{"type":"price","pad":"` + strings.Repeat("x", 1024-25) + `"}`)
	evs := []*format.Event{sessionLine("s", "/", "", rec0)}
	for i := range n {
		evs = append(evs, message("s", rec0.Add(time.Duration(i)*time.Microsecond), format.Receive, format.Text, msg))
	}
	path := writeRecording(b, evs...)
	if os.Getenv("WSREPLAY_BENCH_PLAIN") != "" {
		path = writePlain(b, evs...)
	}

	run := func(b *testing.B, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		b.SetBytes(int64(len(msg)) * n)
		for b.Loop() {
			c, _, err := websocket.Dial(ctx, url, nil)
			if err != nil {
				b.Fatal(err)
			}
			for range n {
				if _, data, err := c.Read(ctx); err != nil || !bytes.Equal(data, msg) {
					b.Fatalf("read: %v", err)
				}
			}
			c.CloseNow()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
	}
	b.Run("replay", func(b *testing.B) {
		ts := startServer(b, &Server{Speed: math.Inf(1)}, File(path))
		run(b, "ws"+strings.TrimPrefix(ts.URL, "http")+"/")
	})
	b.Run("bare", func(b *testing.B) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			for range n {
				if err := c.Write(context.Background(), websocket.MessageText, msg); err != nil {
					return
				}
			}
			c.Read(context.Background()) // until the client closes
		}))
		defer ts.Close()
		run(b, "ws"+strings.TrimPrefix(ts.URL, "http")+"/")
	})
}
