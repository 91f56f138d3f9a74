package replayer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// The control API and the timeline pages live under controlPrefix on the
// replay server's own listener. They read the recordings and steer the
// replays, so they are served only to requests that reach the server on a
// loopback address (unless Server.ControlRemote), with the Host rules of
// guard.go (DNS rebinding); API requests (reads too) and the events stream
// from a page of another origin get 403 (checkControl), so that a web page
// the developer visits can neither drive a replay nor spend its CPU. There are no CORS
// headers: other origins cannot read the answers either.
const (
	controlPrefix = "/_wsreplay/"
	apiPrefix     = controlPrefix + "api/"
	// defaultMaxBody bounds a request's JSON (an injected message in
	// base64).
	defaultMaxBody = 64 << 20
)

// maxBody is defaultMaxBody, smaller in tests.
var maxBody int64 = defaultMaxBody

// apiError is an answer of the API that is an error, as JSON:
// {"error": msg, "field": field}.
type apiError struct {
	status int
	msg    string
	field  string
}

func (e *apiError) Error() string { return e.msg }

func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{status: http.StatusInternalServerError, msg: err.Error()}
	}
	if ae.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") == "" {
		w.Header().Set("Allow", "GET")
	}
	writeJSON(w, ae.status, struct {
		Error string `json:"error"`
		Field string `json:"field,omitempty"`
	}{ae.msg, ae.field})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func notFound(what string) error { return &apiError{status: http.StatusNotFound, msg: what} }

func methodNotAllowed(allow string) error {
	return &apiError{status: http.StatusMethodNotAllowed, msg: "method not allowed here; use " + allow}
}

// serveControl answers a request under controlPrefix: the API, the events
// stream or a timeline page, once the request passes checkControl.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, apiPrefix) && s.takeToken(w, r) {
		return
	}
	if err := s.checkControl(r); err != nil {
		s.logger().Warn("refused control request", "path", r.URL.Path, "origin", r.Header.Get("Origin"), "why", err.Error())
		writeError(w, err)
		return
	}
	s.controlMux().ServeHTTP(w, r)
}

// checkControl refuses a control request that does not come from this
// machine's own pages: one that reached a non-loopback address (unless
// ControlRemote), and an API request or events stream from a page of
// another origin. Reads are refused too: no answer could be read without
// CORS, but a search costs CPU (a regular expression over a whole
// session), which a cross-site <img> must not be able to spend. A
// browser's request says where it comes from by Origin (sent with every
// state-changing request) or Sec-Fetch-Site (sent with every request,
// images included). The pages are not refused: a link from anywhere may
// open a timeline, whose own requests are then same-origin.
func (s *Server) checkControl(r *http.Request) error {
	if !s.controlServed(r) {
		if s.ControlRemote {
			return &apiError{status: http.StatusForbidden, msg: "off loopback, the control API needs its token (Authorization: Bearer TOKEN, or open the page with ?token=TOKEN)"}
		}
		return &apiError{status: http.StatusForbidden, msg: "the control API is served on loopback only (see --control-remote)"}
	}
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		return nil
	}
	if !fromOwnPages(r) {
		return &apiError{status: http.StatusForbidden, msg: "requests from another origin may not use the control API"}
	}
	return nil
}

// controlServed reports whether the control API and the timeline pages
// are served to r (it would pass checkControl's listener rule).
func (s *Server) controlServed(r *http.Request) bool {
	if s.NoControl {
		return false
	}
	addr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if addr == nil || isLoopbackAddr(addr) {
		return true
	}
	return s.ControlRemote && s.tokenOK(r)
}

