package replayer

import (
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// A protocol's client may make HTTP requests before its socket (SockJS
// GET <base>/info, SignalR POST <hub>/negotiate), which a profile names
// (protocol.Bootstrapper). The server answers each one, every time (a
// reload, a second start()), through the profile, from the bootstrap
// recorded on that path (a poll session the profile's protocol names, as
// the recorder writes them), or from the protocol alone when there is none
// (a HAR, an older recording). The guard and the sandbox have run before
// (ServeHTTP); CORS is set here as for every replayed answer.

// maxBootstrapAnswer bounds the recorded answer a bootstrap reads: its
// answers are a few hundred bytes.
const maxBootstrapAnswer = 64 << 10

// bootstrapOf returns the profile that takes r as a bootstrap request,
// and a CORS preflight for one as well, or nil.
func (s *Server) bootstrapOf(r *http.Request) protocol.Bootstrapper {
	if m := r.Header.Get("Access-Control-Request-Method"); r.Method == http.MethodOptions && m != "" {
		pre := r.Clone(r.Context())
		pre.Method = m
		return s.Protocols.Bootstrap(pre)
	}
	return s.Protocols.Bootstrap(r)
}

// serveBootstrap answers a bootstrap request through its profile.
func (s *Server) serveBootstrap(w http.ResponseWriter, r *http.Request, b protocol.Bootstrapper) {
	if preflight(w, r) {
		return
	}
	allowCORS(w, r, nil)
	io.Copy(io.Discard, io.LimitReader(r.Body, maxBootstrapAnswer)) // read, as a backend would
	name := ""
	if p, ok := b.(protocol.Profile); ok {
		name = p.Name()
	}
	recorded, from := s.recordedBootstrap(r.URL.Path, name)
	b.AnswerBootstrap(w, r, recorded)
	s.stats.sent.Add(1)
	log := s.logger().With("remote", r.RemoteAddr, "asked", r.Method+" "+r.URL.RequestURI(), "protocol", name)
	if from == "" {
		log.Info("bootstrap answered from the protocol: none recorded on this path")
		return
	}
	log.Info("bootstrap answered", "recorded", from)
}

// recordedBootstrap returns the answer of the latest bootstrap of
// protocol recorded on path, among the sessions Server.Sessions allows,
// and its session's id; nil and "" when there is none.
func (s *Server) recordedBootstrap(path, protocol string) ([]byte, string) {
	all, _, _ := s.Catalog.snapshot()
	for i := len(all) - 1; i >= 0; i-- {
		sess := all[i]
		if sess.Kind != format.KindPoll || sess.Protocol() != protocol || protocol == "" || sess.path() != path ||
			len(s.Sessions) > 0 && !slices.Contains(s.Sessions, sess.ID) {
			continue
		}
		if body, ok := bootstrapAnswer(sess); ok {
			return body, sess.ID
		}
	}
	return nil, ""
}

// bootstrapAnswer reads the first response of a bootstrap session, within
// its first few lines.
func bootstrapAnswer(sess *Session) ([]byte, bool) {
	st, err := sess.stream()
	if err != nil {
		return nil, false
	}
	defer st.Close()
	for range 4 {
		e, err := st.Next()
		if err != nil {
			return nil, false
		}
		if e.Type == format.TypeMessage && e.Dir == format.Receive && e.HTTP != nil {
			ok := e.HTTP.Status == http.StatusOK && len(e.Data) <= maxBootstrapAnswer
			body := append([]byte(nil), e.Data...)
			st.Release(e)
			return body, ok
		}
		st.Release(e)
	}
	return nil, false
}

// protocols returns Protocols, or the built-in profiles.
func (s *Server) protocols() protocol.Set {
	if s.Protocols == nil {
		return protocol.Default()
	}
	return s.Protocols
}

// fallbackOf returns what a profile says of r when it asks for one of its
// protocol's transports that a replay does not serve (Fallbacker).
func (s *Server) fallbackOf(r *http.Request) (what, need string, ok bool) {
	for _, p := range s.protocols() {
		if f, isF := p.(protocol.Fallbacker); isF {
			if what, need, ok = f.Fallback(r); ok {
				return what, need, true
			}
		}
	}
	return "", "", false
}

// serveFallback answers such a request 404, with one log line naming the
// request and what a replay would need.
func (s *Server) serveFallback(w http.ResponseWriter, r *http.Request, what, need string) {
	if preflight(w, r) {
		return
	}
	allowCORS(w, r, nil)
	s.logger().Warn("cannot answer "+what+": this replay serves the protocol over its WebSocket",
		"remote", r.RemoteAddr, "asked", r.Method+" "+r.URL.RequestURI(), "answered", "404 Not Found", "need", need)
	s.stats.refusedFor("fallback")
	http.Error(w, "wsreplay: cannot answer "+strings.TrimPrefix(what, "the ")+" (see the log)", http.StatusNotFound)
}
