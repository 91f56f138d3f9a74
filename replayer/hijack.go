package replayer

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// upgrade accepts r's WebSocket, with the first of subprotocols the client
// offers (nil: none), reading messages up to the server's limit. It
// returns the connection and the network connection under it (for
// drops), or nil if the upgrade failed: websocket.Accept has answered r.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, subprotocols []string, log *slog.Logger) (*websocket.Conn, net.Conn) {
	tap := &hijackTap{ResponseWriter: w}
	conn, err := websocket.Accept(tap, r, &websocket.AcceptOptions{
		Subprotocols: subprotocols,
		// guard has checked the origin: pages on this machine
		// (localhost:5173 and the like) are the normal clients of a
		// replay server, on any port, which coder/websocket's
		// same-host rule would refuse.
		InsecureSkipVerify: true,
	})
	if err != nil {
		log.Warn("upgrade failed", "err", err)
		return nil, nil
	}
	conn.SetReadLimit(s.maxMessageSize())
	return conn, tap.conn
}

// hijackTap passes a ResponseWriter to websocket.Accept and keeps the
// connection it hijacks, so that a replay can end it the way a dying server
// does: a FIN without a close frame (see replayConn.drop).
type hijackTap struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackTap) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, rw, err
}

func (h *hijackTap) Unwrap() http.ResponseWriter { return h.ResponseWriter }
