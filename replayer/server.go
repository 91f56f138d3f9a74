package replayer

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/drain"
	"github.com/wsreplay/wsreplay/internal/secret"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// DefaultMaxMessageSize is the largest client message read when
// Server.MaxMessageSize is zero.
const DefaultMaxMessageSize = ws.DefaultMaxMessageSize

// Heartbeat is an application-level ping and its answer, as text messages.
type Heartbeat struct {
	Ping, Pong string
}

// Server replays recorded sessions to WebSocket clients. It is an
// http.Handler: every WebSocket connection gets its own replay of a session
// chosen from Catalog, starting when it is accepted. A plain GET of "/"
// shows a page listing the sessions.
//
// Only this machine's pages are served: a request whose Host is a DNS name
// other than localhost, *.localhost or one in AllowHosts gets 403 (DNS
// rebinding), and so does a WebSocket from a page whose Origin is not on
// this machine or in AllowOrigins (see guard.go).
//
// The zero value of every field but Catalog is the plain replay: original
// pace, whole session, recorded ending, no faults. A Server never dials
// anything. Its fields must not change once it serves; it is safe for
// concurrent use. Shutdown ends the replays; the caller closes Catalog.
type Server struct {
	// Catalog holds the sessions to play. Required.
	Catalog *Catalog

	// Speed scales time: 2 plays twice as fast. Zero means 1, the
	// original pace; math.Inf(1) sends without waiting. Other speeds are
	// held within MinSpeed..MaxSpeed.
	Speed float64
	// MaxGap caps the silence between two recorded events. Zero: no cap.
	MaxGap time.Duration
	// From starts the replay at this offset into the session. The
	// messages before it are sent at once, so that the client's state is
	// right, unless DropBefore is set.
	From       time.Duration
	DropBefore bool
	// Loop starts the session again at its end instead of ending it.
	Loop bool
	// Sessions restricts replays to the sessions with these ids. Empty:
	// all sessions.
	Sessions []string
	// Wait holds a server message recorded after the client's k-th
	// message until the client has sent its own k-th message; timing then
	// resumes from that moment. Differences are logged.
	Wait bool
	// Heartbeats are answered at once, and the recorded ones are left out
	// of the timeline and out of Wait's counting: for protocols no
	// profile knows (a profile's own heartbeats are live without them; see
	// Protocols). Nil: none.
	Heartbeats []Heartbeat
	// Protocols are the protocol profiles a replay may speak (see
	// protocol.go). Nil: protocol.Default(); protocol.Set{}: none.
	Protocols protocol.Set
	// Protocol names the protocol of every replay, as --protocol does: a
	// profile's name, or protocol.NoProtocol for none. "": each session's
	// own (its session line's, else detected).
	Protocol string
	// Paused starts every replay paused, at its first message: the
	// control API (or the timeline page) resumes or steps it.
	Paused bool

	// Faults, measured from each connection's accept; zero is off.
	DropAt      time.Duration // drop the TCP connection, no close frame
	CloseAt     time.Duration // send a close frame with CloseCode, CloseReason
	CloseCode   int           // zero means 1000
	CloseReason string
	HangAt      time.Duration // stay connected and send nothing more
	// Refuse answers the first Refuse upgrade requests with HTTP 503.
	Refuse int
	// Link, if set, makes every replay's server messages cross a faulty
	// link (latency with jitter, bandwidth, stalls; see package fault),
	// timed from each connection's accept. Nil: none. A zero Link delays
	// nothing, but messages still go through its schedule. The control
	// API changes a live replay's link (POST replays/{id}/faults).
	Link *fault.Link
	// Faults are message faults: the first rule that selects a server
	// message acts on it (drop, duplicate, delay, reorder, corrupt), and
	// is logged and shown on the timeline. Nil: none.
	Faults []*fault.Rule

	// AllowHosts are DNS names, besides localhost and *.localhost, that
	// requests may name in their Host header; other names get 403 (DNS
	// rebinding). IP literals are always allowed. Nil: none.
	AllowHosts []string
	// AllowOrigins are the origins, besides pages on this machine, that
	// may open WebSockets: "*" (any), a whole origin or a host[:port],
	// with path.Match wildcards; "null" admits file:// pages, and with
	// them sandboxed frames of any site. Others get 403. Nil: none.
	AllowOrigins []string

	// NoControl turns off the control API and the timeline pages under
	// /_wsreplay/ (see api.go). By default they are served to requests
	// that reach the server on a loopback address.
	NoControl bool
	// ControlURL, when set, moves the control API and the timeline pages
	// off this handler: ControlHandler serves them, on a listener of their
	// own that the caller runs at this base URL (http://HOST:PORT).
	// Replayed content then never shares an origin with them, so nothing a
	// recording or an earlier server on the replay port left in a browser
	// (a page, a service worker) can reach them. The session list links to
	// it; requests under /_wsreplay/ here get its address (moved.go).
	// Empty: they are served under /_wsreplay/ of this handler.
	ControlURL string
	// ControlRemote serves the control API and the timeline pages on
	// every address the server listens on, not only on loopback, to
	// requests that carry ControlToken (token.go); requests on loopback
	// need no token. With an empty ControlToken, nothing is served off
	// loopback.
	ControlRemote bool
	// ControlToken is the secret a request off loopback must carry to use
	// the control API and the pages, with ControlRemote.
	ControlToken string
	// Poll are the paths of HTTP long-polling endpoints, or prefixes of
	// them ending in "*", whose requests are answered from the recorded
	// poll sessions (poll.go). Nil: none. Event streams need no path: a
	// request that accepts text/event-stream, or one on a path where an
	// sse session was recorded, gets one (sse.go).
	Poll []string
	// PollIdle ends a poller's replay when it has sent no request for
	// this long; its next request starts the next recorded session. Zero
	// means DefaultPollIdle.
	PollIdle time.Duration

	// MaxMessageSize bounds client messages. Zero means
	// DefaultMaxMessageSize.
	MaxMessageSize int64
	// Logger receives a line per connection and per ending. Nil: none.
	Logger *slog.Logger

	mu       sync.Mutex
	refused  int
	next     map[string]int           // round-robin position per request group
	live     map[*replayLife]struct{} // what Shutdown must end
	eio      eioRegistry              // Engine.IO replays by sid
	sockjs   sjReplays                // SockJS replays by session (sockjs.go)
	signalR  signalRRegistry          // SignalR HTTP transport replays by connection token (signalr.go)
	shutdown bool
	wg       sync.WaitGroup
	stats    serverStats
	fine     fineClock
	control  liveControl // the replays as the control API sees them
	// replayAddr is where clients reach the replays, for the session list
	// served on the control listener (ControlHandler); "": the request's Host.
	replayAddr string
	pollers    pollers // the pollers being replayed to
	ctlOnce    sync.Once
	ctlMux     *http.ServeMux // the control API's routes (api.go)
}

