package replayer

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/protocol"
)

// A SockJS session (format.KindSockJS) is replayed to whichever transport
// the client picks, as a SockJS server (sockjs-protocol 0.3) would serve
// it: one replay per live SockJS session, keyed by the <server>/<session>
// parts of its requests' paths, begun by its first receiving request
// (websocket, xhr_streaming or xhr). The player (pacing.go) plays the
// recorded application messages into SockJS frames: the open frame "o"
// first, the messages due together as one a[...] frame, the recorded
// ending as c[code,"reason"], and a heartbeat "h" every 25 s on the
// replay's own clock. The frames wait in the replay's queue until a
// transport writes them: the WebSocket (sockjs_ws.go) one a message, an
// xhr_streaming response one a line, an xhr poll the next ones
// (sockjs_http.go). What the client sends (xhr_send, the WebSocket) is
// read as its messages, for echo.go and Wait. Timing options, faults and
// the live control apply as to a WebSocket replay.

// sjHeartbeat is the interval of the live "h" frames: sockjs-node's and
// Spring's default heartbeat_delay.
const sjHeartbeat = 25 * time.Second

// sjIdle ends a replay no receiving request has come for in this long, no
// WebSocket carrying it: sockjs-node's disconnect_delay.
const sjIdle = 5 * time.Second

// sjLinger is how long an ended replay still answers its session's
// requests with its close frame, as a SockJS server does.
const sjLinger = 5 * time.Second

// sjReplay is one live SockJS session being replayed. Its methods are safe
// for concurrent use: the player's goroutine puts frames, the transports'
// handlers take them.
type sjReplay struct {
	srv    *Server
	key    string
	rp     *replayLife
	sess   *Session
	log    *slog.Logger
	echo   *echo
	client *clientLog // Wait's; nil without it
	ctl    *control
	beats  *liveBeats // the heartbeats of the protocol inside (STOMP's EOLs), made live

	batch []string // the player's goroutine only: the messages of the frame being made

	mu        sync.Mutex
	frames    []string      // frames no transport has written yet
	wake      chan struct{} // cap 1: frames came, or the replay ended
	closed    string        // the close frame, once the replay has one
	dropped   bool          // the replay ended as a drop: receiving requests are cut
	receiving bool          // a receiving request is attached
	socket    bool          // a WebSocket carries the session
	idle      *time.Timer   // ends the replay when no receiving request comes
}

// sjReplays lists the live SockJS replays by key. The zero value is
// empty; safe for concurrent use.
type sjReplays struct {
	mu sync.Mutex
	m  map[string]*sjReplay
}

// sockJSKey returns the key of r's SockJS session and its transport's
// path part, if r is a request of a SockJS session's transport.
func sockJSKey(r *http.Request) (key, transport string, ok bool) {
	base, sid, transport, ok := protocol.SockJSPath(r.URL.Path)
	return base + "/" + sid, transport, ok
}

// sockJSRoute reports whether r is a request of a SockJS session's
// transport that a recorded kind sockjs session can serve: the
// WebSocket's upgrade, a POST (or its preflight) of xhr_streaming, xhr or
// xhr_send; or an upgrade on the raw WebSocket endpoint <base>/websocket
// of a base a kind sockjs session was recorded on.
func (s *Server) sockJSRoute(r *http.Request, upgrade bool) bool {
	_, transport, ok := sockJSKey(r)
	if !ok && upgrade && strings.HasSuffix(r.URL.Path, "/websocket") {
		return s.sockJSRaw(r) != ""
	}
	switch {
	case !ok || s.protocols().Lookup(protocol.SockJS{}.Name()) == nil:
		return false
	case transport == "websocket":
		ok = upgrade
	case transport == "xhr" || transport == "xhr_streaming" || transport == "xhr_send":
		ok = !upgrade && (r.Method == http.MethodPost || r.Method == http.MethodOptions)
	default:
		return false
	}
	return ok && s.hasKind(format.KindSockJS)
}

// sockJSRaw returns the base of r, an upgrade on SockJS's raw WebSocket
// endpoint <base>/websocket, when a kind sockjs session is recorded on
// that base; else "".
func (s *Server) sockJSRaw(r *http.Request) string {
	base := strings.TrimSuffix(r.URL.Path, "/websocket")
	all, _, _ := s.Catalog.snapshot()
	for _, sess := range all {
		if sess.Kind == format.KindSockJS && connectPath(sess.Kind.String(), sess.URL) == base &&
			(len(s.Sessions) == 0 || containsID(s.Sessions, sess.ID)) {
			return base
		}
	}
	return ""
}

