package replayer

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/internal/ws"
	"github.com/wsreplay/wsreplay/protocol"
)

// replayConn is one client connection being played to.
type replayConn struct {
	srv      *Server
	conn     *websocket.Conn
	netConn  net.Conn        // under conn, for drops
	accepted time.Time       // when the replay's timeline starts
	readDone chan struct{}   // closed when pumpFromClient has returned
	ioCtx    context.Context // for every read and write
	log      *slog.Logger
	client   *clientLog
	batch    frameBatch // frames of messages due together; the player's goroutine only
	writeMu  sync.Mutex // held by a write of frames, and of a heartbeat answer
	ctl      *control   // live control, told of the client's messages
	beats    *liveBeats // the live heartbeats: answers, beats, what is left out
	echo     *echo      // the ids replies echo (echo.go); nil: none
	// framer is the session's profile when it is a protocol.Framer, known
	// at the accept; cut then cuts the client's messages (framing.go),
	// pumpFromClient's alone. Nil: a message is one of its protocol.
	framer protocol.Framer
	cut    *cutter
	// profile is the session's profile when known at the accept; nil:
	// echo finds it from the first messages, if it has one.
	profile protocol.Profile
	// Whether the recorded server messages end inside a protocol message
	// (framing.go): as of the next message sent (nextOpen, set by the
	// player), of those batched (batchOpen; both the player's), and of
	// those written (wireOpen, under writeMu), while which the heartbeats
	// wait in deferred (heartbeat.go).
	nextOpen, batchOpen, wireOpen bool
	deferred                      []protocol.Message
	path                          string // as the client asked for it
	remote                        string
}

// serveWebSocket accepts a WebSocket connection and replays a session to
// it: it admits the request and chooses its session (startReplay), accepts the
// upgrade and serves the replay.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.RequestURI())
	rp, del, sess := s.startReplay(w, r, log, format.KindWebSocket)
	if rp == nil {
		return
	}
	defer del()
	c := s.accept(w, r, rp, sess, log)
	if c == nil {
		return
	}
	s.serve(c, rp, sess)
}

// accept upgrades the request to a WebSocket, with a subprotocol the
// session allows, and returns the connection to play to, or nil if the
// upgrade failed (websocket.Accept has answered the request).
func (s *Server) accept(w http.ResponseWriter, r *http.Request, rp *replayLife, sess *Session, log *slog.Logger) *replayConn {
	conn, netConn := s.upgrade(w, r, subprotocolsFor(sess.Subprotocol, ws.Subprotocols(r)), log)
	if conn == nil {
		return nil
	}
	accepted := time.Now()
	log = log.With("session", sess.ID)
	logConnected(log, r, sess, conn.Subprotocol(), s.protocols())
	c := &replayConn{srv: s, conn: conn, netConn: netConn, accepted: accepted, readDone: make(chan struct{}),
		ioCtx: rp.ioCtx, log: log, path: r.URL.Path, remote: r.RemoteAddr}
	if s.Wait {
		c.client = newClientLog() // what --wait needs; nothing is kept without it
	}
	c.beats = s.liveBeats(sess, r.URL, conn.Subprotocol())
	det := s.detector(sess, r.URL, conn.Subprotocol())
	if f, ok := det.Profile().(protocol.Framer); ok {
		c.framer, c.cut = f, &cutter{sp: f.NewSplitter()}
	}
	c.echo = newEcho(det, s.Wait)
	c.profile = det.Profile()
	return c
}

// serve plays sess to c while pumpFromClient reads the client's messages,
// and ends the connection the way the replay ended.
func (s *Server) serve(c *replayConn, rp *replayLife, sess *Session) {
	s.stats.open.Add(1)
	defer s.stats.open.Add(-1)
	// The control first: the client's reader tells it of every message.
	ctl := s.newControl(rp, sess)
	ctl.shape = c.injection
	c.ctl = ctl
	live := s.control.open(sess, c.path, c.remote, c.accepted, ctl)
	go func() {
		defer close(c.readDone)
		c.pumpFromClient(rp.cancel)
	}()
	stopBeats := c.beatLive(rp.ctx)
	p := &player{cfg: s.timing(), session: sess, send: c.send, flush: c.flush, client: c.client, log: c.log, fine: &s.fine, ctl: ctl,
		beats: c.beats, echo: c.echo, framer: c.framer, endsOpen: func(open bool) { c.nextOpen = open }}
	end, err := p.play(rp.ctx, c.accepted)
	live.ended(endingName(end, err))
	stopBeatsAt(end, err, stopBeats)
	s.finish(rp.ctx, c, c.log, end, err)
	stopBeats()
	<-c.readDone
	c.conn.CloseNow() // after a read error coder/websocket leaves the socket open
}