// replayLife is the life of one replay that admit let in, of any kind:
// the contexts that end it (Shutdown ends every one) and what the control
// API set for it. The control API's view of a replay is an apiReplay
// (live.go). It has a field so that every one has an address of its own:
// pointers to distinct zero-size values may be equal, and a map keyed by
// them would hold one entry.
type replayLife struct {
	ctx    context.Context    // ends the replay: the client left, or Shutdown
	cancel context.CancelFunc // ends ctx
	ioCtx  context.Context    // for reads and writes: ends only after the replay
	next   *nextDefaults      // what the control API set for this connection; nil: none
}

// subprotocolsFor returns the subprotocols a replay may accept, in order of
// preference: the recorded one; or, when none was recorded or the recording
// hid a token in it, the client's offers, those that redact to the recorded
// value first (a client sends its own token; the replay cannot know the
// recorded one and need not).
func subprotocolsFor(recorded string, offered []string) []string {
	if recorded == "" {
		return offered
	}
	if !strings.Contains(recorded, secret.Redacted) {
		return []string{recorded}
	}
	var same, other []string
	for _, o := range offered {
		if secret.Subprotocol(o) == recorded {
			same = append(same, o)
		} else {
			other = append(other, o)
		}
	}
	return append(same, other...)
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// admit registers a replay for the request, unless the server is shutting
// down or the Refuse fault answers it: those get 503, and admit returns
// nil. del unregisters the replay once it is over (as caddy's streaming
// code gets back a del function for each connection).
func (s *Server) admit(w http.ResponseWriter, log *slog.Logger) (rp *replayLife, del func()) {
	s.mu.Lock()
	if s.next == nil {
		s.next = map[string]int{}
		s.live = map[*replayLife]struct{}{}
	}
	if s.shutdown {
		s.mu.Unlock()
		s.stats.refusedFor("shutdown")
		http.Error(w, "wsreplay is shutting down", http.StatusServiceUnavailable)
		return nil, nil
	}
	if s.refused < s.Refuse {
		s.refused++
		n := s.refused
		s.mu.Unlock()
		log.Info("refused", "fault", fmt.Sprintf("--refuse %d of %d", n, s.Refuse))
		s.stats.refusedFor("fault")
		http.Error(w, "refused by wsreplay (fault injection)", http.StatusServiceUnavailable)
		return nil, nil
	}
	// Registered under the same lock as the shutdown check, so that
	// Shutdown either refuses a replay or ends it.
	rp, del = s.register()
	s.mu.Unlock()
	return rp, del
}

// register adds a live replay, for Shutdown to end, and returns it with
// del, which removes it and ends its contexts. s.mu must be held.
func (s *Server) register() (rp *replayLife, del func()) {
	// Two contexts: ioCtx is for reads and writes, and ends only when the
	// handler does, because coder/websocket closes the connection when a
	// read's or write's context ends; ctx ends the replay, when the client
	// leaves or the server shuts down, and the connection then closes
	// the way finish decides.
	ioCtx, ioCancel := context.WithCancel(context.Background())
	ctx, cancel := context.WithCancel(ioCtx)
	rp = &replayLife{ctx: ctx, cancel: cancel, ioCtx: ioCtx}
	s.live[rp] = struct{}{}
	s.wg.Add(1)
	return rp, func() {
		s.mu.Lock()
		delete(s.live, rp)
		s.mu.Unlock()
		cancel()
		s.wg.Done()
		ioCancel()
	}
}

// startReplay admits a replay for r and chooses its session of kind (the one
// the control API set for the next connection, if it is of that kind). It
// returns nil when it has answered the request instead (503, 404); else
// the caller calls del once the replay is over.
func (s *Server) startReplay(w http.ResponseWriter, r *http.Request, log *slog.Logger, kind format.Kind) (rp *replayLife, del func(), sess *Session) {
	rp, del = s.admit(w, log)
	if rp == nil {
		return nil, nil, nil
	}
	if !s.NoControl {
		rp.next = s.control.take(r.URL.Path)
	}
	if sess = s.chooseSession(w, r, rp, log, kind); sess == nil {
		del()
		return nil, nil, nil
	}
	return rp, del, sess
}

// chooseSession chooses the session of kind to play to the request, or
// answers 404 and returns nil. Until the upgrade, the request's own context tells if
// the client gives up waiting for a session to be indexed.
func (s *Server) chooseSession(w http.ResponseWriter, r *http.Request, rp *replayLife, log *slog.Logger, kind format.Kind) *Session {
	ctx, stop := context.WithCancel(rp.ctx)
	stopAfter := context.AfterFunc(r.Context(), stop)
	var sess *Session
	var err error
	if rp.next != nil && rp.next.Session != "" {
		// The session the control API chose, if a connection of this
		// kind can play it; the round robin is left where it was.
		switch sess = s.lookupSession(rp.next.Session); {
		case sess == nil:
			err = errNoSession
		case sess.Kind != kind:
			log.Warn("the session chosen for the next connection is of another kind: choosing as usual",
				"session", sess.ID, "kind", sess.Kind.String(), "asked", kind.String())
			sess = nil
		}
	}
	if sess == nil && err == nil {
		sess, err = s.choose(ctx, r.URL, kind)
	}
	stopAfter()
	stop()
	if err != nil {
		s.logNoSession(log, err, format.KindWebSocket)
		s.stats.refusedFor("no_session")
		http.Error(w, "wsreplay: "+err.Error(), http.StatusNotFound)
		return nil
	}
	return sess
}

// Shutdown closes every replay with 1001 (going away) and waits for them to
// end, or for ctx. New connections are refused from then on.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	for r := range s.live {
		r.cancel()
	}
	s.mu.Unlock()
	s.control.hub.shutdown() // the events streams
	return drain.Wait(ctx, &s.wg)
}
