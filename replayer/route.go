package replayer

import (
	"mime"
	"net/http"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/internal/longpoll"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file is where every request comes in: ServeHTTP tells once what
// the request asks for (route), guards it (guard.go), and hands it to the
// one file that serves that kind. See doc.go for the walk.

// route is what a request asks the server for.
type route int

const (
	routeWebSocket route = iota // a WebSocket replay (conn.go)
	routeControl                // the control API or a timeline page (api.go, ui.go)
	routeEngineIO               // Engine.IO, on any transport (engineio.go)
	routeSSE                    // an event stream replay (sse.go)
	routePoll                   // a long-polling replay (poll.go)
	routePage                   // the page listing the sessions, or a 404 (page.go)
	routeMoved                  // the control API, served apart at ControlURL (moved.go)
	routeBootstrap              // a protocol's HTTP request before its socket (bootstrap.go)
	routeFallback               // a protocol's HTTP transport a replay does not serve (bootstrap.go)
	routeSockJS                 // a SockJS session's transport, any of them (sockjs.go)
	routeSignalR                // SignalR's Server-Sent Events or long polling (signalr.go)
)

// replay reports whether the route plays a recording: its Origin is
// checked (guard), and over plain HTTP its answers are sandboxed.
func (rt route) replay() bool { return rt != routeControl && rt != routePage && rt != routeMoved }

// ServeHTTP serves a request: a WebSocket connection gets its own replay
// of a recorded session; Engine.IO requests (any path), event streams and
// polls on Poll paths get theirs over HTTP; /_wsreplay/ is the control
// API and the timeline; a plain GET of "/" gets the page listing the
// sessions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upgrade := ws.IsUpgrade(r)
	rt, q, b := s.route(r, upgrade)
	if rt.replay() && !upgrade {
		// Replayed HTTP: inert in a browser, whatever was recorded.
		w = &sandboxWriter{ResponseWriter: w, log: s.logger(), r: r}
	}
	if !s.guard(w, r, rt.replay()) {
		return
	}
	switch rt {
	case routeControl:
		s.serveControl(w, r)
	case routeEngineIO:
		s.serveEngineIO(w, r, q, upgrade)
	case routeSSE:
		s.serveSSE(w, r)
	case routePoll:
		s.servePoll(w, r)
	case routePage:
		s.servePage(w, r)
	case routeMoved:
		s.serveMoved(w, r)
	case routeBootstrap:
		s.serveBootstrap(w, r, b)
	case routeSockJS:
		s.serveSockJS(w, r)
	case routeSignalR:
		s.serveSignalR(w, r)
	case routeFallback:
		what, need, _ := s.fallbackOf(r)
		s.serveFallback(w, r, what, need)
	default:
		s.serveWebSocket(w, r)
	}
}

// route tells what r asks for, and, for Engine.IO, its query; for a
// bootstrap, its profile. The control API's paths come first (its events
// stream is an event stream itself, not a recorded one to replay), unless
// r is an upgrade: a WebSocket is a replay on any path. Then Engine.IO,
// whose query has EIO= and transport= on any path; then a SockJS
// session's transport when a kind sockjs session is recorded; then a poll on a Poll
// path (--poll is the user's word on a path); then a protocol's bootstrap
// (SockJS /info, SignalR negotiate); then SignalR's Server-Sent Events and
// long polling (signalr.go); then a protocol's transports a replay does not
// serve, unless an sse session was recorded on that path; then an event
// stream, when the request accepts text/event-stream (as every EventSource
// does) or its path is one an sse session was recorded on ("/" is the
// page's unless the request accepts an event stream); else the page.
func (s *Server) route(r *http.Request, upgrade bool) (route, engineio.Query, protocol.Bootstrapper) {
	if !upgrade && !s.NoControl && strings.HasPrefix(r.URL.Path, controlPrefix) {
		if s.ControlURL != "" {
			return routeMoved, engineio.Query{}, nil
		}
		return routeControl, engineio.Query{}, nil
	}
	if q, ok := engineio.ParseQuery(r.URL.Query()); ok {
		return routeEngineIO, q, nil
	}
	if s.sockJSRoute(r, upgrade) {
		return routeSockJS, engineio.Query{}, nil
	}
	switch {
	case upgrade:
		return routeWebSocket, engineio.Query{}, nil
	case longpoll.Match(s.Poll, r.URL.Path) != "":
		return routePoll, engineio.Query{}, nil
	}
	recordedSSE := func() bool { return r.URL.Path != "/" && s.recordedSSEPath(r.URL.Path) }
	// An event stream is an application's own on a path one was recorded
	// on (an /api/info stream is not SockJS's /info).
	stream := acceptsEventStream(r.Header) && r.Method == http.MethodGet
	if b := s.bootstrapOf(r); b != nil && !recordedSSE() && !(stream && !s.signalRTransport(r)) {
		return routeBootstrap, engineio.Query{}, b
	}
	if s.signalRTransport(r) {
		return routeSignalR, engineio.Query{}, nil
	}
	if _, _, ok := s.fallbackOf(r); ok && !recordedSSE() {
		return routeFallback, engineio.Query{}, nil
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodOptions:
		return routePage, engineio.Query{}, nil
	case acceptsEventStream(r.Header) || recordedSSE():
		return routeSSE, engineio.Query{}, nil
	}
	return routePage, engineio.Query{}, nil
}

func acceptsEventStream(h http.Header) bool {
	for _, v := range h.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
				return true
			}
		}
	}
	return false
}

// recordedSSEPath reports whether an sse session was recorded on path.
func (s *Server) recordedSSEPath(path string) bool {
	all, _, _ := s.Catalog.snapshot()
	for _, sess := range all {
		if sess.Kind == format.KindSSE && sess.path() == path {
			return true
		}
	}
	return false
}
