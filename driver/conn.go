package driver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/secret"
	"github.com/wsreplay/wsreplay/protocol"
)

// conn is a run's connection to the target over one transport. read is
// called from one goroutine, send and close from another.
type conn interface {
	// send writes one client message: m is what to send, recorded the
	// line it was recorded as (an HTTP request's method and headers).
	send(ctx context.Context, m protocol.Message, recorded *format.Event) error
	// read returns the server's next message; at the end, an *ending.
	read(ctx context.Context) (received, error)
	// close ends the connection as the client does: a close frame with
	// code and reason, or, when clean is false, a drop.
	close(code int, reason string, clean bool) error
	// subprotocol is what the server chose.
	subprotocol() string
}

// received is a server message and what carried it.
type received struct {
	protocol.Message
	transport string       // Engine.IO: "polling" or "websocket"
	sse       *format.SSE  // an event stream's event fields
	http      *format.HTTP // a poll's response
	end       *ending      // a poll's request failed: the end
}

// ending is how a connection ended, as a read returns it.
type ending struct {
	by     string
	code   int
	reason string
	clean  bool
}

func (e *ending) Error() string {
	if !e.clean {
		return "connection dropped"
	}
	return fmt.Sprintf("closed by %s with %d %q", e.by, e.code, e.reason)
}

// readLimit is the largest message a run reads: the recorder's.
const readLimit = format.MaxMessageSize

// hopHeaders are never sent from a recording: they belong to the
// recorded connection, or to the handshake the dialer makes itself.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "X-Forwarded-For",
	"X-Forwarded-Proto", "X-Forwarded-Host", "Accept-Encoding"}

// requestHeader returns the headers a run sends: the recorded ones less
// hop-by-hop, Sec-WebSocket-* and redacted values, then extra's values
// in place of the recorded ones.
func requestHeader(recorded map[string][]string, extra http.Header) http.Header {
	h := http.Header{}
	for name, vs := range recorded {
		name = http.CanonicalHeaderKey(name)
		if strings.HasPrefix(name, "Sec-Websocket-") {
			continue
		}
		for _, v := range vs {
			if !strings.Contains(v, secret.Redacted) {
				h.Add(name, v)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
	for name, vs := range extra {
		h[http.CanonicalHeaderKey(name)] = vs
	}
	return h
}

// recordedHeader is what a run's recording says it sent: the recorded
// headers (redacted as they were), extra's names with their values
// redacted.
func recordedHeader(recorded map[string][]string, extra http.Header) map[string][]string {
	h := map[string][]string{}
	for name, vs := range recorded {
		h[name] = vs
	}
	for name := range extra {
		h[http.CanonicalHeaderKey(name)] = []string{secret.Redacted}
	}
	return h
}

// targetURL is the target with the recorded path and query: the
// target's path, if any, is a prefix, as record's --upstream is.
func targetURL(target *url.URL, recorded string) (*url.URL, error) {
	r, err := url.ParseRequestURI(recorded)
	if err != nil {
		return nil, err
	}
	u := *target
	u.Path = strings.TrimSuffix(u.Path, "/") + r.Path
	u.RawPath = ""
	q := r.Query()
	for k, vs := range q {
		for _, v := range vs {
			if strings.Contains(v, secret.Redacted) {
				q.Del(k) // a credential the recording hid: the target gets none
			}
		}
	}
	u.RawQuery = q.Encode()
	return &u, nil
}

// wsConn is a plain WebSocket.
type wsConn struct {
	c *websocket.Conn
}

func dialWebSocket(ctx context.Context, u *url.URL, h http.Header, proto string, client *http.Client) (*wsConn, error) {
	opts := &websocket.DialOptions{HTTPHeader: h, HTTPClient: client}
	if proto != "" {
		opts.Subprotocols = []string{proto}
	}
	c, resp, err := websocket.Dial(ctx, wsScheme(u).String(), opts)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: HTTP %d", wsScheme(u).Redacted(), resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", wsScheme(u).Redacted(), err)
	}
	c.SetReadLimit(readLimit)
	return &wsConn{c: c}, nil
}

// wsScheme returns a copy of u with an http(s) scheme made ws(s).
func wsScheme(u *url.URL) *url.URL { return withScheme(u, "http", "ws") }

// httpScheme returns a copy of u with a ws(s) scheme made http(s).
func httpScheme(u *url.URL) *url.URL { return withScheme(u, "ws", "http") }

// withScheme returns a copy of u whose scheme from is made to, and from+"s"
// to+"s" (the secure one stays secure); any other scheme is kept.
func withScheme(u *url.URL, from, to string) *url.URL {
	v := *u
	switch v.Scheme {
	case from:
		v.Scheme = to
	case from + "s":
		v.Scheme = to + "s"
	}
	return &v
}

func (w *wsConn) subprotocol() string { return w.c.Subprotocol() }

func (w *wsConn) send(ctx context.Context, m protocol.Message, _ *format.Event) error {
	typ := websocket.MessageText
	if m.Binary {
		typ = websocket.MessageBinary
	}
	return w.c.Write(ctx, typ, m.Data)
}

func (w *wsConn) read(ctx context.Context) (received, error) {
	typ, data, err := w.c.Read(ctx)
	if err != nil {
		return received{}, endingOf(err)
	}
	return received{Message: protocol.Message{Dir: format.Receive, Binary: typ == websocket.MessageBinary, Data: data}}, nil
}

func (w *wsConn) close(code int, reason string, clean bool) error {
	if !clean {
		return w.c.CloseNow()
	}
	return w.c.Close(websocket.StatusCode(code), reason)
}

// endingOf reads a read's error as how the connection ended.
func endingOf(err error) *ending {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &ending{by: format.ByServer, code: int(ce.Code), reason: ce.Reason, clean: true}
	}
	return &ending{by: format.ByServer, code: format.CodeAbnormal, clean: false}
}
