package replayer

import (
	"net/http"
	"strings"
)

// With Server.ControlURL set, the control API and the timeline pages live
// on a listener of their own (an origin no recording is ever served on),
// and this file is both sides of that: ControlHandler serves them there,
// and serveMoved answers what still comes for them to the replay port.

// ControlHandler returns the handler of the control listener, for a Server
// whose ControlURL is set: the control API and the timeline pages under
// /_wsreplay/, with the session list at /_wsreplay/ ("/" is sent there).
// It serves no replays and nothing recorded. The same rules hold as on
// the replay port: Host (DNS rebinding), no service worker, loopback only
// unless ControlRemote (then with ControlToken). replayAddr is the
// HOST:PORT clients reach the replays on, which the session list tells
// them to connect to.
func (s *Server) ControlHandler(replayAddr string) http.Handler {
	s.replayAddr = replayAddr
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.guard(w, r, false) {
			return
		}
		switch {
		case s.NoControl:
			http.NotFound(w, r)
		case strings.HasPrefix(r.URL.Path, controlPrefix):
			s.serveControl(w, r)
		case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			u := *r.URL
			u.Path = controlPrefix
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		default:
			pageHeaders(w.Header())
			http.Error(w, "wsreplay: this is the control listener; the timeline pages are under "+controlPrefix, http.StatusNotFound)
		}
	})
}

// serveMoved answers a request under /_wsreplay/ on the replay port of a
// Server whose control is apart: a page is sent to the same path on the
// control listener, anything else (the API) is refused with its address.
// Nothing here reads or steers a replay.
func (s *Server) serveMoved(w http.ResponseWriter, r *http.Request) {
	to := strings.TrimSuffix(s.ControlURL, "/") + r.URL.Path
	if !strings.HasPrefix(r.URL.Path, apiPrefix) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	writeError(w, &apiError{status: http.StatusNotFound, msg: "the control API is served on its own listener: " + to})
}
