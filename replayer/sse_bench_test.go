package replayer

import (
	"bufio"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// BenchmarkSSETiming is BenchmarkTiming for an event stream: 10 s of
// events recorded at 1,000 events/s, replayed at speed 1 to one reader of
// the stream, and how late they arrive (the end of each event's block read,
// minus when it was due, counted from the server's "connected" line).
func BenchmarkSSETiming(b *testing.B) {
	const n, every = 10000, time.Millisecond
	evs := []*format.Event{{Type: format.TypeSession, Version: 1, Session: "s", Time: rec0, URL: "/events", Kind: format.KindSSE}}
	for i := range n {
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: "s", Time: rec0.Add(time.Duration(i) * every),
			Dir: format.Receive, Opcode: format.Text, Data: []byte(strconv.Itoa(i) + strings.Repeat(" ", 190)),
			SSE: &format.SSE{ID: strconv.Itoa(i), HasID: true}})
	}
	accepts := make(chan time.Time, 1)
	ts := startServer(b, &Server{Logger: slog.New(&acceptWatcher{accepts: accepts})}, File(writeRecording(b, evs...)))
	var late []time.Duration
	for b.Loop() {
		req, _ := http.NewRequest("GET", ts.URL+"/events", nil)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		t0 := <-accepts
		br := bufio.NewReaderSize(resp.Body, 64<<10)
		for i := 0; i < n; {
			line, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatalf("event %d: %v", i, err)
			}
			if len(line) != 1 {
				continue // a field; the blank line ends the event
			}
			late = append(late, time.Since(t0.Add(time.Duration(i)*every)))
			i++
		}
		resp.Body.Close()
	}
	drift := late[len(late)-1]
	slices.Sort(late)
	pct := func(p float64) float64 { return float64(late[int(p*float64(len(late)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-late-ms")
	b.ReportMetric(pct(0.99), "p99-late-ms")
	b.ReportMetric(pct(1), "max-late-ms")
	b.ReportMetric(float64(drift.Microseconds())/1000, "end-drift-ms")
}
