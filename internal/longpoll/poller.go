// Package longpoll holds what the recording proxy and the replay server share
// about HTTP long-polling (--poll): which paths are polled (Match), and how
// one poller is told from another (Key), so that the recorder's sessions
// and the replay server's replays are cut the same way.
package longpoll

import (
	"net"
	"net/http"
	"strings"
)

// Match returns the pattern of patterns that path matches, or "": a
// pattern ending in "*" is a prefix, any other the whole path.
func Match(patterns []string, path string) string {
	for _, pat := range patterns {
		if prefix, ok := strings.CutSuffix(pat, "*"); ok && strings.HasPrefix(path, prefix) || pat == path {
			return pat
		}
	}
	return ""
}

// Key tells pollers apart: the pattern polled, the client's address (the
// first X-Forwarded-For address when a load balancer or a dev server's
// proxy stands in front, else the connection's) and its User-Agent.
func Key(pattern string, r *http.Request) string {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		addr = strings.TrimSpace(first)
	}
	return pattern + "\x00" + addr + "\x00" + r.UserAgent()
}
