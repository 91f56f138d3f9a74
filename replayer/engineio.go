package replayer

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// This file answers Engine.IO (Socket.IO) requests, those whose query has
// EIO= and transport=, on any path: the handshake, on polling or on a
// WebSocket, starts a replay of a Socket.IO session under a fresh sid
// (engineio_conn.go serves its transports, engineio_play.go its packets);
// later requests name the sid. What cannot be answered is answered as an
// Engine.IO server would, with one log line saying why.

// eioRegistry holds the live Engine.IO replays by sid. Its zero value is
// empty and ready.
type eioRegistry struct {
	mu sync.Mutex
	m  map[string]*eioReplay
}

func (g *eioRegistry) get(sid string) *eioReplay {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[sid]
}

func (g *eioRegistry) put(r *eioReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*eioReplay{}
	}
	g.m[r.sid] = r
}

func (g *eioRegistry) remove(r *eioReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.m, r.sid)
}

// Engine.IO's error answers, as its servers write them (engine.io's
// BaseServer.errors).
const (
	eioUnknownTransport = 0
	eioUnknownSID       = 1
	eioBadMethod        = 2 // a handshake that is not a GET
	eioBadRequest       = 3
	eioForbidden        = 4
	eioBadVersion       = 5
)

var eioMessages = map[int]string{
	eioUnknownTransport: "Transport unknown", eioUnknownSID: "Session ID unknown", eioBadMethod: "Bad handshake method",
	eioBadRequest: "Bad request", eioForbidden: "Forbidden", eioBadVersion: "Unsupported protocol version",
}

