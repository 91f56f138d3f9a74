package replayer

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/internal/ws"
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
	path     string     // as the client asked for it
	remote   string
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
		if typ == websocket.MessageText {
			if pong, ok := c.heartbeat(data); ok {
				c.writeMu.Lock() // not in the middle of a batch
				err := c.conn.Write(c.ioCtx, websocket.MessageText, []byte(pong))
				c.writeMu.Unlock()
				if err != nil {
					return
				}
				continue
			}
		}
		c.log.Debug("client message", "size", len(data), "data", readable.Preview(data, 80))
		c.srv.stats.received.Add(1)
		c.ctl.clientMessage()
		if c.client != nil {
			c.client.add(data)
		}
	}
}

func (c *replayConn) heartbeat(data []byte) (string, bool) {
	for _, hb := range c.srv.Heartbeats {
		if string(data) == hb.Ping {
			return hb.Pong, true
		}
	}
	return "", false
}

// finish ends the connection the way the replay ended.
func (c *replayConn) finish(ctx context.Context, end ending, err error) {
	log := c.log
	if end.fault {
		log = log.With("fault", true)
	}
	switch {
	case err != nil:
		c.srv.stats.endedAs("failed")
		log.Error("replay failed", "err", err)
		c.conn.Close(websocket.StatusInternalError, "wsreplay: replay failed")
	case end.kind == endClose && !sendableClose(end.code):
		// Recorded by an older recorder, which took such a code for a
		// clean close. A browser fails a connection that sends one
		// (1006), which is what a drop gives it.
		log.Info("dropped", "how", "TCP connection closed without a close frame", "recorded_code", end.code,
			"why", "the recorded close code may not be sent (RFC 6455, section 7.4)")
		c.drop()
	case end.kind == endClose:
		c.srv.stats.endedAs("close")
		log.Info("closed", "code", end.code, "reason", end.reason)
		c.conn.Close(websocket.StatusCode(end.code), end.reason)
	case end.kind == endDrop:
		c.srv.stats.endedAs("drop")
		log.Info("dropped", "how", "TCP connection closed without a close frame")
		c.drop()
	case end.kind == endHang:
		log.Info("hanging", "how", "connected, sending nothing more")
		<-ctx.Done()
		c.closeGone()
	default: // endOpen or endClientGone: the context ends when the client leaves
		if end.kind == endOpen {
			log.Info("session over, staying open until the client leaves")
		}
		<-ctx.Done()
		c.closeGone()
	}
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

// closeGone ends a connection whose context is done: the client left, or
// the server is shutting down.
func (c *replayConn) closeGone() {
	c.srv.mu.Lock()
	shutdown := c.srv.shutdown
	c.srv.mu.Unlock()
	if shutdown {
		c.srv.stats.endedAs("shutdown")
		c.log.Info("closed", "code", 1001, "reason", "server shutting down")
		c.conn.Close(websocket.StatusGoingAway, "server shutting down")
		return
	}
	c.srv.stats.endedAs("client_left")
	c.log.Info("client left")
	c.conn.CloseNow()
}
