// Package metrics exports the running totals of the recorder and the replay
// server (their Stats methods) in the Prometheus exposition format, for the
// admin listener of wsreplay record and serve. The libraries keep plain
// atomic counters, so that using them from Go costs no Prometheus
// dependency; this package reads them at scrape time.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/recorder"
	"github.com/wsreplay/wsreplay/replayer"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("wsreplay_"+name, help, labels, nil)
}

// Recorder collects a Proxy's, its FileSink's and its Retention's totals.
// Sink and Retention may be nil.
type Recorder struct {
	Proxy     *recorder.Proxy
	Sink      *recorder.FileSink
	Retention *recorder.Retention
	// Uploader, for --out s3://, may be nil.
	Uploader *s3store.Uploader
}

var (
	recOpen       = desc("record_sessions_open", "Sessions being relayed now.")
	recEnded      = desc("record_sessions_ended_total", "Sessions ended, by ending (clean: a close frame; drop: none).", "ending")
	recFailed     = desc("record_connections_failed_total", "WebSocket connections that got no session, by the HTTP status the client got.", "status")
	recUnrecorded = desc("record_sessions_unrecorded_total", "Sessions relayed without recording, by reason (filter, sample, no_room; not_engineio: a response to an Engine.IO URL that is no Engine.IO payload; file_limit: past --max-open-files).", "reason")
	recFaultErr   = desc("record_fault_errors_total", "Sessions dropped because their faults failed (each also counts as a drop).")
	recMessages   = desc("record_messages_total", "Messages relayed, by direction as seen from the client.", "dir")
	recBytes      = desc("record_message_bytes_total", "Payload bytes of relayed messages, by direction.", "dir")
	recLost       = desc("record_lines_lost_total", "Recording lines dropped (queue full, or the sink closed).")
	sinkWritten   = desc("record_lines_written_total", "Recording lines handed to the files.")
	sinkWriteErr  = desc("record_write_errors_total", "Recording lines that could not be written.")
	sinkFlushErr  = desc("record_flush_errors_total", "Flushes of the recording files that failed.")
	sinkQueue     = desc("record_queue_lines", "Recording lines waiting for the writer.")
	sinkQueueB    = desc("record_queue_bytes", "Payload bytes of the lines waiting for the writer.")
	sinkFlush     = desc("record_flush_seconds", "Time to flush the recording files.")
	sinkFinished  = desc("record_files_finished_total", "Session files finished (directory mode).")
	sinkFinal     = desc("record_files_compressed_total", "Session files in place under their final name, compressed if asked.")
	sinkBytes     = desc("record_file_bytes_written_total", "Bytes passed to write for the recording files (compressed, where they are).")
	sinkPayload   = desc("record_payload_bytes_written_total", "Payload bytes of the messages handed to the recording files.")
	retDeleted    = desc("record_retention_deleted_files_total", "Finished session files deleted by --max-age or --max-size.")
	retDeletedB   = desc("record_retention_deleted_bytes_total", "Bytes of the files deleted by retention.")
	upUploads     = desc("record_uploads_total", "Uploads to the store confirmed, by what: finished (a session file, then removed from the spool) or partial (a running session's file so far).", "what")
	upBytes       = desc("record_upload_bytes_total", "Bytes of the finished session files uploaded.")
	upFailures    = desc("record_upload_failures_total", "Uploads that failed (each is retried with backoff; the spool keeps the file).")
	upSpoolFiles  = desc("record_spool_files", "Session files in the spool: running, or finished and not yet uploaded.")
	upSpoolBytes  = desc("record_spool_bytes", "Bytes of the session files in the spool.")
)

