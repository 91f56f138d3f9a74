package replayer

import (
	"net/url"

	"github.com/wsreplay/wsreplay/protocol"
)

// This file is where a replay meets the protocol seam (package protocol):
// which profile speaks for a session. What a replay then does with the
// profile's capabilities (replies that wait, ids that follow the client,
// live heartbeats) lives with the code that sends and reads messages.

// detector starts finding the protocol of a replay of sess whose client
// asked for u and got subprotocol: Server.Protocol when set, else the
// protocol the session line names, else what the profiles recognise of
// the session's opening and then of its first recorded messages (feed
// them with Detector.Message). The live request's path, query and
// subprotocol stand in for the recorded ones where the session has none.
func (s *Server) detector(sess *Session, u *url.URL, subprotocol string) *protocol.Detector {
	return s.Protocols.Detector(s.opening(sess, u, subprotocol))
}

// opening is the opening detector starts from: the session's, with
// Server.Protocol, and the live request's path, query and subprotocol
// where the session has none.
func (s *Server) opening(sess *Session, u *url.URL, subprotocol string) protocol.Opening {
	o := protocol.Opening{Protocol: sess.Protocol(), Kind: sess.Kind, Subprotocol: sess.Subprotocol, EngineIO: sess.EngineIO}
	if s.Protocol != "" {
		o.Protocol = s.Protocol
	}
	if rec, err := url.ParseRequestURI(sess.URL); err == nil && sess.URL != "" {
		o.URL = rec
	} else {
		o.URL = u
	}
	if o.Subprotocol == "" {
		o.Subprotocol = subprotocol
	}
	return o
}
