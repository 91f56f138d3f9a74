package replayer

import (
	"context"
	"log/slog"
)

// This file ends replays, once for every transport: the player says how a
// replay ended (an ending, or an error), finish logs and counts it and
// calls the transport's side of it (ender).

// ender is a replay transport's side of an ending. The WebSocket replay
// (replayConn), the event stream (sseConn) and the Engine.IO replay
// (eioReplay) implement it; finish decides which method to call. Each
// method is called once, from the goroutine that played the replay.
type ender interface {
	// closeWith ends the replay cleanly, as the recorded server's close
	// (or a close fault) did, with code and reason where the transport
	// carries them.
	closeWith(code int, reason string)
	// drop ends the replay as a server that dies does: no clean end.
	drop()
	// fail ends a replay the player could not go on with.
	fail()
	// gone ends a replay whose context is done: the client left or, with
	// shutdown, the server is shutting down.
	gone(shutdown bool)
	// style says how the transport ends, for finish and the log.
	style() *endStyle
}

// endStyle is how a transport ends: the "how" of the log lines of each
// ending, and whether a close code the wire forbids is a drop.
type endStyle struct {
	close, drop, hang, open, fail, shutdown string
	// dropUnsendable: a recorded close code that may not be sent (RFC
	// 6455, section 7.4) ends the replay as a drop.
	dropUnsendable bool
}

// finish ends t the way the replay ended, end or err. A hang, an open
// ending and a client that ended the recorded session keep the transport
// open until ctx is done: the client leaves, or Shutdown.
func (s *Server) finish(ctx context.Context, t ender, log *slog.Logger, end ending, err error) {
	if end.fault {
		log = log.With("fault", true)
	}
	how := t.style()
	switch {
	case err != nil:
		s.stats.endedAs("failed")
		log.Error("replay failed", "err", err, "how", how.fail)
		t.fail()
	case end.kind == endClose && how.dropUnsendable && !sendableClose(end.code):
		// Recorded by an older recorder, which took such a code for a
		// clean close. A browser fails a connection that sends one
		// (1006), which is what a drop gives it.
		s.stats.endedAs("drop")
		log.Info("dropped", "how", how.drop, "recorded_code", end.code,
			"why", "the recorded close code may not be sent (RFC 6455, section 7.4)")
		t.drop()
	case end.kind == endClose:
		s.stats.endedAs("close")
		log.Info("closed", "code", end.code, "reason", end.reason, "how", how.close)
		t.closeWith(end.code, end.reason)
	case end.kind == endDrop:
		s.stats.endedAs("drop")
		log.Info("dropped", "how", how.drop)
		t.drop()
	default: // endHang, endOpen, endClientGone
		switch end.kind {
		case endHang:
			log.Info("hanging", "how", how.hang)
		case endOpen:
			log.Info("session over, staying open until the client leaves", "how", how.open)
		}
		<-ctx.Done()
		s.endGone(t, log)
	}
}

// endGone ends t, whose context is done, as the client leaving or as
// Shutdown.
func (s *Server) endGone(t ender, log *slog.Logger) {
	s.mu.Lock()
	shutdown := s.shutdown
	s.mu.Unlock()
	if shutdown {
		s.stats.endedAs("shutdown")
		log.Info("closed", "code", 1001, "reason", "server shutting down", "how", t.style().shutdown)
	} else {
		s.stats.endedAs("client_left")
		log.Info("client left")
	}
	t.gone(shutdown)
}