// Describe implements prometheus.Collector.
func (c Recorder) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{recOpen, recEnded, recFailed, recUnrecorded, recFaultErr, recMessages, recBytes, recLost,
		sinkWritten, sinkWriteErr, sinkFlushErr, sinkQueue, sinkQueueB, sinkFlush, sinkFinished, sinkFinal, sinkBytes, sinkPayload,
		retDeleted, retDeletedB, upUploads, upBytes, upFailures, upSpoolFiles, upSpoolBytes} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c Recorder) Collect(ch chan<- prometheus.Metric) {
	st := c.Proxy.Stats()
	gauge(ch, recOpen, st.Open)
	counter(ch, recLost, st.Lost)
	labelled(ch, recEnded, st.Ended, "clean", "drop")
	labelled(ch, recFailed, st.Failed)
	if c.Sink != nil { // the sink refuses sessions too: past --max-open-files
		st.Unrecorded["file_limit"] = c.Sink.Stats().FilesOverLimit
	}
	labelled(ch, recUnrecorded, st.Unrecorded, "filter", "sample", "no_room", "not_engineio", "file_limit")
	counter(ch, recFaultErr, st.FaultErrors)
	labelled(ch, recMessages, st.Messages)
	labelled(ch, recBytes, st.Bytes)
	if c.Sink != nil {
		ss := c.Sink.Stats()
		counter(ch, sinkWritten, ss.Written)
		counter(ch, sinkWriteErr, ss.WriteErrors)
		counter(ch, sinkFlushErr, ss.FlushErrors)
		gauge(ch, sinkQueue, ss.QueueLines)
		gauge(ch, sinkQueueB, ss.QueueBytes)
		counter(ch, sinkFinished, ss.FilesFinished)
		// Files compressed or only renamed into place; the field and the
		// metric keep their names: renaming them would break dashboards.
		counter(ch, sinkFinal, ss.FilesCompressed)
		counter(ch, sinkBytes, ss.BytesWritten)
		counter(ch, sinkPayload, ss.PayloadBytes)
		buckets := map[float64]uint64{}
		for _, b := range ss.FlushBuckets {
			buckets[b.UpperBound] = uint64(b.Count)
		}
		ch <- prometheus.MustNewConstHistogram(sinkFlush, uint64(ss.Flushes), ss.FlushSeconds, buckets)
	}
	if c.Retention != nil {
		rs := c.Retention.Stats()
		counter(ch, retDeleted, rs.Deleted)
		counter(ch, retDeletedB, rs.DeletedBytes)
	}
	if c.Uploader != nil {
		us := c.Uploader.Stats()
		labelled(ch, upUploads, map[string]int64{"finished": us.Uploaded, "partial": us.PartialUploads})
		counter(ch, upBytes, us.UploadedBytes)
		counter(ch, upFailures, us.Failures)
		gauge(ch, upSpoolFiles, us.SpoolFiles)
		gauge(ch, upSpoolBytes, us.SpoolBytes)
	}
}

// Replayer collects a replay Server's totals.
type Replayer struct {
	Server *replayer.Server
}

var (
	repOpen     = desc("serve_replays_open", "Replays running now.")
	repEnded    = desc("serve_replays_ended_total", "Replays ended, by how (close, drop, client_left, shutdown, failed).", "how")
	repRefused  = desc("serve_requests_refused_total", "Requests answered without a replay, by reason (host, origin, fault, no_session, shutdown, service_worker).", "reason")
	repSent     = desc("serve_messages_sent_total", "Recorded messages sent to clients.")
	repSentB    = desc("serve_message_bytes_sent_total", "Payload bytes of the messages sent to clients.")
	repReceived = desc("serve_messages_received_total", "Messages received from clients.")
)

// Describe implements prometheus.Collector.
func (c Replayer) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{repOpen, repEnded, repRefused, repSent, repSentB, repReceived} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c Replayer) Collect(ch chan<- prometheus.Metric) {
	st := c.Server.Stats()
	gauge(ch, repOpen, st.Open)
	labelled(ch, repEnded, st.Ended, "close", "drop", "client_left")
	labelled(ch, repRefused, st.Refused)
	counter(ch, repSent, st.Sent)
	counter(ch, repSentB, st.SentBytes)
	counter(ch, repReceived, st.Received)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v int64) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v int64) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
}

// labelled sends one counter per label, the always ones at zero if absent,
// so that a dashboard has its series from the start.
func labelled(ch chan<- prometheus.Metric, d *prometheus.Desc, m map[string]int64, always ...string) {
	for _, l := range always {
		if _, ok := m[l]; !ok {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, 0, l)
		}
	}
	for l, v := range m {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l)
	}
}
