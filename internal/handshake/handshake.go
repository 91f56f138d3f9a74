// Package handshake reads the parts of a WebSocket opening request (RFC
// 6455, section 4.2.1) that both the recording proxy and the replay server
// look at first: whether it asks for an upgrade at all, the tokens of its
// comma-separated headers, and the subprotocols it offers. The proxy makes
// the rest of both handshakes itself (recorder/handshake.go); the replay
// server leaves it to coder/websocket.
package handshake

import (
	"net/http"
	"strings"
)

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
