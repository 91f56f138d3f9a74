package recorder

import (
	"log/slog"
	"math"
	"time"
)

// The "session started" and "session ended" log records have one set of
// fields for every kind of session (WebSocket, Socket.IO, SSE, poll), so
// that a log collector can read them alike. The logger of each session
// carries session, path and kind already (with slog.Logger.With).
//
//	session started: session kind path upstream recorded [subprotocol | eio_version]
//	session ended:   session kind path by code how reason sent received not_queued duration
//
// how is "clean" (a close frame, a response ended) or "drop"; sent and
// received count messages from the client and to it (requests and
// responses of a poll session, events of an SSE session); not_queued counts
// the lines the proxy could not hand to the recording (the close line's
// "lost" adds what the disk then refused); duration is in seconds.

// logStarted logs the start of a session; extra are its kind's own fields.
func logStarted(log *slog.Logger, upstream string, recorded bool, extra ...any) {
	log.Info("session started", append([]any{"upstream", upstream, "recorded", recorded}, extra...)...)
}

// sessionEnd is what the "session ended" record says.
type sessionEnd struct {
	by, reason     string
	code           int
	clean          bool
	sent, received int64
	notQueued      int64
	start          time.Time // with its monotonic reading
}

// logEnded logs the end of a session.
func logEnded(log *slog.Logger, e sessionEnd) {
	log.Info("session ended", "by", e.by, "code", e.code, "how", howEnded(e.clean), "reason", e.reason,
		"sent", e.sent, "received", e.received, "not_queued", e.notQueued, "duration", seconds(time.Since(e.start)))
}

// howEnded is a session's ending as logged and counted: "clean" (a close
// frame, a response ended) or "drop".
func howEnded(clean bool) string {
	if clean {
		return "clean"
	}
	return "drop"
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }
