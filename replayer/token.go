package replayer

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Off loopback, the control API and the timeline pages read every loaded
// recording and steer every replay: with Server.ControlRemote, a request
// that reached the server on another address must carry ControlToken, as
// "Authorization: Bearer TOKEN" (scripts) or the cookie a browser gets by
// opening any page with ?token=TOKEN once (the printed URL). Requests on
// loopback need none, as before.

// tokenCookie is the cookie that carries the token for a browser.
const tokenCookie = "wsreplay_token"

// tokenOK reports whether r carries the ControlToken, by header or cookie.
func (s *Server) tokenOK(r *http.Request) bool {
	if s.ControlToken == "" {
		return false
	}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && s.sameToken(auth) {
		return true
	}
	c, err := r.Cookie(tokenCookie)
	return err == nil && s.sameToken(c.Value)
}

func (s *Server) sameToken(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.ControlToken)) == 1
}

// takeToken answers a page request that gives the token in its query
// (?token=TOKEN): the browser gets it as a cookie, and is sent to the same
// URL without it (the session list at /_wsreplay/ for "/"), so that the
// token stays out of the address bar and the history. It reports whether
// it answered. A wrong token is left for the checks.
//
// A cookie is the host's, whatever its port: the browser sends it to every
// server on this host. This one is HttpOnly, SameSite Strict (no other
// site's page can make the browser send it) and scoped to /_wsreplay/,
// the path of the pages and API, so that other servers of the host get it
// only for that path, from a page of the host itself.
func (s *Server) takeToken(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	t := q.Get("token")
	if s.ControlToken == "" || t == "" || !s.sameToken(t) || r.Method != http.MethodGet {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: t, Path: controlPrefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	q.Del("token")
	u := url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, controlPrefix) {
		u = url.URL{Path: controlPrefix, RawQuery: q.Encode()} // where the cookie is sent
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return true
}
