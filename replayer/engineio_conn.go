package replayer

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file serves one Engine.IO replay's transports: the polling GETs
// (answered with what is queued, or held until something is), the POSTs,
// the WebSocket (from the handshake, or an upgrade: 2probe, 3probe, the
// pending GET answered with 6, then 5), the live pings, and the replay's
// life from its first request to its ending.

// errEIOGone means the replay is over: nothing more can be sent.
var errEIOGone = errors.New("engine.io replay over")

// eioReplay is one Engine.IO session being replayed under a fresh sid.
// Its methods are safe for concurrent use: requests of one sid overlap.
type eioReplay struct {
	srv      *Server
	sid      string
	version  int
	b64      bool // the client asked for base64 binary in polling (b64=1)
	open     engineio.OpenParams
	sess     *Session
	log      *slog.Logger
	rp       *replayLife
	path     string // as the client asked for it, and its address: for live control
	remote   string
	del      func()
	accepted time.Time
	play     *eioPlay
	client   *clientLog // Server.Wait's log of the client's events; nil without it
	ctl      *control   // live control of the replay
	// echo holds a recorded ack answer, and the rest of the session
	// behind it, until the client has made the emit it answers (echo.go,
	// through the Socket.IO profile); play gives it the client's ack id.
	// Nil: the recorded clock (--protocol none).
	echo *echo

	mu       sync.Mutex
	queue    []engineio.Packet // for the next polling GET
	queued   int64             // the bytes of queue's packets
	wake     chan struct{}     // closed and replaced when the queue or the state changes
	polling  bool              // a GET is waiting
	posting  bool              // a POST is being read
	probed   bool              // a WebSocket answered the probe: the waiting GET gets "6"
	sock     *websocket.Conn   // the WebSocket carrying the packets, once there is one
	sockNet  net.Conn
	lastSeen time.Time // the client's last request or packet
	over     bool      // ended: the waiting GET gets a close packet
	// closeQueued: the replay ended with a close packet for polling;
	// closeTaken is closed when a GET has taken it.
	closeQueued bool
	closeTaken  chan struct{}
	aborted     bool // dropped: the waiting GET is cut off
	quiet       bool // --hang-at: no pings, no pongs
	writeMu     sync.Mutex
	heartbeat   sync.WaitGroup
}

func (s *Server) newEIOReplay(rp *replayLife, del func(), sess *Session, u *url.URL, q engineio.Query, log *slog.Logger) *eioReplay {
	r := &eioReplay{srv: s, version: q.Version, b64: q.Base64, sess: sess, rp: rp, del: del,
		accepted: time.Now(), wake: make(chan struct{}), closeTaken: make(chan struct{})}
	r.open = openParams(sess.EngineIO, q.Transport == "websocket")
	r.sid = r.open.SID
	r.lastSeen = r.accepted
	r.log = log.With("session", sess.ID, "sid", r.sid)
	if s.Wait {
		r.client = newClientLog()
	}
	r.play = newEIOPlay(r, s.Loop)
	r.ctl = s.newControl(rp, sess)
	r.ctl.shape = r.play.injection
	// Server.Wait pairs the client's emits by count (r.client), as it
	// always has for Engine.IO: the echo holds replies only.
	r.echo = newHoldingEcho(s.detector(sess, u, ""), false)
	if e := sess.EngineIO; e != nil && e.Version != q.Version {
		r.log.Warn("Engine.IO revision differs from the recording's: packets are replayed as recorded",
			"client", q.Version, "recorded", e.Version)
	}
	r.log.Info("connected", "kind", "socketio", "transport", q.Transport, "ping_interval_ms", r.open.PingInterval)
	return r
}

// notify wakes a waiting GET. r.mu is held.
func (r *eioReplay) notify() {
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *eioReplay) touch() {
	r.mu.Lock()
	r.lastSeen = time.Now()
	r.mu.Unlock()
}