// hasKind reports whether a session of kind is recorded, among those
// Server.Sessions allows.
func (s *Server) hasKind(kind format.Kind) bool {
	all, _, _ := s.Catalog.snapshot()
	for _, sess := range all {
		if sess.Kind == kind && (len(s.Sessions) == 0 || containsID(s.Sessions, sess.ID)) {
			return true
		}
	}
	return false
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (g *sjReplays) get(key string) *sjReplay {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.m[key]
}

func (g *sjReplays) put(x *sjReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*sjReplay{}
	}
	g.m[x.key] = x
}

func (g *sjReplays) remove(x *sjReplay) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m[x.key] == x {
		delete(g.m, x.key)
	}
}

// sockJSReplay returns the replay of r's SockJS session, starting one for
// a receiving request when there is none; nil when it has answered r
// instead (no session to play: 404; shutting down: 503).
func (s *Server) sockJSReplay(w http.ResponseWriter, r *http.Request, log *slog.Logger) *sjReplay {
	key, transport, _ := sockJSKey(r)
	if x := s.sockjs.get(key); x != nil {
		return x
	}
	if transport == "xhr_send" {
		http.NotFound(w, r) // as sockjs-node answers a send to a session it does not know
		return nil
	}
	rp, del, sess := s.startReplay(w, r, log, format.KindSockJS)
	if rp == nil {
		return nil
	}
	x := &sjReplay{srv: s, key: key, rp: rp, sess: sess, log: log.With("session", sess.ID, "kind", sess.Kind.String()),
		frames: []string{"o"}, wake: make(chan struct{}, 1)}
	if s.Wait {
		x.client = newClientLog()
	}
	x.echo = newEcho(s.detector(sess, r.URL, ""), s.Wait)
	x.ctl = s.newControl(rp, sess)
	x.beats = s.liveBeats(sess, r.URL, "")
	x.log.Info("connected", "recorded", sess.URL, "transport", protocol.SockJSTransport(transport))
	s.sockjs.put(x)
	go x.run(r.URL.Path, r.RemoteAddr, del)
	return x
}

// run plays the session, then lets the replay answer its close frame for
// sjLinger before it is forgotten. It calls del once the replay is over.
func (x *sjReplay) run(path, remote string, del func()) {
	s := x.srv
	defer time.AfterFunc(sjLinger, func() { s.sockjs.remove(x) })
	defer del()
	s.stats.open.Add(1)
	defer s.stats.open.Add(-1)
	accepted := time.Now()
	live := s.control.open(x.sess, path, remote, accepted, x.ctl)
	stopBeats := x.beatLive(x.rp.ctx)
	p := &player{cfg: s.timing(), session: x.sess, send: x.send, flush: x.flush, client: x.client, log: x.log,
		fine: &s.fine, ctl: x.ctl, echo: x.echo, beats: x.beats}
	end, err := p.play(x.rp.ctx, accepted)
	live.ended(endingName(end, err))
	stopBeatsAt(end, err, stopBeats)
	s.finish(x.rp.ctx, x, x.log, end, err)
	stopBeats()
}

// send holds a recorded message for the frame being made: the player's
// sender.
func (x *sjReplay) send(_ context.Context, e *format.Event) error {
	x.batch = append(x.batch, string(e.Data))
	x.srv.stats.sent.Add(1)
	x.srv.stats.sentBytes.Add(int64(len(e.Data)))
	return nil
}

// flush makes the messages held one a[...] frame.
func (x *sjReplay) flush() error {
	if len(x.batch) == 0 {
		return nil
	}
	b, err := json.Marshal(x.batch)
	if err != nil {
		return err
	}
	x.batch = x.batch[:0]
	x.put("a" + string(b))
	return nil
}

// put queues a frame for the transports.
func (x *sjReplay) put(frame string) {
	x.mu.Lock()
	if x.closed == "" && !x.dropped {
		x.frames = append(x.frames, frame)
	}
	x.mu.Unlock()
	x.signal()
}

func (x *sjReplay) signal() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// take returns the frames waiting, at least one, once some are, or the
// replay has ended (closed, its close frame; dropped), or ctx is done.
func (x *sjReplay) take(ctx context.Context) (frames []string, closed string, dropped bool) {
	for {
		x.mu.Lock()
		frames, x.frames = x.frames, nil
		closed, dropped = x.closed, x.dropped
		x.mu.Unlock()
		if len(frames) > 0 || closed != "" || dropped {
			return frames, closed, dropped
		}
		select {
		case <-x.wake:
		case <-ctx.Done():
			return nil, "", false
		}
	}
}