func isLoopbackAddr(a net.Addr) bool {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		host = a.String()
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// controlMux returns the routes under controlPrefix, made once.
func (s *Server) controlMux() *http.ServeMux {
	s.ctlOnce.Do(func() { s.ctlMux = s.newControlMux() })
	return s.ctlMux
}

// newControlMux routes the control API and the timeline pages by method
// and path. A session id is one path segment: one holding a "/" is sent
// as %2F, which ServeMux keeps in the segment and r.PathValue unescapes.
// Each path also answers its other methods with a JSON 405 and Allow, and
// what no route matches gets a 404 (JSON under apiPrefix).
func (s *Server) newControlMux() *http.ServeMux {
	m := http.NewServeMux()
	only := func(path string, allow ...string) { // the other methods
		slices.SortFunc(allow, func(a, b string) int { return methodOrder[a] - methodOrder[b] })
		m.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, methodNotAllowed(strings.Join(allow, ", ")))
		})
	}
	api := func(path string, handlers map[string]apiFunc) {
		var allow []string
		for method, h := range handlers {
			m.Handle(method+" "+apiPrefix+path, h)
			allow = append(allow, method)
		}
		only(apiPrefix+path, allow...)
	}
	get := func(h apiFunc) map[string]apiFunc { return map[string]apiFunc{http.MethodGet: h} }
	m.HandleFunc("GET "+apiPrefix+"events", s.serveEvents) // streamed, not one JSON answer
	only(apiPrefix+"events", http.MethodGet)
	api("replays", get(func(http.ResponseWriter, *http.Request) (any, error) {
		return map[string]any{"replays": s.replayViews()}, nil
	}))
	api("replays/{id}", get(s.apiReplay))
	api("replays/{id}/{action}", map[string]apiFunc{http.MethodPost: func(w http.ResponseWriter, r *http.Request) (any, error) {
		return s.replayAction(w, r, r.PathValue("id"), r.PathValue("action"))
	}})
	api("next", map[string]apiFunc{http.MethodGet: s.nextAction, http.MethodPut: s.nextAction, http.MethodDelete: s.nextAction})
	api("sessions", get(s.apiSessions))
	api("sessions/{id}", get(s.apiSession))
	api("sessions/{id}/messages", get(s.apiMessages))
	api("sessions/{id}/messages/{seq}", get(s.apiMessage))
	api("sessions/{id}/search", get(s.apiSearch))
	m.HandleFunc(apiPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, notFound("no such API: "+r.URL.Path))
	})
	m.HandleFunc("GET "+controlPrefix+"ui/{file}", s.serveAsset)
	m.HandleFunc("GET "+controlPrefix+"s/{id...}", s.serveTimeline)
	m.HandleFunc("GET "+controlPrefix+"{$}", s.serveControlList)
	m.HandleFunc(controlPrefix, s.serveNoPage)
	return m
}

// methodOrder orders an Allow header's methods as the API's docs do.
var methodOrder = map[string]int{http.MethodGet: 0, http.MethodPost: 1, http.MethodPut: 2, http.MethodDelete: 3}

// apiFunc answers an API request with a value to send as JSON, or an
// error (an *apiError, or a 500).
type apiFunc func(w http.ResponseWriter, r *http.Request) (any, error)

func (f apiFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := f(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// apiReplay answers GET replays/{id}.
func (s *Server) apiReplay(_ http.ResponseWriter, r *http.Request) (any, error) {
	id := r.PathValue("id")
	rp := s.control.lookup(id)
	if rp == nil {
		return nil, notFound("no replay " + id)
	}
	s.control.indexes.get(rp.session)
	return rp.view(), nil
}

func (s *Server) replayViews() []replayView {
	list := s.control.list()
	views := make([]replayView, 0, len(list))
	for _, rp := range list {
		views = append(views, rp.view())
	}
	return views
}

// decodeBody reads a JSON body of at most maxBody bytes into v. An empty
// body leaves v as it is.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeBodyMax(w, r, v, maxBody)
}

// decodeBodyMax is decodeBody for a body of at most limit bytes.
func decodeBodyMax(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if r.ContentLength == 0 {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		// curl -d sends its JSON as a form: taken too. A page of another
		// site could post a form, but not with this server's Origin.
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && mt != "application/x-www-form-urlencoded" {
			return &apiError{status: http.StatusUnsupportedMediaType, msg: "send JSON (Content-Type: application/json), not " + mt}
		}
	}
	if r.ContentLength > limit { // refused unread
		return &apiError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the body is over %d bytes", limit)}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var mbe *http.MaxBytesError
	var ute *json.UnmarshalTypeError
	var ae *apiError
	switch {
	case err == nil, err == io.EOF:
		return nil
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mbe):
		return &apiError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the body is over %d bytes", limit)}
	case errors.As(err, &ute):
		return &apiError{status: 400, msg: fmt.Sprintf("%s: expected a %s", ute.Field, ute.Type), field: ute.Field}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apiError{status: 400, msg: "unknown field " + f, field: f}
	}
	return &apiError{status: 400, msg: "bad JSON: " + err.Error()}
}

// compileQuery compiles a search: a regular expression (RE2) if regex is
// set, else the text itself.
func compileQuery(q string, regex bool) (*regexp.Regexp, error) {
	if !regex {
		q = regexp.QuoteMeta(q)
	}
	re, err := regexp.Compile(q)
	if err != nil {
		return nil, &apiError{status: 400, msg: "not a regular expression: " + err.Error(), field: "q"}
	}
	return re, nil
}
