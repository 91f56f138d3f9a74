package driver

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// maxSamples bounds the latencies a Report holds; past it, a uniform
// sample of them (reservoir sampling, Vitter's algorithm R) is kept.
const maxSamples = 1 << 20

// Report sums up the runs of a RunLoad. JSON names are stable: CI
// scripts read them.
type Report struct {
	Runs        int `json:"runs"`
	Connections int `json:"connections"` // runs that connected
	Errors      int `json:"errors"`      // runs with an error
	Equal       int `json:"equal"`       // runs whose answers equal the recording's
	Different   int `json:"different"`   // runs that connected and differ
	Late        int `json:"late"`        // client messages sent after waiting in vain
	Sent        int `json:"sent"`        // client messages sent
	Received    int `json:"received"`    // server messages received
	// Elapsed is the wall time of the whole load.
	Elapsed           time.Duration `json:"elapsed_ns"`
	SessionsPerSecond float64       `json:"sessions_per_second"`
	MessagesPerSecond float64       `json:"messages_per_second"` // sent and received
	// Latency is the answer time of the target: from a client message to
	// the server's next message; Recorded the same in the recordings.
	Latency  Percentiles `json:"latency"`
	Recorded Percentiles `json:"recorded_latency"`
	// FirstErrors are the first few errors, as text.
	FirstErrors []string `json:"first_errors,omitempty"`

	live, rec []time.Duration
	seen      int
}

// Percentiles of a set of durations; zero when there are none.
type Percentiles struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	Max   time.Duration `json:"max_ns"`
}

func newReport() *Report { return &Report{} }

// add counts one run.
func (r *Report) add(res *Result) {
	r.Runs++
	if res.Connected {
		r.Connections++
	}
	switch {
	case res.Err != nil:
		r.Errors++
		if len(r.FirstErrors) < 5 {
			r.FirstErrors = append(r.FirstErrors, res.Script.Name+": "+res.Err.Error())
		}
	case res.Same():
		r.Equal++
	default:
		r.Different++
	}
	r.Late += res.Late
	r.Sent += res.Sent
	r.Received += res.Received
	for _, l := range res.Latencies {
		r.seen++
		if len(r.live) < maxSamples {
			r.live, r.rec = append(r.live, l.Live), append(r.rec, l.Recorded)
		} else if i := rand.IntN(r.seen); i < maxSamples {
			r.live[i], r.rec[i] = l.Live, l.Recorded
		}
	}
}

// finish computes the rates and percentiles.
func (r *Report) finish() {
	if s := r.Elapsed.Seconds(); s > 0 {
		r.SessionsPerSecond = float64(r.Runs) / s
		r.MessagesPerSecond = float64(r.Sent+r.Received) / s
	}
	r.Latency, r.Recorded = percentiles(r.live), percentiles(r.rec)
	r.Latency.Count, r.Recorded.Count = r.seen, r.seen
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(int(q*float64(len(ds))), len(ds)-1)] }
	return Percentiles{Count: len(ds), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ds[len(ds)-1]}
}

// WriteText prints the report for people.
func (r *Report) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, "runs %d: %d equal, %d different, %d errors; connections %d; late sends %d\n"+
		"messages: %d sent, %d received in %s (%.0f/s); sessions %.1f/s\n"+
		"answer latency (%d): p50 %s  p95 %s  p99 %s  max %s\n"+
		"recorded latency:      p50 %s  p95 %s  p99 %s  max %s\n",
		r.Runs, r.Equal, r.Different, r.Errors, r.Connections, r.Late,
		r.Sent, r.Received, r.Elapsed.Round(time.Millisecond), r.MessagesPerSecond, r.SessionsPerSecond,
		r.Latency.Count, ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max),
		ms(r.Recorded.P50), ms(r.Recorded.P95), ms(r.Recorded.P99), ms(r.Recorded.Max))
	for _, e := range r.FirstErrors {
		if err == nil {
			_, err = fmt.Fprintf(w, "error: %s\n", e)
		}
	}
	return err
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