// attach notes a receiving request beginning; it reports false when one
// is attached already (SockJS answers the second c[2010,...]).
func (x *sjReplay) attach(socket bool) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.receiving {
		return false
	}
	x.receiving, x.socket = true, x.socket || socket
	if x.idle != nil {
		x.idle.Stop()
	}
	return true
}

// detach notes a receiving request ending: the replay ends if no other
// comes within sjIdle, unless a WebSocket carried it, whose end is the
// replay's.
func (x *sjReplay) detach() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.receiving = false
	if x.idle != nil {
		x.idle.Stop()
	}
	if !x.socket {
		x.idle = time.AfterFunc(sjIdle, x.quiet)
	}
}

func (x *sjReplay) quiet() {
	x.mu.Lock()
	gone := !x.receiving
	x.mu.Unlock()
	if gone {
		x.rp.cancel() // the client left
	}
}

// clientSent reads what the client sent (an array of strings, or one):
// its messages, logged, counted and told to the control, Wait and echo.
func (x *sjReplay) clientSent(data []byte) bool {
	msgs, ok := protocol.SockJSSent(data)
	if !ok {
		return false
	}
	for _, m := range msgs {
		b := []byte(m)
		if replies, _, beat := x.beats.fromClient([]protocol.Message{{Dir: format.Send, Data: b}}); beat {
			for _, r := range replies {
				x.putMessage(r.Data)
			}
			continue
		}
		x.log.Debug("client message", "size", len(b), "data", readable.Preview(b, 80))
		x.srv.stats.received.Add(1)
		x.ctl.clientMessage()
		if x.client != nil {
			x.client.add(b)
		}
		now := time.Now()
		x.echo.live(protocol.Message{Dir: format.Send, Data: b}, came{at: now, held: x.ctl.heldFor(now)}) // nil-safe
	}
	return true
}

// beatLive makes the heartbeats live: SockJS's own "h" (beat), and the
// beats of the protocol inside, sent as messages (liveBeats.send); stop
// stops both and waits for them.
func (x *sjReplay) beatLive(ctx context.Context) (stop func()) {
	stopH := x.beat()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		x.beats.send(ctx, done, func(m protocol.Message) error { x.putMessage(m.Data); return nil })
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			stopH()
			x.beats.hush()
			close(done)
		})
		wg.Wait()
	}
}

// putMessage queues one message, a heartbeat of the protocol inside, as
// a frame of its own.
func (x *sjReplay) putMessage(data []byte) {
	b, _ := json.Marshal([]string{string(data)})
	x.put("a" + string(b))
}

// beat puts an "h" frame every sjHeartbeat until the returned func is
// called.
func (x *sjReplay) beat() (stop func()) {
	t := time.NewTicker(sjHeartbeat)
	done := make(chan struct{})
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				x.put("h")
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// sjStyle are the SockJS replay's endings, for the log.
var sjStyle = endStyle{
	close:    "close frame c[code,reason]",
	drop:     "the transport's connection closed without a close frame",
	hang:     "connected, sending nothing more but heartbeats",
	fail:     "close frame c[1011,...]",
	shutdown: "close frame c[1001,...]",
}

func (x *sjReplay) style() *endStyle { return &sjStyle }

// closeWith puts the close frame after the messages held.
func (x *sjReplay) closeWith(code int, reason string) {
	x.flush()
	r, _ := json.Marshal(reason)
	x.mu.Lock()
	x.closed = "c[" + strconv.Itoa(code) + "," + string(r) + "]"
	x.mu.Unlock()
	x.signal()
}

func (x *sjReplay) drop() {
	x.flush()
	x.mu.Lock()
	x.dropped = true
	x.mu.Unlock()
	x.signal()
}

func (x *sjReplay) fail() { x.closeWith(1011, "wsreplay: replay failed") }

func (x *sjReplay) gone(shutdown bool) {
	if shutdown {
		x.closeWith(1001, "server shutting down")
		return
	}
	x.closeWith(1000, "client left")
}

// connectPath is the path and query a client of a session recorded on u
// is given, for the page: a SockJS session's base ("/echo", which
// sockjs-client is given), not the path of one of its transports; u as it
// is for the other kinds.
func connectPath(kind, u string) string {
	if kind != format.KindSockJS.String() {
		return u
	}
	path, _, _ := strings.Cut(u, "?")
	if base, _, _, ok := protocol.SockJSPath(path); ok {
		return base
	}
	return u
}
