package replayer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// This file serves SignalR's HTTP transports (TransportProtocols.md of
// dotnet/aspnetcore): Server-Sent Events (GET <hub>?id=<token> with
// Accept: text/event-stream, the server's records as events) and long
// polling (GET <hub>?id=<token> polled, the first poll answered at once
// and empty), the client's records in POSTs to the same URL, and DELETE to
// end. The connection token is the one the replayed negotiate handed out
// (bootstrap.go); the first GET that presents one starts a replay of a
// SignalR session recorded on the hub's path, whatever transport carried it
// (a WebSocket, or an HTTP transport: their messages are the same hub
// records). The replay is a WebSocket replay's in all but the transport:
// the same player, live pings (type 6), replies waiting for their
// invocations and the client's invocationIds (echo.go), the close message
// (type 7) and the ending.

// signalRPollWait is how long a poll is held with nothing to send before it
// is answered empty, as ASP.NET Core's LongPolling.PollTimeout (90 s) does.
const signalRPollWait = 90 * time.Second

// signalRIdle ends a long-polling replay whose client has had no poll
// waiting for this long: it has gone without its DELETE.
const signalRIdle = 30 * time.Second

// maxSignalRPost bounds the body of a client's send.
const maxSignalRPost = 16 << 20

// errSignalRGone means the replay is over: nothing more can be sent.
var errSignalRGone = errors.New("signalr replay over")

// signalRRegistry holds the live SignalR HTTP replays by connection token.
// Its zero value is empty and ready; safe for concurrent use.
type signalRRegistry struct {
	mu    sync.Mutex
	m     map[string]*signalRReplay
	ended *recent[string, struct{}] // the tokens of replays over, the newest maxEndedTokens
}

// maxEndedTokens bounds the tokens of finished replays remembered, so that
// a request on one (an EventSource reconnecting after the stream's end)
// gets SignalR's 404 rather than a replay of the next session.
const maxEndedTokens = 1024

// over reports whether the replay of token id has ended.
func (g *signalRRegistry) over(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended == nil {
		return false
	}
	_, ok := g.ended.get(id)
	return ok
}

func (g *signalRRegistry) get(id string) *signalRReplay {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[id]
}

func (g *signalRRegistry) put(r *signalRReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*signalRReplay{}
	}
	g.m[r.id] = r
}

func (g *signalRRegistry) remove(r *signalRReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m[r.id] == r {
		delete(g.m, r.id)
	}
	if g.ended == nil {
		e := newRecent[string, struct{}](maxEndedTokens)
		g.ended = &e
	}
	g.ended.put(r.id, struct{}{})
}

// signalRTransport reports whether r is a request of SignalR's HTTP
// transports this server plays: one that names a live replay's token, or
// one with a token on a hub whose SignalR session or negotiate was
// recorded (a GET starts a replay). A CORS preflight for one counts as one.
func (s *Server) signalRTransport(r *http.Request) bool {
	id := r.URL.Query().Get("id")
	if id == "" || strings.HasSuffix(r.URL.Path, "/negotiate") {
		return false
	}
	method := r.Method
	if m := r.Header.Get("Access-Control-Request-Method"); method == http.MethodOptions && m != "" {
		method = m
	}
	switch {
	case method != http.MethodGet && method != http.MethodPost && method != http.MethodDelete:
		return false
	case s.signalR.get(id) != nil:
		return true
	}
	// A send or a DELETE of a connection that is over gets SignalR's 404
	// (the client's stop() sends its DELETE after the server's Close).
	return s.recordedSignalR(r.URL.Path)
}

// recordedSignalR reports whether a SignalR session, or a SignalR
// negotiate, was recorded for the hub on path.
func (s *Server) recordedSignalR(path string) bool {
	all, _, _ := s.Catalog.snapshot()
	for _, sess := range all {
		if sess.Protocol() != "signalr" {
			continue
		}
		if sess.Kind == format.KindWebSocket && sess.path() == path || sess.Kind == format.KindPoll && sess.path() == path+"/negotiate" {
			return true
		}
	}
	return false
}

// serveSignalR answers a request of SignalR's HTTP transports.
func (s *Server) serveSignalR(w http.ResponseWriter, r *http.Request) {
	if preflight(w, r) {
		return
	}
	allowCORS(w, r, nil)
	rep := s.signalR.get(r.URL.Query().Get("id"))
	switch {
	case rep == nil && r.Method == http.MethodGet && !s.signalR.over(r.URL.Query().Get("id")):
		s.startSignalR(w, r)
	case rep == nil:
		s.logger().Info("SignalR request for a connection that is over", "remote", r.RemoteAddr, "asked", r.Method+" "+r.URL.RequestURI(), "answered", "404")
		http.Error(w, "No Connection with that ID", http.StatusNotFound)
	case r.Method == http.MethodPost:
		rep.servePost(w, r)
	case r.Method == http.MethodDelete:
		rep.log.Info("client closed", "how", "DELETE")
		rep.rp.cancel()
		w.WriteHeader(http.StatusAccepted)
	case rep.sse:
		http.Error(w, "Another poll is already running", http.StatusConflict)
	default:
		rep.servePoll(w, r)
	}
}

