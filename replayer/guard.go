package replayer

import (
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/wsreplay/wsreplay/internal/hostrule"
)

// The replay server plays recordings of real traffic, secrets and all, to
// whoever connects. A web page the developer happens to visit must not be
// able to read them: neither by opening a WebSocket to the server (its
// browser sends the page's Origin) nor through DNS rebinding (a name of the
// attacker's that resolves to 127.0.0.1, sent as Host). These are the checks
// Vite (CVE-2025-24010) and webpack-dev-server (CVE-2025-30359) added.

// allowedHost reports whether a request's Host may be answered: the rule
// of hostrule.Allowed, with AllowHosts.
func (s *Server) allowedHost(hostport string) bool {
	return hostrule.Allowed(hostport, s.AllowHosts)
}

// allowedOrigin reports whether a WebSocket may be opened from a page of
// this origin: no Origin (not a browser), a page on this machine (http or
// https on localhost, *.localhost or a loopback address, any port), or one
// matching AllowOrigins. "null", sent by file:// pages and by sandboxed
// frames of any site alike, is refused unless AllowOrigins names it.
func (s *Server) allowedOrigin(origin string) bool {
	if origin == "" {
		return true
	}
	for _, p := range s.AllowOrigins {
		if matchOrigin(p, origin) {
			return true
		}
	}
	if origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if hostrule.IsLocalhost(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// matchOrigin matches an origin against an AllowOrigins pattern: "*" is any
// origin; a pattern with "://" is matched against the whole origin, others
// against its host[:port]; both may hold path.Match wildcards
// ("https://*.example.com", "app.example:8443", "null").
func matchOrigin(pattern, origin string) bool {
	if pattern == "*" || strings.EqualFold(pattern, origin) {
		return true
	}
	pattern, origin = strings.ToLower(pattern), strings.ToLower(origin)
	if !strings.Contains(pattern, "://") {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" {
			return false
		}
		origin = u.Host
	}
	ok, _ := path.Match(pattern, origin)
	return ok
}

// guard answers 403 to a request from a Host or Origin the server does not
// serve, logging what to do if it was meant; it reports whether the request
// may go on. The Origin is checked for a replay (a WebSocket, an event
// stream, a poll, Engine.IO), which only this machine's pages may read:
// this is the one Origin check of the replays; cors.go then names the
// admitted origin in replayed HTTP answers.
func (s *Server) guard(w http.ResponseWriter, r *http.Request, replay bool) bool {
	if isServiceWorkerScript(r) {
		s.logger().Warn("refused request: a browser asked for a service worker script; this server serves none",
			"path", r.URL.Path, "remote", r.RemoteAddr)
		s.stats.refusedFor("service_worker")
		http.Error(w, "wsreplay: no service worker here", http.StatusForbidden)
		return false
	}
	if !s.allowedHost(r.Host) {
		s.logger().Warn("refused request: Host is not this machine (DNS rebinding guard)",
			"host", r.Host, "path", r.URL.Path, "hint", "to serve this name, add --allow-host "+hostrule.Only(r.Host))
		s.stats.refusedFor("host")
		if strings.HasPrefix(r.URL.Path, apiPrefix) {
			writeError(w, &apiError{status: http.StatusForbidden, msg: "this Host is not allowed (see --allow-host)"})
			return false
		}
		http.Error(w, "wsreplay: this Host is not allowed (see --allow-host)", http.StatusForbidden)
		return false
	}
	if origin := r.Header.Get("Origin"); replay && !s.allowedOrigin(origin) {
		s.logger().Warn("refused replay: page on another machine's origin",
			"origin", origin, "path", r.URL.Path, "hint", "if this page may read the recordings, add --allow-origin "+origin)
		s.stats.refusedFor("origin")
		http.Error(w, "wsreplay: this Origin is not allowed (see --allow-origin)", http.StatusForbidden)
		return false
	}
	return true
}

// fromOwnPages reports whether a request comes from the server's own pages,
// or from no page at all (curl, a test): the rule of the control API
// (api.go). A browser's request says where it comes from by Origin (sent
// with every state-changing request) or Sec-Fetch-Site (sent with every
// request, images included).
func fromOwnPages(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	site := r.Header.Get("Sec-Fetch-Site")
	return (origin == "" || origin == ownOrigin(r)) && (site == "" || site == "same-origin" || site == "none")
}

// ownOrigin is the origin of the server's own pages, as the request reached
// it.
func ownOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