// out sends packets as one unit: on the WebSocket once there is one, else
// queued for the next polling GET, which takes them together.
func (r *eioReplay) out(pks ...engineio.Packet) error {
	r.mu.Lock()
	sock := r.sock
	if sock == nil {
		if r.over || r.aborted {
			r.mu.Unlock()
			return errEIOGone
		}
		r.queue = append(r.queue, pks...)
		for _, pk := range pks {
			r.queued += int64(len(pk.Data))
		}
		r.notify()
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.write(sock, pks)
}

// write writes packets on a WebSocket. r.writeMu is held.
func (r *eioReplay) write(sock *websocket.Conn, pks []engineio.Packet) error {
	for _, pk := range pks {
		typ := websocket.MessageText
		if pk.Binary {
			typ = websocket.MessageBinary
		}
		if err := sock.Write(r.rp.ioCtx, typ, pk.Data); err != nil {
			return err
		}
		r.srv.stats.sent.Add(1)
		r.srv.stats.sentBytes.Add(int64(len(pk.Data)))
	}
	return nil
}

// servePoll answers a polling GET with what is queued, holding it until
// something is: a packet, the "6" that lets an upgrade go on, the end.
func (r *eioReplay) servePoll(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.polling {
		r.mu.Unlock()
		r.log.Warn("two polling GETs at once: the second is refused, as Engine.IO does")
		eioError(w, eioBadRequest, false)
		return
	}
	r.polling = true
	var pks []engineio.Packet
	for pks == nil {
		switch {
		case len(r.queue) > 0:
			pks, r.queue, r.queued = r.queue, nil, 0
		case r.aborted:
			r.polling = false
			r.mu.Unlock()
			panic(http.ErrAbortHandler) // a drop: the connection is cut, no answer
		case r.over:
			pks = []engineio.Packet{{Data: []byte{engineio.Close}}}
			if r.closeQueued {
				r.closeQueued = false
				close(r.closeTaken)
			}
		case r.probed || r.sock != nil:
			pks = []engineio.Packet{{Data: []byte{engineio.Noop}}}
		default:
			wake := r.wake
			r.mu.Unlock()
			select {
			case <-wake:
			case <-req.Context().Done():
			}
			r.mu.Lock()
			if req.Context().Err() != nil {
				r.polling = false
				r.mu.Unlock()
				return
			}
		}
	}
	r.polling = false
	r.lastSeen = time.Now()
	r.mu.Unlock()
	body, ct := engineio.EncodePayload(r.version, pks, r.b64)
	w.Header().Set("Content-Type", ct)
	w.Write(body)
	r.srv.stats.sent.Add(int64(len(pks)))
	r.srv.stats.sentBytes.Add(int64(len(body)))
}

// servePost takes the packets of a polling POST.
func (r *eioReplay) servePost(w http.ResponseWriter, req *http.Request) {
	r.touch()
	// One POST at a time, as engine.io's polling transport allows ("data
	// request overlap from client": 400): concurrent bodies of one sid
	// cannot add up in memory.
	r.mu.Lock()
	overlap := r.posting
	r.posting = true
	r.mu.Unlock()
	if overlap {
		r.log.Warn("client's polling POST overlaps another: refused")
		http.Error(w, "data request overlap from client", http.StatusBadRequest)
		return
	}
	defer func() {
		r.mu.Lock()
		r.posting = false
		r.mu.Unlock()
	}()
	limit := r.postLimit()
	body, err := io.ReadAll(io.LimitReader(req.Body, limit+1))
	if err != nil {
		return
	}
	if int64(len(body)) > limit {
		// engine.io answers a body past maxHttpBufferSize with 413 and
		// takes none of it; so does the replay, past the maxPayload it
		// announced.
		r.log.Warn("client's polling POST is larger than the replay's maxPayload: refused", "max_payload", limit)
		http.Error(w, "Payload Too Large", http.StatusRequestEntityTooLarge)
		return
	}
	binary := req.Header.Get("Content-Type") == "application/octet-stream"
	// One packet at a time: a body of many tiny packets holds no more
	// than the body.
	for pk, err := range engineio.Packets(r.version, body, binary) {
		if err != nil {
			r.log.Warn("client's polling body is not an Engine.IO payload", "err", err)
			break
		}
		r.fromClient(pk)
	}
	// Engine.IO's servers say text/html; clients read only the body, and
	// a replay serves no HTML (sandbox.go).
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.Write([]byte("ok"))
}

// postLimit is the largest polling body the replay takes: the maxPayload
// its open packet announced (the recorded one), within the largest message.
func (r *eioReplay) postLimit() int64 {
	limit := r.srv.maxMessageSize()
	if mp := r.open.MaxPayload; mp > 0 && mp < limit {
		limit = mp
	}
	return limit
}

// fromClient handles a packet the client sent, on either transport.
func (r *eioReplay) fromClient(pk engineio.Packet) {
	r.touch()
	r.srv.stats.received.Add(1)
	if pk.Binary {
		r.play.fromClient(pk)
		return
	}
	if len(pk.Data) == 0 {
		return
	}
	switch pk.Data[0] {
	case engineio.Close:
		r.log.Info("client closed", "how", "close packet")
		r.rp.cancel()
	case engineio.Ping: // revision 3: the client pings, the server answers
		r.mu.Lock()
		quiet := r.quiet
		r.mu.Unlock()
		if !quiet {
			r.out(engineio.Packet{Data: append([]byte{engineio.Pong}, pk.Data[1:]...)})
		}
	case engineio.Message:
		r.play.fromClient(pk)
		now := time.Now()
		r.echo.live(protocol.Message{Dir: format.Send, Data: pk.Data}, came{at: now, held: r.ctl.heldFor(now)}) // nil-safe
	}
}

// serveUpgrade serves a WebSocket opened for an existing sid: the probe,
// then the upgrade, then the packets.
func (r *eioReplay) serveUpgrade(w http.ResponseWriter, req *http.Request) {
	conn, netConn := r.srv.upgrade(w, req, nil, r.log)
	if conn == nil {
		return
	}
	r.readSocket(conn, netConn)
}

// serveHandshakeSocket serves a client that began on the WebSocket: the
// open packet on it, then the replay.
func (r *eioReplay) serveHandshakeSocket(w http.ResponseWriter, req *http.Request) {
	conn, netConn := r.srv.upgrade(w, req, nil, r.log)
	if conn == nil {
		r.srv.eio.remove(r)
		r.del()
		return
	}
	r.mu.Lock()
	r.sock, r.sockNet = conn, netConn
	r.mu.Unlock()
	r.out(engineio.Packet{Data: engineio.OpenPacket(r.open)})
	if r.version == 3 {
		r.out(engineio.Packet{Data: []byte("40")})
	}
	go r.run()
	r.readSocket(conn, netConn)
}

// readSocket reads a WebSocket of the replay until it ends: the probe
// ("2probe", answered "3probe"), the upgrade ("5"), the client's packets.
// The end of the WebSocket that carries the session is the client leaving.
func (r *eioReplay) readSocket(conn *websocket.Conn, netConn net.Conn) {
	defer conn.CloseNow()
	for {
		typ, data, err := conn.Read(r.rp.ioCtx)
		if err != nil {
			r.mu.Lock()
			carrying := r.sock == conn
			r.mu.Unlock()
			if carrying {
				r.log.Info("client left", "how", "WebSocket closed", "code", int(websocket.CloseStatus(err)))
				r.rp.cancel()
			}
			return
		}
		text := typ == websocket.MessageText
		switch {
		case text && string(data) == "2probe":
			r.touch()
			r.writeMu.Lock()
			conn.Write(r.rp.ioCtx, websocket.MessageText, []byte("3probe"))
			r.writeMu.Unlock()
			r.mu.Lock()
			r.probed = true
			r.notify()
			r.mu.Unlock()
		case text && string(data) == "5":
			r.touch()
			r.upgrade(conn, netConn)
		default:
			r.fromClient(engineio.Packet{Data: data, Binary: !text})
		}
	}
}

// upgrade makes conn the session's transport: what was queued for polling
// goes on it first.
func (r *eioReplay) upgrade(conn *websocket.Conn, netConn net.Conn) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.mu.Lock()
	pks := r.queue
	r.queue, r.queued, r.sock, r.sockNet = nil, 0, conn, netConn
	r.notify()
	r.mu.Unlock()
	r.log.Info("upgraded", "transport", "websocket")
	r.write(conn, pks)
}

