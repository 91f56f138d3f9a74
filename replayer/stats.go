package replayer

import (
	"sync"
	"sync/atomic"
)

// Stats are a Server's running totals since it started, as Stats returns
// them: plain numbers, for a metrics exporter or a status line.
type Stats struct {
	Open int64 // replays running now
	// Ended counts finished replays by how they ended: "close", "drop",
	// "client_left" (a replay that hung or stayed open ends so too),
	// "shutdown", "failed".
	Ended map[string]int64
	// Refused counts requests answered without a replay, by reason:
	// "host", "origin", "fault" (--refuse), "no_session", "shutdown",
	// "service_worker" (a browser fetching a worker script, guard.go).
	Refused map[string]int64
	// Sent and SentBytes count the recorded messages sent to clients;
	// Received counts the clients' messages.
	Sent, SentBytes, Received int64
}

type serverStats struct {
	open, sent, sentBytes, received atomic.Int64
	mu                              sync.Mutex
	ended, refused                  map[string]int64
}

func (st *serverStats) count(m *map[string]int64, label string) {
	st.mu.Lock()
	if *m == nil {
		*m = map[string]int64{}
	}
	(*m)[label]++
	st.mu.Unlock()
}

func (st *serverStats) endedAs(how string)    { st.count(&st.ended, how) }
func (st *serverStats) refusedFor(why string) { st.count(&st.refused, why) }

// Stats returns the Server's running totals. It is safe to call at any
// time, from any goroutine.
func (s *Server) Stats() Stats {
	st := &s.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	cp := func(m map[string]int64) map[string]int64 {
		out := make(map[string]int64, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return Stats{Open: st.open.Load(), Ended: cp(st.ended), Refused: cp(st.refused),
		Sent: st.sent.Load(), SentBytes: st.sentBytes.Load(), Received: st.received.Load()}
}
