package replayer

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/ws"
)

// This file holds the transports a SockJS replay (sockjs.go) is served
// over: its WebSocket, and its HTTP ones, xhr_streaming (a long response,
// one frame a line), xhr (one poll, the frames waiting, one a line) and
// xhr_send (the client's messages).

// sjAnotherOpen is the frame a second receiving request of a session gets
// while one is attached (sockjs-protocol 0.3).
const sjAnotherOpen = `c[2010,"Another connection still open"]`

// maxSockJSSend bounds the body of an xhr_send that is read.
const maxSockJSSend = 16 << 20

// serveSockJS serves a request of a SockJS session's transport.
func (s *Server) serveSockJS(w http.ResponseWriter, r *http.Request) {
	_, transport, ok := sockJSKey(r)
	log := s.logger().With("remote", r.RemoteAddr, "path", r.URL.RequestURI(), "kind", "sockjs")
	if !ok {
		s.serveSockJSRaw(w, r, log)
		return
	}
	if transport == "websocket" {
		s.serveSockJSSocket(w, r, log)
		return
	}
	if preflight(w, r) {
		return
	}
	allowCORS(w, r, nil)
	x := s.sockJSReplay(w, r, log)
	if x == nil {
		return
	}
	switch transport {
	case "xhr_send":
		x.serveSend(w, r)
	case "xhr_streaming":
		x.serveFrames(w, r, true)
	default:
		x.serveFrames(w, r, false)
	}
}

// serveSend reads the client's messages: 204, or 500 for a body that is
// not a JSON array of strings, as sockjs-node answers.
func (x *sjReplay) serveSend(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSockJSSend))
	if err != nil {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if len(body) == 0 {
		http.Error(w, "Payload expected.", http.StatusInternalServerError)
		return
	}
	if !x.clientSent(body) {
		http.Error(w, "Broken JSON encoding.", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// serveFrames writes the frames waiting, one a line: an xhr poll ends
// after the first batch; an xhr_streaming response, after its prelude
// (2048 "h" and a newline, so that a browser hands over the response as
// it comes), goes on until the replay ends or the client leaves.
func (x *sjReplay) serveFrames(w http.ResponseWriter, r *http.Request, stream bool) {
	w.Header().Set("Content-Type", "application/javascript; charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store, no-cache, no-transform, must-revalidate, max-age=0")
	if !x.attach(false) {
		io.WriteString(w, sjAnotherOpen+"\n")
		return
	}
	defer x.detach()
	rc := http.NewResponseController(w)
	if stream {
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, strings.Repeat("h", 2048)+"\n")
		rc.Flush()
	}
	for {
		frames, closed, dropped := x.take(r.Context())
		if dropped {
			panic(http.ErrAbortHandler) // a drop: the client sees its request fail
		}
		var b strings.Builder
		for _, f := range frames {
			b.WriteString(f + "\n")
		}
		if closed != "" {
			b.WriteString(closed + "\n")
		}
		if _, err := io.WriteString(w, b.String()); err != nil || rc.Flush() != nil {
			return
		}
		if !stream || closed != "" || r.Context().Err() != nil {
			return
		}
	}
}

// serveSockJSSocket serves the session over its WebSocket: a frame a
// message each way.
func (s *Server) serveSockJSSocket(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	x := s.sockJSReplay(w, r, log)
	if x == nil {
		return
	}
	attached := x.attach(true)
	conn, netConn := s.upgrade(w, r, nil, log)
	if conn == nil {
		if attached {
			x.detach()
		}
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !attached {
		conn.Write(ctx, websocket.MessageText, []byte(sjAnotherOpen))
		conn.Close(websocket.StatusNormalClosure, "")
		return
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer cancel() // the writer stops too
		x.pumpFromSocket(ctx, conn)
	}()
	defer func() { <-readDone }()
	for {
		frames, closed, dropped := x.take(ctx)
		for _, f := range frames {
			if conn.Write(ctx, websocket.MessageText, []byte(f)) != nil {
				return
			}
		}
		switch {
		case dropped:
			ws.CloseWrite(netConn)
			conn.CloseNow()
			return
		case closed != "":
			conn.Write(ctx, websocket.MessageText, []byte(closed))
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case ctx.Err() != nil:
			conn.CloseNow()
			return
		}
	}
}

// pumpFromSocket reads the client's frames until the WebSocket ends,
// which ends the replay (and ctx: the writer stops).
func (x *sjReplay) pumpFromSocket(ctx context.Context, conn *websocket.Conn) {
	defer x.rp.cancel()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageText && len(data) > 0 {
			x.clientSent(data)
		}
	}
}

// serveSockJSRaw plays a SockJS session on the raw WebSocket endpoint,
// <base>/websocket, which carries the application's messages unframed, as
// a WebSocket replay of its messages: its recorded close code (3000) is
// the close frame's, as sockjs-node closes it.
func (s *Server) serveSockJSRaw(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	rp, del, sess := s.startReplay(w, r, log, format.KindSockJS)
	if rp == nil {
		return
	}
	defer del()
	if c := s.accept(w, r, rp, sess, log); c != nil {
		s.serve(c, rp, sess)
	}
}
