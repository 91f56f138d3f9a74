package recorder

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// ProxyStats are a Proxy's running totals since it started, as Stats
// returns them: plain numbers, for a metrics exporter or a status line.
type ProxyStats struct {
	Open int64 // sessions running now
	// Ended counts finished sessions by ending: "clean" or "drop".
	Ended map[string]int64
	// Failed counts WebSocket connections that got no session, by the
	// HTTP status the client got ("502", "504", "403", ...).
	Failed map[string]int64
	// Unrecorded counts sessions relayed without recording, by reason:
	// "filter", "sample", "no_room" (Proxy.Room said no), or
	// "not_engineio" (the response to an Engine.IO handshake was not an
	// Engine.IO payload).
	Unrecorded map[string]int64
	// Messages and Bytes count relayed messages and their payload
	// bytes, by direction ("send", "receive").
	Messages, Bytes map[string]int64
	// Lost counts recording lines the sink did not take.
	Lost int64
	// RecordedMessages and RecordedBytes count the messages of recorded
	// sessions only (what the recording holds, before redaction).
	RecordedMessages, RecordedBytes int64
	// FaultErrors counts sessions whose faults (Proxy.Faults) failed
	// with a panic: each was dropped, alone (counted in Ended as a drop).
	FaultErrors int64
}

// proxyStats is what Stats reads; every field is updated atomically.
type proxyStats struct {
	open                            atomic.Int64
	messages, bytes                 [2]atomic.Int64 // by direction: 0 send, 1 receive
	lost                            atomic.Int64
	recordedMessages, recordedBytes atomic.Int64
	faultErrors                     atomic.Int64
	ended, failed, unrecorded       counterMap
}

// counterMap is a set of counters by label, for the rare events.
type counterMap struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *counterMap) add(label string) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]int64{}
	}
	c.m[label]++
	c.mu.Unlock()
}

func (c *counterMap) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

func dirIndex(d format.Dir) int {
	if d == format.Receive {
		return 1
	}
	return 0
}

// message counts a relayed message, and whether it is recorded.
func (st *proxyStats) message(d format.Dir, n int64, recorded bool) {
	i := dirIndex(d)
	st.messages[i].Add(1)
	st.bytes[i].Add(n)
	if recorded {
		st.recordedMessages.Add(1)
		st.recordedBytes.Add(n)
	}
}

func (st *proxyStats) failedWith(status int) { st.failed.add(strconv.Itoa(status)) }

// Stats returns the Proxy's running totals. It is safe to call at any time,
// from any goroutine.
func (p *Proxy) Stats() ProxyStats {
	st := &p.stats
	return ProxyStats{
		Open:             st.open.Load(),
		Ended:            st.ended.snapshot(),
		Failed:           st.failed.snapshot(),
		Unrecorded:       st.unrecorded.snapshot(),
		Messages:         map[string]int64{"send": st.messages[0].Load(), "receive": st.messages[1].Load()},
		Bytes:            map[string]int64{"send": st.bytes[0].Load(), "receive": st.bytes[1].Load()},
		Lost:             st.lost.Load(),
		RecordedMessages: st.recordedMessages.Load(),
		RecordedBytes:    st.recordedBytes.Load(),
		FaultErrors:      st.faultErrors.Load(),
	}
}

// SinkStats are a FileSink's running totals, as Stats returns them.
type SinkStats struct {
	Written         int64 // lines handed to the files
	WriteErrors     int64 // lines that could not be written
	FlushErrors     int64 // flushes that failed
	QueueLines      int64 // lines waiting now
	QueueBytes      int64 // their payload bytes
	Flushes         int64 // flushes done, and the time they took:
	FlushSeconds    float64
	FlushBuckets    []FlushBucket // cumulative, as Prometheus histograms are
	FilesFinished   int64         // session files finished (directory mode)
	FilesCompressed int64         // of those, in place under their final name, compressed or only renamed (this name and the metric's stay: renaming them would break dashboards)
	// FilesOverLimit counts sessions relayed unrecorded because the files
	// open for recording held QueueOptions.MaxOpenFiles.
	FilesOverLimit int64
	// BytesWritten counts the bytes passed to write for the recording
	// files (compressed, where they are); PayloadBytes the payload bytes
	// of the messages handed to the files. Their ratio is what recording
	// costs the disk per recorded byte.
	BytesWritten, PayloadBytes int64
}

// FlushBucket is one cumulative bucket of flush durations.
type FlushBucket struct {
	UpperBound float64 // seconds
	Count      int64
}

// flushBounds are the upper bounds of the flush-duration buckets, seconds.
var flushBounds = []float64{0.001, 0.005, 0.025, 0.1, 0.5, 2.5}

// sinkStats is what FileSink.Stats reads, updated atomically.
type sinkStats struct {
	written, writeErrors, flushErrors atomic.Int64
	flushes                           atomic.Int64
	flushNanos                        atomic.Int64
	flushBuckets                      [6]atomic.Int64 // by flushBounds, not cumulative
	filesFinished, filesInPlace       atomic.Int64    // filesInPlace: compressed or only renamed
	filesOverLimit                    atomic.Int64
	bytesWritten, payloadBytes        atomic.Int64
}

func (st *sinkStats) flushed(d time.Duration) {
	st.flushes.Add(1)
	st.flushNanos.Add(int64(d))
	for i, b := range flushBounds {
		if d.Seconds() <= b {
			st.flushBuckets[i].Add(1)
			return
		}
	}
}

// Stats returns the sink's running totals. It is safe to call at any time.
func (s *FileSink) Stats() SinkStats {
	st := s.stats
	out := SinkStats{
		Written: st.written.Load(), WriteErrors: st.writeErrors.Load(), FlushErrors: st.flushErrors.Load(),
		QueueLines: int64(len(s.ch)), QueueBytes: s.queued.Load(),
		Flushes: st.flushes.Load(), FlushSeconds: time.Duration(st.flushNanos.Load()).Seconds(),
		FilesFinished: st.filesFinished.Load(), FilesCompressed: st.filesInPlace.Load(),
		FilesOverLimit: st.filesOverLimit.Load(),
		BytesWritten:   st.bytesWritten.Load(), PayloadBytes: st.payloadBytes.Load(),
	}
	var cum int64
	for i, b := range flushBounds {
		cum += st.flushBuckets[i].Load()
		out.FlushBuckets = append(out.FlushBuckets, FlushBucket{b, cum})
	}
	return out
}
