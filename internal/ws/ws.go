// Package ws holds what the recording proxy and the replay server share
// about WebSocket connections (RFC 6455): reading an opening request
// (whether it asks for an upgrade, the tokens of its comma-separated
// headers, the subprotocols it offers), the default limit on a message's
// size, and the half-close with which a dying server ends a connection
// without a close frame. The proxy makes the rest of both handshakes itself
// (recorder/handshake.go); the replay server leaves it to coder/websocket.
package ws

import (
	"net"
	"net/http"
	"strings"
)

// DefaultMaxMessageSize is the largest message the proxy relays and the
// replay server reads when their options say nothing: far above
// coder/websocket's 32 KiB default, which real applications exceed, and
// within what a recording line holds (format.MaxMessageSize).
const DefaultMaxMessageSize = 64 << 20

// CloseWrite ends the sending half of c (a TCP FIN): the peer reads what was
// sent, then the end, and no close frame; a browser reports 1006. It
// reports false if c cannot half-close (the caller then closes it whole).
func CloseWrite(c net.Conn) bool {
	cw, ok := c.(interface{ CloseWrite() error })
	return ok && cw.CloseWrite() == nil
}

// IsUpgrade reports whether r asks to open a WebSocket.
func IsUpgrade(r *http.Request) bool {
	return HasToken(r.Header, "Connection", "upgrade") && HasToken(r.Header, "Upgrade", "websocket")
}

// HasToken reports whether a comma-separated header holds token, in any case.
func HasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Subprotocols returns the subprotocols the client offers, in its order.
func Subprotocols(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}
