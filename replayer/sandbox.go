package replayer

import (
	"log/slog"
	"mime"
	"net/http"
	"strings"
)

// Replayed content is untrusted: a recording or a HAR may come from anyone,
// and a replayed HTTP response (a poll answer, an event stream, an
// Engine.IO polling body) is served on the same origin as the control API
// and the timeline. Were a browser to run a script from one (a recorded
// text/html answer opened by any page with window.open, or a recorded
// JavaScript answer registered as a service worker), that script could
// read every loaded recording and steer the replays. So every replayed
// HTTP response is made inert, in one place, sandboxWriter, which the
// server puts in front of every replayed HTTP kind (ServeHTTP):
//
//   - Content-Security-Policy: sandbox (without allow-scripts) and
//     default-src 'none': a browser shows it as a document of a unique
//     opaque origin that runs no script and loads nothing;
//   - X-Content-Type-Options: nosniff, and always an explicit Content-Type
//     from inertTypes: a recorded type a browser could run (HTML, XHTML,
//     SVG, JavaScript, or none at all) is served as text/plain (text/*) or
//     application/octet-stream, and logged. A script, a style sheet or a
//     service worker must have a script type, which no replay has.
//
// The recorded headers a poll answer repeats are those of replayedHeader's
// allow-list: none that gives a response authority in a browser
// (Set-Cookie, Service-Worker-Allowed, Clear-Site-Data, a recorded CSP,
// CORS, Refresh, Link).

// sandboxPolicy is the Content-Security-Policy of every replayed response.
const sandboxPolicy = "sandbox; default-src 'none'"

// inertTypes are the media types a replayed response keeps: data that a
// browser displays or downloads but never runs as script. Besides these,
// any type with a +json suffix is kept.
var inertTypes = map[string]bool{
	"application/json": true, "application/x-ndjson": true, "application/jsonl": true,
	"text/plain": true, "text/csv": true, "text/event-stream": true,
	"application/octet-stream": true, "application/x-www-form-urlencoded": true,
	"text/xml": true, "application/xml": true, // script-capable documents, but sandboxed
	"application/cbor": true, "application/msgpack": true, "application/x-msgpack": true,
	"application/protobuf": true, "application/x-protobuf": true,
}

// servedType returns the Content-Type a replayed response recorded with
// recorded is served with: recorded itself if its media type is inert,
// else text/plain for text (its charset kept) and application/octet-stream
// for the rest, and for a missing or unparsable type.
func servedType(recorded string) string {
	mt, params, err := mime.ParseMediaType(recorded)
	if err != nil {
		return "application/octet-stream"
	}
	if inertTypes[mt] || strings.HasSuffix(mt, "+json") {
		return recorded
	}
	if strings.HasPrefix(mt, "text/") {
		if cs := params["charset"]; cs != "" {
			if t := mime.FormatMediaType("text/plain", map[string]string{"charset": cs}); t != "" {
				return t
			}
		}
		return "text/plain"
	}
	return "application/octet-stream"
}

// passedHeaders are the recorded response headers a poll answer repeats
// as recorded: ones that describe the body and its caching, which give
// the response no authority in a browser. Application headers ("X-...")
// are repeated too, but for X-Content-Type-Options, which the sandbox sets.
var passedHeaders = map[string]bool{
	"Cache-Control": true, "Expires": true, "Pragma": true, "Age": true, "Etag": true,
	"Last-Modified": true, "Content-Language": true, "Content-Type": true,
	"Retry-After": true, "Location": true, "Accept-Ranges": true, "Content-Range": true,
	"Server": true, "Request-Id": true, "Traceparent": true,
}

// replayedHeader reports whether a recorded response header (canonical
// form) is repeated in a replay.
func replayedHeader(name string) bool {
	if passedHeaders[name] {
		return true
	}
	return strings.HasPrefix(name, "X-") && name != "X-Content-Type-Options"
}

// sandboxWriter is the http.ResponseWriter of every replayed HTTP
// response: before the header is written it sets the sandbox (the policy,
// nosniff and an inert Content-Type), whatever the handler set. It is
// used by one handler, as its ResponseWriter is; log and r name the
// request in the log.
type sandboxWriter struct {
	http.ResponseWriter
	log    *slog.Logger
	r      *http.Request
	sealed bool
}

// seal sets the sandbox headers, once.
func (w *sandboxWriter) seal() {
	if w.sealed {
		return
	}
	w.sealed = true
	h := w.ResponseWriter.Header()
	recorded := h.Get("Content-Type")
	served := servedType(recorded)
	if served != recorded && recorded != "" {
		w.log.Info("replayed response's Content-Type is one a browser could run: served as data",
			"remote", w.r.RemoteAddr, "path", w.r.URL.RequestURI(), "recorded", recorded, "served", served)
	}
	h.Set("Content-Type", served)
	h.Set("Content-Security-Policy", sandboxPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Security-Policy-Report-Only")
}

func (w *sandboxWriter) WriteHeader(status int) {
	w.seal()
	w.ResponseWriter.WriteHeader(status)
}

func (w *sandboxWriter) Write(b []byte) (int, error) {
	w.seal()
	return w.ResponseWriter.Write(b)
}

// FlushError flushes the response, its header sealed first; the event
// streams' http.ResponseController finds it.
func (w *sandboxWriter) FlushError() error {
	w.seal()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for code that asks for an http.Flusher.
func (w *sandboxWriter) Flush() { w.FlushError() }

// Unwrap lets http.ResponseController reach the connection's writer (for
// deadlines).
func (w *sandboxWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
