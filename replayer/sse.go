package replayer

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/sse"
)

// serveSSE replays an sse session to an event stream request, as a
// WebSocket replay is played: admitted, given the next recorded session
// for its path (a reconnection, with its Last-Event-ID, gets the one after),
// played by a player at the recorded pace with every timing option, and
// ended as the recording or a fault says.
func (s *Server) serveSSE(w http.ResponseWriter, r *http.Request) {
	if preflight(w, r) {
		return
	}
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.RequestURI(), "kind", "sse")
	rp, del, sess := s.startReplay(w, r, log, format.KindSSE)
	if rp == nil {
		return
	}
	defer del()
	stop := context.AfterFunc(r.Context(), rp.cancel) // the client left
	defer stop()
	c := &sseConn{srv: s, w: w, rc: http.NewResponseController(w), log: log.With("session", sess.ID)}
	c.log.Info("connected", "recorded", sess.URL, "last_event_id", r.Header.Get("Last-Event-ID"))
	accepted := time.Now()
	allowCORS(w, r, nil)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a proxy in front must not buffer the stream
	w.WriteHeader(http.StatusOK)
	if err := c.rc.Flush(); err != nil {
		return
	}
	s.stats.open.Add(1)
	defer s.stats.open.Add(-1)
	// Live control as for a WebSocket replay: the API lists, pauses,
	// steps, seeks and injects into event streams too.
	ctl := s.newControl(rp, sess)
	ctl.shape = sseInjection
	live := s.control.open(sess, r.URL.Path, r.RemoteAddr, accepted, ctl)
	// An event stream has no client messages: with --wait, a recorded one
	// (a session of another kind, chosen through the API) is never sent
	// and its gate yields to step and seek.
	p := &player{cfg: s.timing(), session: sess, send: c.send, client: newClientLog(), log: c.log, fine: &s.fine, ctl: ctl}
	end, err := p.play(rp.ctx, accepted)
	defer func() { live.ended(endingName(end, err)) }()
	s.finish(rp.ctx, c, c.log, end, err)
}

// sseConn is one event stream being played to.
type sseConn struct {
	srv *Server
	w   http.ResponseWriter
	rc  *http.ResponseController
	log *slog.Logger
	buf []byte
}

// send writes a recorded event to the stream and flushes it: the
// player's sender.
func (c *sseConn) send(_ context.Context, e *format.Event) error {
	ev := sse.Event{Data: string(e.Data), HasData: true}
	if x := e.SSE; x != nil {
		ev.ID, ev.HasID, ev.Type = x.ID, x.HasID, x.Event
		ev.Retry, ev.HasRetry, ev.HasData = x.Retry, x.Retry > 0, !x.NoData
	}
	c.buf = sse.Append(c.buf[:0], &ev)
	if _, err := c.w.Write(c.buf); err != nil {
		return err
	}
	if err := c.rc.Flush(); err != nil {
		return err
	}
	c.srv.stats.sent.Add(1)
	c.srv.stats.sentBytes.Add(int64(len(e.Data)))
	return nil
}

// sseStyle are the event stream's endings, for the log: a recorded end
// by the server (or a close fault) ends the response; a drop cuts the
// connection without ending it.
var sseStyle = endStyle{
	close:    "the response ended, as the server's did",
	drop:     "connection closed in the middle of the response",
	hang:     "connected, sending nothing more",
	fail:     "connection closed in the middle of the response",
	shutdown: "the response ended",
}

func (c *sseConn) style() *endStyle { return &sseStyle }

// closeWith ends the response: the handler returns. An event stream
// carries no code.
func (c *sseConn) closeWith(int, string) {}

// drop aborts the connection without the chunked body's end: the
// EventSource sees a network error, as it did.
func (c *sseConn) drop() { panic(http.ErrAbortHandler) }

func (c *sseConn) fail() { panic(http.ErrAbortHandler) }

// gone ends the response: the handler returns.
func (c *sseConn) gone(bool) {}
