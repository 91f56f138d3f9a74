package replayer

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/secret"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// A newcomer who points the wrong client at the replay server must read in
// its log why nothing happens. Each request the server cannot answer as
// asked gets one line: what was asked, what was done instead, and what to
// try. So does a connection that gets something other than what it asked
// for: a session recorded on another path, no subprotocol.

// logUnanswered logs a plain HTTP request that gets no replay: status is
// what it was answered.
func (s *Server) logUnanswered(r *http.Request, status int) {
	if r.URL.Path == "/favicon.ico" {
		return // every browser that opens the page asks for one
	}
	base := "ws://" + r.Host
	if r.TLS != nil {
		base = "wss://" + r.Host
	}
	msg, try := "cannot answer a plain HTTP request: this server replays WebSockets",
		"connect a WebSocket to "+base+r.URL.RequestURI()+", or open the page at http://"+r.Host+"/ for the sessions"
	s.logger().Warn(msg, "remote", r.RemoteAddr, "asked", r.Method+" "+r.URL.RequestURI(),
		"answered", strconv.Itoa(status)+" "+http.StatusText(status), "try", try)
}

// logNoSession logs a request for a session of kind (a WebSocket, a poll)
// that no session can serve.
func (s *Server) logNoSession(log *slog.Logger, err error, kind format.Kind) {
	if !errors.Is(err, errNoSession) {
		log.Info("client left before a session was ready", "err", err)
		return
	}
	what, try := "a WebSocket", "wsreplay ls lists the recorded sessions"
	if kind == format.KindPoll {
		what, try = "a poll request", "wsreplay ls lists the recorded sessions (KIND poll); record them with wsreplay record --poll PATH"
	}
	if len(s.Sessions) > 0 {
		try = "check the ids given to --session (" + strings.Join(s.Sessions, ", ") + ") against wsreplay ls"
	}
	log.Warn("cannot answer "+what+": no recorded session to play", "answered", "404 Not Found", "try", try)
}

// logConnected logs an accepted connection, saying where it differs from
// what the client asked for: a session recorded on another path or query,
// or no subprotocol for a client that offered some, when the session has
// one. A path whose parts a protocol makes afresh for every connection
// (SockJS's /<server>/<session>/websocket), on the same endpoint as the
// session's, is no mistake and gets no note. Subprotocols are logged
// redacted, as recordings hold them.
func logConnected(log *slog.Logger, r *http.Request, sess *Session, subprotocol string, set protocol.Set) {
	attrs := []any{"subprotocol", secret.Subprotocol(subprotocol)}
	if sess.uri() != r.URL.RequestURI() {
		recorded := sess.uri()
		if recorded == "" {
			recorded = "(no path recorded)"
		}
		attrs = append(attrs, "recorded", recorded)
		ep := endpoint(set, r.URL.Path)
		switch {
		case sess.path() == r.URL.Path:
		case ep != "" && endpoint(set, sess.path()) == ep:
			attrs = append(attrs, "endpoint", ep)
		default:
			attrs = append(attrs, "note", "no session was recorded on "+r.URL.Path+"; playing one recorded on another path",
				"try", "connect to a recorded path, such as "+recorded+" (wsreplay ls lists them)")
		}
	}
	log.Info("connected", attrs...)

	offered := ws.Subprotocols(r)
	if subprotocol != "" || sess.Subprotocol == "" || len(offered) == 0 {
		return
	}
	for i, o := range offered {
		offered[i] = secret.Subprotocol(o)
	}
	log.Warn("subprotocol mismatch: the client offered none the session recorded",
		"offered", strings.Join(offered, ","), "recorded", sess.Subprotocol, "answered", "no subprotocol",
		"try", "offer "+sess.Subprotocol+" when opening the WebSocket (clients such as Node's ws fail with \"Server sent no subprotocol\")")
}