// run plays the session, keeps the pings going, and ends the replay the
// way the session or a fault ended it.
func (r *eioReplay) run() {
	defer r.del()
	defer r.srv.eio.remove(r)
	r.srv.stats.open.Add(1)
	defer r.srv.stats.open.Add(-1)
	done := make(chan struct{})
	r.heartbeat.Add(1)
	go r.beat(done)
	// No fine clock: its sub-millisecond waits cost a busy goroutine, and
	// a polling client sees packets a round trip late whatever the clock.
	// Live control as for a WebSocket replay; the pings go on while it is
	// paused, on their own clock.
	live := r.srv.control.open(r.sess, r.path, r.remote, r.accepted, r.ctl)
	end, err := r.player().play(r.rp.ctx, r.accepted)
	live.ended(endingName(end, err))
	if end.kind == endHang && err == nil {
		r.mu.Lock()
		r.quiet = true // no pings, no pongs
		r.mu.Unlock()
	}
	r.srv.finish(r.rp.ctx, r, r.log, end, err)
	r.lingerForClose()
	close(done)
	r.heartbeat.Wait()
}

// player returns the player of the replay's recorded packets: eioPlay
// picks and sends them, the echo holds ack answers for their emits.
func (r *eioReplay) player() *player {
	return &player{cfg: r.srv.timing(), session: r.sess, send: r.play.send, pick: r.play.pick, client: r.client, log: r.log,
		ctl: r.ctl, echo: r.echo}
}