// signalRReplay is one SignalR connection being replayed over an HTTP
// transport. Its methods are safe for concurrent use: a poll, a send and
// the player run at once.
type signalRReplay struct {
	srv      *Server
	id       string // the connection token the client presents
	sse      bool   // Server-Sent Events; else long polling
	sess     *Session
	log      *slog.Logger
	rp       *replayLife
	del      func()
	accepted time.Time
	path     string
	remote   string
	ctl      *control
	beats    *liveBeats
	echo     *echo
	client   *clientLog // Server.Wait's; nil without it

	mu        sync.Mutex
	queue     [][]byte      // records for the stream or the next poll
	wake      chan struct{} // closed and replaced when queue or the state changes
	polling   bool          // a poll is waiting
	lastSeen  time.Time     // the client's last poll
	over      bool          // ended cleanly: the stream ends, the next poll gets 204
	aborted   bool          // dropped: the stream or the waiting poll is cut
	closeSeen chan struct{} // closed when the ending has reached the client
	seenOnce  sync.Once
}

// startSignalR starts a replay for the first GET of a connection token:
// an event stream it then serves, or a first poll answered at once.
func (s *Server) startSignalR(w http.ResponseWriter, r *http.Request) {
	sse := acceptsEventStream(r.Header)
	transport := "LongPolling"
	if sse {
		transport = "ServerSentEvents"
	}
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.Path)
	rp, del, sess := s.startReplay(w, r, log, format.KindWebSocket)
	if rp == nil {
		return
	}
	rep := &signalRReplay{srv: s, id: r.URL.Query().Get("id"), sse: sse, sess: sess, rp: rp, del: del,
		accepted: time.Now(), path: r.URL.Path, remote: r.RemoteAddr, wake: make(chan struct{}), closeSeen: make(chan struct{})}
	rep.lastSeen = rep.accepted
	rep.log = log.With("session", sess.ID)
	rep.ctl = s.newControl(rp, sess)
	det := s.detector(sess, r.URL, "")
	rep.ctl.shape = profileShape(det.Profile())
	rep.beats = s.liveBeats(sess, r.URL, "")
	rep.echo = newEcho(det, s.Wait)
	if s.Wait {
		rep.client = newClientLog()
	}
	rep.log.Info("connected", "protocol", "signalr", "transport", transport, "recorded_transport", recordedTransport(sess))
	s.signalR.put(rep)
	go rep.run()
	if sse {
		rep.serveStream(w, r)
		return
	}
	w.WriteHeader(http.StatusOK) // the first poll: the connection is made
}

// recordedTransport names the transport that carried sess.
func recordedTransport(sess *Session) string {
	if sess.Transport != "" {
		return sess.Transport
	}
	return "WebSockets"
}

// run plays the session, keeps the pings going, and ends the replay the
// way the session or a fault ended it.
func (r *signalRReplay) run() {
	defer r.del()
	defer r.srv.signalR.remove(r)
	r.srv.stats.open.Add(1)
	defer r.srv.stats.open.Add(-1)
	live := r.srv.control.open(r.sess, r.path, r.remote, r.accepted, r.ctl)
	stop := r.beatLive()
	idle := r.watchIdle()
	p := &player{cfg: r.srv.timing(), session: r.sess, send: r.send, client: r.client, log: r.log, ctl: r.ctl,
		beats: r.beats, echo: r.echo}
	end, err := p.play(r.rp.ctx, r.accepted)
	live.ended(endingName(end, err))
	stopBeatsAt(end, err, stop)
	r.srv.finish(r.rp.ctx, r, r.log, end, err)
	stop()
	idle()
	r.linger()
}

// send queues a recorded message for the client.
func (r *signalRReplay) send(_ context.Context, e *format.Event) error {
	if err := r.out(e.Data); err != nil {
		return err
	}
	r.srv.stats.sent.Add(1)
	r.srv.stats.sentBytes.Add(int64(len(e.Data)))
	return nil
}

// out queues records for the client: the stream writes them, or the next
// poll takes them together.
func (r *signalRReplay) out(data []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.over || r.aborted {
		return errSignalRGone
	}
	r.queue = append(r.queue, bytes.Clone(data))
	r.notify()
	return nil
}

// notify wakes the stream or a waiting poll. r.mu is held.
func (r *signalRReplay) notify() {
	close(r.wake)
	r.wake = make(chan struct{})
}

// take returns what is queued and the state, or the channel to wait on.
func (r *signalRReplay) take() (records [][]byte, over, aborted bool, wake <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	records, r.queue = r.queue, nil
	return records, r.over, r.aborted, r.wake
}
