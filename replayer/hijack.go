package replayer

import (
	"bufio"
	"net"
	"net/http"
)

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
