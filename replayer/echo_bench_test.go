package replayer

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// BenchmarkTimingEcho is BenchmarkTiming's 1,000 msgs/s with the replies
// followed (echo.go): a graphql-transport-ws session whose 10,000 next
// messages answer a subscription recorded at 50 ms, replayed to a client
// that subscribes under its own id at once (earlier than recorded, so the
// recorded clock holds); every message is checked and rewritten. It
// reports lateness as BenchmarkTiming does.
func BenchmarkTimingEcho(b *testing.B) {
	const n = 10000
	at := func(i int) time.Duration { return 100*time.Millisecond + time.Duration(i)*time.Millisecond }
	evs := []*format.Event{sessionLine("s", "/", "graphql-transport-ws", rec0),
		message("s", rec0.Add(50*time.Millisecond), format.Send, format.Text, []byte(`{"id":"rec","type":"subscribe","payload":{"query":"subscription S { s }"}}`))}
	pad := strings.Repeat("x", 120)
	for i := range n {
		data := `{"id":"rec","type":"next","payload":{"data":{"n":` + strconv.Itoa(i) + `,"pad":"` + pad + `"}}}`
		evs = append(evs, message("s", rec0.Add(at(i)), format.Receive, format.Text, []byte(data)))
	}
	accepts := make(chan time.Time, 1)
	ts := startServer(b, &Server{Logger: slog.New(&acceptWatcher{accepts: accepts})}, File(writeRecording(b, evs...)))
	var late []time.Duration
	for b.Loop() {
		c := dial(b, ts, "/", "graphql-transport-ws")
		t0 := <-accepts
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := c.Write(ctx, 1, []byte(`{"id":"live","type":"subscribe","payload":{"query":"subscription S { s }"}}`)); err != nil {
			b.Fatal(err)
		}
		for i := range n {
			_, data, err := c.Read(ctx)
			now := time.Now()
			if err != nil {
				b.Fatal(err)
			}
			if want := `{"id":"live","type":"next","payload":{"data":{"n":` + strconv.Itoa(i) + `,`; !strings.HasPrefix(string(data), want) {
				b.Fatalf("message %d arrived as %.60s", i, data)
			}
			late = append(late, now.Sub(t0.Add(at(i))))
		}
		cancel()
		c.CloseNow()
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
