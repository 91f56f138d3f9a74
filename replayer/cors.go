package replayer

import (
	"net/http"
	"strings"
)

// Replayed HTTP responses (event streams, polls, Engine.IO polling) may be read by the pages
// guard admits, and by them only: pages on this machine and AllowOrigins
// (guard has already answered 403 to any other Origin). The answer names
// the page's own origin, never "*", so that a page sending credentials
// (EventSource withCredentials, fetch with credentials: "include") can read
// it as well.

// allowCORS sets the CORS headers of a replayed response to a request
// guard has admitted; expose lists the recorded headers the page may read.
func allowCORS(w http.ResponseWriter, r *http.Request, expose []string) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return // not a cross-origin request of a browser
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Add("Vary", "Origin")
	if len(expose) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(expose, ", "))
	}
}

// preflight answers a CORS preflight request (OPTIONS with
// Access-Control-Request-Method) for a replayed path, and reports whether
// r was one.
func preflight(w http.ResponseWriter, r *http.Request) bool {
	method := r.Header.Get("Access-Control-Request-Method")
	if r.Method != http.MethodOptions || method == "" {
		return false
	}
	allowCORS(w, r, nil)
	allowPreflight(w, r, method)
	w.WriteHeader(http.StatusNoContent)
	return true
}

// eioPreflight answers an Engine.IO OPTIONS request as engine.io's cors
// middleware does: 204, with GET and POST allowed whatever was asked.
// allowCORS has set the origin's headers.
func eioPreflight(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" {
		allowPreflight(w, r, "GET, POST, OPTIONS")
	}
	w.WriteHeader(http.StatusNoContent)
}

// allowPreflight sets the headers of an answer to a preflight: methods,
// the headers the request asks for, and how long to keep the answer.
func allowPreflight(w http.ResponseWriter, r *http.Request, methods string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", methods)
	if hs := r.Header.Get("Access-Control-Request-Headers"); hs != "" {
		h.Set("Access-Control-Allow-Headers", hs)
	}
	h.Set("Access-Control-Max-Age", "600")
}