// send writes a recorded message to the client, the player's sender: its
// frame waits with those of the other messages due now, and goes with them
// (see flush).
func (c *replayConn) send(_ context.Context, e *format.Event) error {
	if err := c.add(e); err != nil {
		return err
	}
	c.srv.stats.sent.Add(1)
	c.srv.stats.sentBytes.Add(int64(len(e.Data)))
	return nil
}

// pumpFromClient reads the client's messages, so that pings are answered
// and closes seen, answers heartbeats, and logs the rest. It cancels the
// replay's context when the client is gone.
func (c *replayConn) pumpFromClient(cancel context.CancelFunc) {
	defer cancel()
	for {
		typ, data, err := c.conn.Read(c.ioCtx)
		if err != nil {
			if st := websocket.CloseStatus(err); st != -1 {
				c.log.Info("client closed", "code", int(st))
			}
			return
		}
		parts := []protocol.Message{{Dir: format.Send, Binary: typ == websocket.MessageBinary, Data: data}}
		if c.cut != nil {
			parts, _ = c.cut.cut(parts[0])
		}
		replies, rest, beat := c.beats.fromClient(parts)
		for _, reply := range replies {
			if c.writeBeat(reply) != nil {
				return
			}
		}
		if beat {
			continue
		}
		c.log.Debug("client message", "size", len(data), "data", readable.Preview(data, 80))
		c.srv.stats.received.Add(1)
		c.ctl.clientMessage()
		if c.client != nil {
			c.client.add(data)
		}
		if c.echo != nil {
			at := c.arrival()
			for _, m := range rest {
				c.echo.live(m, at)
			}
		}
	}
}

// arrival is the time of a client message that comes now.
func (c *replayConn) arrival() came {
	now := time.Now()
	return came{at: now, held: c.ctl.heldFor(now)}
}

// wsStyle are the WebSocket replay's endings, for the log.
var wsStyle = endStyle{
	close:    "close frame",
	drop:     "TCP connection closed without a close frame",
	hang:     "connected, sending nothing more",
	fail:     "close frame 1011",
	shutdown: "close frame",
	// A browser fails a connection that sends such a code: the drop
	// says so honestly.
	dropUnsendable: true,
}

func (c *replayConn) style() *endStyle { return &wsStyle }

// closeWith sends a close frame with code and reason.
func (c *replayConn) closeWith(code int, reason string) {
	c.conn.Close(websocket.StatusCode(code), reason)
}

func (c *replayConn) fail() {
	c.conn.Close(websocket.StatusInternalError, "wsreplay: replay failed")
}

// sendableClose reports whether a recorded close code can be sent: one
// allowed on the wire, or 1005 (no code), which goes as a close frame
// without one.
func sendableClose(code int) bool { return code == 1005 || format.WireCode(code) }

// drop ends the connection without a close frame, as a server that dies
// does: browsers report 1006. It half-closes (FIN) and lets the client
// close its side, rather than closing at once: closing a socket with unread
// input sends a reset, which can destroy messages the client has not read
// yet.
func (c *replayConn) drop() {
	if ws.CloseWrite(c.netConn) {
		select {
		case <-c.readDone:
		case <-time.After(2 * time.Second):
		}
	}
	c.conn.CloseNow()
}

// gone ends a connection whose context is done: with 1001 when the
// server is shutting down; at once when the client left.
func (c *replayConn) gone(shutdown bool) {
	if shutdown {
		c.conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	c.conn.CloseNow()
}
