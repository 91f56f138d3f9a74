package replayer

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// errNoSession means no recorded session can serve a request.
var errNoSession = errors.New("no recorded session to play")

// choose picks the session for a connection to u: among the sessions
// allowed by Server.Sessions, those recorded with the same path and query,
// else the same path, else any; successive connections that land in the
// same group get its sessions in recording order, wrapping around. While the
// catalog is still indexing, it waits for a matching session to appear.
func (s *Server) choose(ctx context.Context, u *url.URL, kind format.Kind) (*Session, error) {
	for {
		all, done, changed := s.Catalog.snapshot()
		group, key := s.match(all, u, kind)
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

// match returns the sessions of kind a request to u may get, best group
// first, and a key naming the group for the round-robin counter.
func (s *Server) match(all []*Session, u *url.URL, kind format.Kind) ([]*Session, string) {
	var allowed []*Session
	for _, sess := range all {
		if sess.Kind == kind && (len(s.Sessions) == 0 || slices.Contains(s.Sessions, sess.ID)) {
			allowed = append(allowed, sess)
		}
	}
	uri := u.RequestURI()
	set := s.protocols()
	path := u.Path
	if ep := endpoint(set, u.Path); ep != "" {
		path = ep // SockJS's /echo/*/*/websocket: its parts differ on every connection
	}
	var exact, samePath []*Session
	for _, sess := range allowed {
		if sess.uri() == "" {
			continue
		}
		if sess.uri() == uri {
			exact = append(exact, sess)
		}
		if sess.path() == u.Path || path != u.Path && endpoint(set, sess.path()) == path {
			samePath = append(samePath, sess)
		}
	}
	prefix := ""
	if kind != format.KindWebSocket {
		prefix = kind.String() + " "
	}
	switch {
	case len(exact) > 0:
		return exact, prefix + "uri " + uri
	case len(samePath) > 0:
		return samePath, prefix + "path " + path
	}
	return allowed, prefix + "*"
}

// endpoint returns the endpoint a profile of set sees in path, whose
// parts a client makes afresh for every connection (protocol.Endpointer),
// or "".
func endpoint(set protocol.Set, path string) string {
	u := &url.URL{Path: path}
	for _, p := range set {
		if e, ok := p.(protocol.Endpointer); ok {
			if ep, ok := e.Endpoint(u); ok {
				return ep
			}
		}
	}
	return ""
}
