package recorder

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/internal/ws"
)

// The opening handshakes, both done here rather than by a WebSocket
// library, so that the proxy holds the raw connections and can relay
// frames as they come (see frame.go). Proxy.open (session.go) calls them in
// the order they are written: check the client's request, build the
// upstream request (URL, forwarded headers), dial and make the upstream
// handshake, then accept the client with the upstream's answer.

// checkClientHandshake reports what makes r an invalid WebSocket opening
// request, as an HTTP status and message, or 0 if it is valid.
func checkClientHandshake(r *http.Request) (int, string) {
	switch {
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "a WebSocket handshake must be a GET request"
	case !r.ProtoAtLeast(1, 1) || r.ProtoMajor != 1:
		return http.StatusBadRequest, "a WebSocket handshake needs HTTP/1.1"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return http.StatusUpgradeRequired, "unsupported Sec-WebSocket-Version (want 13)"
	}
	if key, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-WebSocket-Key")); err != nil || len(key) != 16 {
		return http.StatusBadRequest, "missing or invalid Sec-WebSocket-Key"
	}
	return 0, ""
}

// upstreamURL joins the request's path and query to the upstream base. The
// path goes as the client wrote it: an encoded slash (a%2Fb) stays encoded.
func (p *Proxy) upstreamURL(r *http.Request) *url.URL {
	u := *p.Upstream
	base := strings.TrimSuffix(u.EscapedPath(), "/") // before Path changes
	u.Path = strings.TrimSuffix(u.Path, "/") + r.URL.Path
	u.RawPath = base + r.URL.EscapedPath()
	u.RawQuery = r.URL.RawQuery
	return &u
}

// hopHeaders are not forwarded: they belong to one connection, or to the
// WebSocket handshake that the proxy makes itself.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Host"}

// forwardHeaders returns the client's request headers as sent upstream.
func forwardHeaders(r *http.Request) http.Header {
	h := r.Header.Clone()
	for _, c := range r.Header.Values("Connection") {
		for _, name := range strings.Split(c, ",") {
			h.Del(strings.TrimSpace(name))
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
	// Proxy-Authorization is for this proxy, never for the backend.
	h.Del("Proxy-Authorization")
	for name := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(name), "Sec-Websocket-") {
			delete(h, name)
		}
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := h.Values("X-Forwarded-For"); len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		h.Set("X-Forwarded-For", ip)
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	h.Set("X-Forwarded-Proto", proto)
	h.Set("X-Forwarded-Host", r.Host)
	return h
}

// dialUpstream opens the upstream connection and makes the WebSocket
// handshake on it, offering protos. It returns the upstream's response.
func (p *Proxy) dialUpstream(ctx context.Context, u *url.URL, header http.Header, protos []string) (*leg, *http.Response, error) {
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "wss" || u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, nil, dialFailure(err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	if u.Scheme == "wss" || u.Scheme == "https" {
		cfg := &tls.Config{}
		if p.TLSConfig != nil {
			cfg = p.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, dialFailure(err)
		}
		conn = tc
	}
	l, resp, err := upstreamHandshake(conn, u, header, protos)
	if err != nil {
		conn.Close()
		return nil, resp, err
	}
	conn.SetDeadline(time.Time{})
	return l, resp, nil
}

// upstreamHandshake sends the opening request on conn and checks the answer.
func upstreamHandshake(conn net.Conn, u *url.URL, header http.Header, protos []string) (*leg, *http.Response, error) {
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	hu := *u
	hu.Scheme = httpScheme(u.Scheme)
	req := &http.Request{Method: http.MethodGet, URL: &hu, Host: u.Host, Header: header.Clone(),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", key)
	req.Header.Set("Sec-WebSocket-Version", "13")
	if len(protos) > 0 {
		req.Header.Set("Sec-WebSocket-Protocol", strings.Join(protos, ", "))
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header.Set("User-Agent", "") // no Go default: the client sent none
	}
	bw := bufio.NewWriterSize(conn, 2048)
	if err := req.Write(bw); err != nil {
		return nil, nil, dialFailure(err)
	}
	if err := bw.Flush(); err != nil {
		return nil, nil, dialFailure(err)
	}
	// The answer's headers are read through a limit, as net/http's
	// Transport does (MaxResponseHeaderBytes): an upstream sending
	// headers without end must not grow the proxy's memory.
	lr := &io.LimitedReader{R: conn, N: maxResponseHeaderBytes}
	br := bufio.NewReaderSize(lr, 4096)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if lr.N == 0 {
			return nil, nil, &upstreamError{http.StatusBadGateway,
				fmt.Sprintf("upstream's handshake answer has more than %d bytes of headers", maxResponseHeaderBytes), err}
		}
		return nil, nil, dialFailure(err)
	}
	resp.Body.Close() // a 101 has no body; any other answer's is not passed on
	if resp.StatusCode != http.StatusSwitchingProtocols {
		status := resp.StatusCode
		if status < 400 {
			status = http.StatusBadGateway
		}
		return nil, resp, &upstreamError{status, "upstream refused the WebSocket upgrade: " + resp.Status, nil}
	}
	bad := func(what string) (*leg, *http.Response, error) {
		return nil, resp, &upstreamError{http.StatusBadGateway, "upstream answered with " + what, nil}
	}
	switch sp := resp.Header.Get("Sec-WebSocket-Protocol"); {
	case !ws.HasToken(resp.Header, "Upgrade", "websocket") || !ws.HasToken(resp.Header, "Connection", "upgrade"):
		return bad("a 101 that is not a WebSocket upgrade")
	case resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key):
		return bad("a wrong Sec-WebSocket-Accept")
	case sp != "" && !slices.Contains(protos, sp):
		return bad(fmt.Sprintf("subprotocol %q, which the client did not offer", sp))
	case resp.Header.Get("Sec-WebSocket-Extensions") != "":
		return bad("an extension the proxy did not offer")
	}
	return newLeg(conn, br, true), resp, nil
}

// maxResponseHeaderBytes bounds the upstream's answer to the opening
// handshake, status line and headers (and frames sent with them): net/http's
// Transport caps it too, nginx by default at 4 or 8 KiB. It keeps the session
// line within format.MaxLineOverhead.
const maxResponseHeaderBytes = 256 << 10

// upstreamError is a failed upstream handshake, with the HTTP status the
// client gets for it and msg, what the client is told: never an address.
type upstreamError struct {
	status int
	msg    string
	err    error
}

func (e *upstreamError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}
func (e *upstreamError) Unwrap() error { return e.err }

// dialFailure classifies an error before the upstream's answer: too slow is
// 504, anything else 502.
func dialFailure(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &upstreamError{http.StatusGatewayTimeout, "upstream did not complete the WebSocket handshake in time", err}
	}
	return &upstreamError{http.StatusBadGateway, "upstream unreachable", err}
}

// acceptClient hijacks the client's connection and completes its
// handshake with the upstream's choice of subprotocol.
func acceptClient(w http.ResponseWriter, r *http.Request, subprotocol string) (*leg, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, errors.New("the HTTP server cannot hand over the connection (no http.Hijacker)")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Time{}) // the server's own timeouts end with HTTP
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + acceptKey(r.Header.Get("Sec-WebSocket-Key")) + "\r\n"
	if subprotocol != "" {
		resp += "Sec-WebSocket-Protocol: " + subprotocol + "\r\n"
	}
	if _, err := conn.Write([]byte(resp + "\r\n")); err != nil {
		conn.Close()
		return nil, err
	}
	return newLeg(conn, brw.Reader, false), nil
}

// acceptKey is the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}