// eioStatus is the status engine.io's server answers code with: 403 for
// Forbidden on a polling request, 400 for every other code, and 400 for
// every refused upgrade (its abortRequest and abortUpgrade).
func eioStatus(code int, upgrade bool) int {
	if code == eioForbidden && !upgrade {
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// eioError answers as an Engine.IO server does: on a polling request,
// {"code":N,"message":"..."}; on a refused upgrade, the message alone as
// text (abortUpgrade writes it so).
func eioError(w http.ResponseWriter, code int, upgrade bool) {
	if upgrade {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(eioStatus(code, upgrade))
		w.Write([]byte(eioMessages[code]))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(eioStatus(code, upgrade))
	w.Write([]byte(`{"code":` + strconv.Itoa(code) + `,"message":"` + eioMessages[code] + `"}`))
}

// serveEngineIO answers an Engine.IO request. guard has checked its Host
// and its Origin.
func (s *Server) serveEngineIO(w http.ResponseWriter, r *http.Request, q engineio.Query, upgrade bool) {
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.RequestURI())
	if !upgrade {
		allowCORS(w, r, nil)
	}
	switch {
	case r.Method == http.MethodOptions && !upgrade:
		eioPreflight(w, r)
		return
	case q.Version != 3 && q.Version != 4:
		log.Warn("cannot answer Engine.IO: unsupported protocol revision", "EIO", q.Version, "answered", "400")
		eioError(w, eioBadVersion, upgrade)
		return
	case q.Transport != "polling" && q.Transport != "websocket":
		log.Warn("cannot answer Engine.IO: unknown transport", "transport", q.Transport, "answered", "400")
		eioError(w, eioUnknownTransport, upgrade)
		return
	case q.Transport == "websocket" && !upgrade:
		log.Warn("cannot answer Engine.IO: transport websocket without an upgrade", "answered", "400")
		eioError(w, eioBadRequest, upgrade)
		return
	case q.SID == "" && r.Method != http.MethodGet:
		log.Warn("cannot answer Engine.IO: a handshake is a GET", "method", r.Method, "answered", "400")
		eioError(w, eioBadMethod, upgrade)
		return
	case q.SID == "":
		s.eioHandshake(w, r, q, upgrade, log)
		return
	}
	rep := s.eio.get(q.SID)
	if rep == nil {
		log.Warn("cannot answer Engine.IO: unknown sid (a replay that ended, or a server restarted since)",
			"sid", q.SID, "answered", "400 Session ID unknown", "try", "the client reconnects with a new handshake")
		eioError(w, eioUnknownSID, upgrade)
		return
	}
	switch {
	case upgrade:
		rep.serveUpgrade(w, r)
	case r.Method == http.MethodGet:
		rep.servePoll(w, r)
	case r.Method == http.MethodPost:
		rep.servePost(w, r)
	default:
		eioError(w, eioBadRequest, upgrade)
	}
}

// eioHandshake starts a replay for a handshake: it admits it (Refuse,
// shutdown), chooses a Socket.IO session, and opens it on the transport
// the client came with.
func (s *Server) eioHandshake(w http.ResponseWriter, r *http.Request, q engineio.Query, upgrade bool, log *slog.Logger) {
	rp, del := s.admit(w, log)
	if rp == nil {
		return
	}
	sess, err := s.eioSession(r, rp)
	if err != nil {
		del()
		s.logNoSocketIO(log, err)
		s.stats.refusedFor("no_session")
		eioError(w, eioForbidden, upgrade)
		return
	}
	rep := s.newEIOReplay(rp, del, sess, r.URL, q, log)
	rep.path, rep.remote = r.URL.Path, r.RemoteAddr
	s.eio.put(rep)
	if upgrade {
		rep.serveHandshakeSocket(w, r)
		return
	}
	rep.out(engineio.Packet{Data: engineio.OpenPacket(rep.open)})
	if q.Version == 3 {
		rep.out(engineio.Packet{Data: []byte("40")}) // Socket.IO 2 joins "/" unasked
	}
	go rep.run()
	rep.servePoll(w, r)
}

// eioSession chooses the Socket.IO session of a handshake: the one the
// control API chose for the next connection, if it is one, else as
// WebSocket connections are chosen.
func (s *Server) eioSession(r *http.Request, rp *replayLife) (*Session, error) {
	if !s.NoControl {
		rp.next = s.control.take(r.URL.Path)
	}
	if n := rp.next; n != nil && n.Session != "" {
		if sess := s.lookupSession(n.Session); sess != nil && sess.Kind == format.KindSocketIO {
			return sess, nil
		}
	}
	return s.choose(r.Context(), r.URL, format.KindSocketIO)
}

// logNoSocketIO logs a handshake no session can serve.
func (s *Server) logNoSocketIO(log *slog.Logger, err error) {
	n := len(s.Catalog.Sessions())
	log.Warn("cannot answer Engine.IO: no recorded Socket.IO session to play", "err", err,
		"sessions_of_other_kinds", n, "answered", "403 Forbidden (as a Socket.IO server refusing the connection)",
		"try", "record the Socket.IO client through wsreplay record (wsreplay ls marks its sessions socketio)")
}

// newSID returns a fresh Engine.IO sid, 20 characters as Engine.IO's own.
func newSID() string {
	var b [15]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// maxPingMillis bounds the recorded pingInterval and pingTimeout a replay
// announces and keeps to: a day.
const maxPingMillis = 24 * 60 * 60 * 1000

// openParams returns what the replay's open packet announces: a fresh
// sid and the recorded parameters (Engine.IO's defaults where the
// recording has none).
func openParams(e *format.EngineIO, websocketOnly bool) engineio.OpenParams {
	o := engineio.OpenParams{SID: newSID(), PingInterval: 25000, PingTimeout: 20000, Upgrades: []string{"websocket"}}
	if e != nil {
		// A recording's values are kept within what a timer can hold
		// (a day at most): a crafted one must not stop the server.
		if e.PingInterval > 0 {
			o.PingInterval = min(e.PingInterval, maxPingMillis)
		}
		if e.PingTimeout > 0 {
			o.PingTimeout = min(e.PingTimeout, maxPingMillis)
		}
		o.MaxPayload = e.MaxPayload
		if e.Upgrades != nil {
			o.Upgrades = e.Upgrades
		}
	}
	if websocketOnly {
		o.Upgrades = []string{}
	}
	return o
}
