package replayer

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// errNoSession means no recorded session can serve a request.
var errNoSession = errors.New("no recorded session to play")

// choose picks the session for a connection to u: among the sessions
// allowed by Server.Sessions, those recorded with the same path and query,
// else the same path, else any; successive connections that land in the
// same group get its sessions in recording order, wrapping around. While the
// catalog is still indexing, it waits for a matching session to appear.
func (s *Server) choose(ctx context.Context, u *url.URL, socketIO bool) (*Session, error) {
	for {
		all, done, changed := s.Catalog.snapshot()
		group, key := s.match(all, u, socketIO)
		if len(group) > 0 && (done || !strings.HasSuffix(key, "*")) {
			s.mu.Lock()
			n := s.next[key]
			s.next[key] = n + 1
			s.mu.Unlock()
			return group[n%len(group)], nil
		}
		if done {
			return nil, errNoSession
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// match returns the sessions a request to u may get, best group first, and
// a key naming the group for the round-robin counter. An Engine.IO request
// (socketIO) gets Socket.IO sessions only, and a WebSocket any other.
func (s *Server) match(all []*Session, u *url.URL, socketIO bool) ([]*Session, string) {
	var allowed []*Session
	for _, sess := range all {
		if (sess.Kind == format.KindSocketIO) == socketIO && (len(s.Sessions) == 0 || slices.Contains(s.Sessions, sess.ID)) {
			allowed = append(allowed, sess)
		}
	}
	uri := u.RequestURI()
	var exact, samePath []*Session
	for _, sess := range allowed {
		if sess.uri == "" {
			continue
		}
		if sess.uri == uri {
			exact = append(exact, sess)
		}
		if sess.path == u.Path {
			samePath = append(samePath, sess)
		}
	}
	kind := ""
	if socketIO {
		kind = "socketio "
	}
	switch {
	case len(exact) > 0:
		return exact, kind + "uri " + uri
	case len(samePath) > 0:
		return samePath, kind + "path " + u.Path
	}
	return allowed, kind + "*"
}