// beat sends the pings of revision 4 every pingInterval, on the replay's
// own clock, and ends the replay when the client has given no sign of life
// for pingInterval + pingTimeout (a waiting GET is one).
func (r *eioReplay) beat(done <-chan struct{}) {
	defer r.heartbeat.Done()
	interval := time.Duration(r.open.PingInterval) * time.Millisecond
	limit := interval + time.Duration(r.open.PingTimeout)*time.Millisecond
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-r.rp.ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		quiet, silent := r.quiet, !r.polling && time.Since(r.lastSeen) > limit
		r.mu.Unlock()
		if silent && !quiet {
			r.log.Info("client left", "how", "no sign of life for pingInterval + pingTimeout")
			r.rp.cancel()
			return
		}
		if r.version >= 4 && !quiet {
			r.out(engineio.Packet{Data: []byte{engineio.Ping}})
		}
	}
}

// eioStyle are the Engine.IO replay's endings, for the log.
var eioStyle = endStyle{
	close:    "close frame on the WebSocket, or close packet to the next polling GET",
	drop:     "connection cut, no close",
	hang:     "connected, sending nothing more, no pings",
	open:     "pings go on",
	fail:     "connection cut, no close",
	shutdown: "close frame on the WebSocket, or close packet to the next polling GET",
}

func (r *eioReplay) style() *endStyle { return &eioStyle }

// closeWith ends the replay cleanly: a close frame on the WebSocket, or a
// close packet to the next polling GET (lingerForClose keeps the sid
// until a GET has taken it).
func (r *eioReplay) closeWith(code int, reason string) {
	r.mu.Lock()
	sock := r.sock
	r.over = true
	r.closeQueued = sock == nil
	r.notify()
	r.mu.Unlock()
	if sock != nil {
		if !sendableClose(code) {
			code, reason = int(websocket.StatusNormalClosure), ""
		}
		sock.Close(websocket.StatusCode(code), reason)
	}
}

// lingerForClose keeps the sid of a replay that ended with a close packet
// for polling until a GET has taken it, the client has left, or
// pingTimeout has passed: removed at once, the GET right after the last
// packet got "400 Session ID unknown", and the client never saw the
// server's close.
func (r *eioReplay) lingerForClose() {
	r.mu.Lock()
	queued := r.closeQueued
	r.mu.Unlock()
	if !queued {
		return
	}
	t := time.NewTimer(time.Duration(r.open.PingTimeout) * time.Millisecond)
	defer t.Stop()
	select {
	case <-r.closeTaken:
	case <-r.rp.ctx.Done():
	case <-t.C:
	}
}

// drop ends the replay as a dying server does: the WebSocket's TCP
// connection closed without a close frame, the waiting GET cut off.
func (r *eioReplay) drop() {
	r.mu.Lock()
	sock, netConn := r.sock, r.sockNet
	r.aborted = true
	r.notify()
	r.mu.Unlock()
	if sock != nil && netConn != nil {
		if ws.CloseWrite(netConn) {
			time.AfterFunc(2*time.Second, func() { sock.CloseNow() })
			return
		}
		sock.CloseNow()
	}
}

func (r *eioReplay) fail() { r.drop() }

// gone ends a replay whose client left (the WebSocket closed at once, a
// waiting GET answered with a close packet), or that Shutdown ends (a
// close with 1001).
func (r *eioReplay) gone(shutdown bool) {
	if shutdown {
		r.closeWith(int(websocket.StatusGoingAway), "server shutting down")
		return
	}
	r.mu.Lock()
	sock := r.sock
	r.over = true
	r.notify()
	r.mu.Unlock()
	if sock != nil {
		sock.CloseNow()
	}
}
