package replayer

import (
	"net/url"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// connectTo is what the session list tells a developer to give their
// client for sess, on a server reached at host: the URL a client library
// is configured with, not the internal request of one transport (a
// Socket.IO session was recorded as /socket.io/?EIO=4&transport=polling&t=…,
// but io() takes the server's base URL, and a path option when it is not
// the default one). secure says the page was reached over TLS.
func connectTo(sess *Session, host string, secure bool) string {
	ws, web := "ws://", "http://"
	if secure {
		ws, web = "wss://", "https://"
	}
	u, err := url.Parse(sess.URL)
	if sess.URL == "" || err != nil {
		return ws + host + "/"
	}
	switch {
	case sess.Kind == format.KindSocketIO:
		if u.Path == "" || u.Path == "/socket.io/" {
			return web + host
		}
		return web + host + " (path: " + u.Path + ")"
	case sess.Kind == format.KindSockJS || sess.Protocol() == "sockjs":
		return web + host + sockJSBase(u.Path)
	case sess.Protocol() == "signalr":
		return web + host + strings.TrimSuffix(u.Path, "/negotiate")
	case sess.Kind == format.KindSSE || sess.Kind == format.KindPoll:
		return web + host + u.RequestURI()
	}
	return ws + host + u.RequestURI()
}

// sockJSBase is the base URL path a SockJS client is given, of a path of
// its endpoint: <base>/info, or <base>/<server>/<session>/<transport>.
func sockJSBase(path string) string {
	if base, ok := strings.CutSuffix(path, "/info"); ok {
		return base
	}
	parts := strings.Split(path, "/")
	if len(parts) >= 4 {
		return strings.Join(parts[:len(parts)-3], "/")
	}
	return path
}
