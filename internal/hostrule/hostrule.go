// Package hostrule is the Host rule of wsreplay's listeners that serve a
// browser or a scraper (the replay server, the admin endpoints): which
// names a request may give in its Host header. A web page that gets its
// own DNS name to resolve to 127.0.0.1 (DNS rebinding) sends that name, and
// is refused; these are the checks Vite (CVE-2025-24010) and
// webpack-dev-server (CVE-2025-30359) added.
package hostrule

import (
	"net"
	"strings"
)

// Allowed reports whether a request whose Host is hostport may be
// answered: no Host, an IP literal (rebinding needs a DNS name, and a
// machine reaching the listener by address, a phone on the LAN or a
// Kubernetes probe, must keep working), localhost, *.localhost (RFC 6761
// keeps them on this machine), or a name in allow (compared without case
// and without a final dot).
func Allowed(hostport string, allow []string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" || net.ParseIP(host) != nil || IsLocalhost(host) {
		return true
	}
	for _, h := range allow {
		if strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return true
		}
	}
	return false
}

// IsLocalhost reports whether host (lower case, no port) is localhost or a
// name under it.
func IsLocalhost(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// Only returns the host of hostport, without its port.
func Only(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
