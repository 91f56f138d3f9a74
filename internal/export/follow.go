package export

import (
	"encoding/base64"
	"fmt"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// A replay is a conversation (as "wsreplay serve" makes it, replayer/echo.go):
// a recorded reply waits for the live client's request, and carries the
// ids the live client chose. A module has no protocol profile at run time,
// so Follow reads the session through its profile at export time and
// writes down, on each message, what the module's player needs: where a
// request's ids are and which of its values make a live message the same
// request (Request), and where a reply carries which request's ids
// (Echoes). Only JSON messages can be so described; MQTT's binary packets
// and STOMP's or SignalR's framed text keep the recorded clock and ids.

// Request is what the module's player knows of a recorded client request.
// The k-th live message that has the values of the recorded request at
// Same (and its ids at IDs) is the counterpart of the k-th recorded
// request of that kind.
type Request struct {
	// IDs are the places of the ids the request chose, in the Echoer's
	// order; nil where an id was not found (its replies are not held for
	// it).
	IDs []Path
	// Same are the places whose values make the same request.
	Same []Path
	// Has are the members a live message must have (whatever their
	// value) to be the same request, besides those of Same and IDs.
	Has []Path
}

// Echo is an id a recorded reply carries: at Path, the ID-th id of the
// request that is message Request of the session.
type Echo struct {
	Path    Path
	Request int // index in Session.Messages
	ID      int // index in that message's Request.IDs
}

// Following says how the module follows the client's ids.
type Following struct {
	// Protocol is the profile's name; "" when none was found.
	Protocol string
	// Generic: no profile, and the generic rule found the ids (its
	// replies are held at most genericHold).
	Generic bool
	// Replies and Requests count the messages annotated.
	Replies, Requests int
	// NotJSON: the protocol's requests are not JSON, and nothing is
	// followed.
	NotJSON bool
}

// genericHold is how long past its recorded time a reply of the generic
// rule is held, as the replay server holds it: the rule guesses, and a
// wrong guess must not stall the module.
const genericHold = 5000 // ms

// Follow finds the session's protocol as cat does (set; nil: the built-in
// profiles), and annotates its messages with Request and Echoes. A
// session whose protocol has no Echoer, or whose messages are not JSON, is
// left as it is.
func (s *Session) Follow(set protocol.Set) {
	det := set.Detector(s.opening)
	for i := 0; i < len(s.Messages) && !det.Decided(); i++ {
		det.Message(s.message(i))
	}
	prof := det.Profile()
	s.Following = Following{}
	var e protocol.Echoer
	switch {
	case prof != nil:
		s.Following.Protocol = prof.Name()
		e, _ = prof.(protocol.Echoer)
	case s.opening.Protocol == "":
		e, s.Following.Generic = protocol.NewLearned(), true
	}
	if e != nil {
		s.annotate(e)
	}
}

// chosen is an id a recorded request chose: the message, and its place
// among the request's ids.
type chosen struct{ msg, id int }

// annotate walks the messages in order as a replay would: each request's
// ids, as the Echoer reads them, are the latest choice of those values,
// which the replies after it echo.
func (s *Session) annotate(e protocol.Echoer) {
	probe := e
	if s.Following.Generic {
		probe = protocol.NewLearned() // the probes' values must not be learned as the session's
	}
	shapes := map[string]*Request{} // per Same: the places found for the last request of it
	chose := map[protocol.ID]chosen{}
	requests := 0
	for i := range s.Messages {
		m := &s.Messages[i]
		pm := s.message(i)
		if m.Dir == format.Send {
			r, ok := e.Request(pm)
			if !ok {
				continue
			}
			requests++
			if !m.IsText {
				continue // MQTT's packets: no JSON to read ids in
			}
			q := shapes[r.Same]
			if q == nil || !q.fits([]byte(m.Text), r) {
				q = probeRequest(probe, []byte(m.Text), r)
				shapes[r.Same] = q
			}
			for j, id := range r.IDs {
				if q != nil && q.IDs[j] != nil {
					chose[id] = chosen{i, j}
				} else {
					delete(chose, id)
				}
			}
			if q != nil {
				m.Request = q
				s.Following.Requests++
			}
			continue
		}
		s.annotateReply(e, m, pm, chose)
	}
	s.Following.NotJSON = requests > 0 && s.Following.Requests == 0
}

// annotateReply notes the ids the server message m echoes, of requests
// the session made before it.
func (s *Session) annotateReply(e protocol.Echoer, m *Message, pm protocol.Message, chose map[protocol.ID]chosen) {
	for _, id := range e.Echoes(pm) {
		c, ok := chose[id]
		if !ok {
			continue
		}
		for _, p := range probeReply(e, pm.Data, id) {
			m.Echoes = append(m.Echoes, Echo{Path: p, Request: c.msg, ID: c.id})
		}
	}
	if len(m.Echoes) > 0 {
		m.Guessed = s.Following.Generic
		s.Following.Replies++
	}
}

// fits reports whether the places q found for an earlier request of the
// same kind hold the ids of r in data: then they need no probing again.
func (q *Request) fits(data []byte, r protocol.Request) bool {
	if len(q.IDs) != len(r.IDs) {
		return false
	}
	for i, p := range q.IDs {
		if p == nil {
			return false
		}
		raw, ok := valueAt(data, p)
		if !ok || !sameValue(raw, r.IDs[i].Value) {
			return false
		}
	}
	return true
}

// message returns message i as a profile reads it.
func (s *Session) message(i int) protocol.Message {
	m := &s.Messages[i]
	if m.IsText {
		return protocol.Message{Dir: m.Dir, Data: []byte(m.Text)}
	}
	b, _ := base64.StdEncoding.DecodeString(m.Binary)
	return protocol.Message{Dir: m.Dir, Binary: true, Data: b}
}

func send(data []byte) protocol.Message  { return protocol.Message{Dir: format.Send, Data: data} }
func reply(data []byte) protocol.Message { return protocol.Message{Dir: format.Receive, Data: data} }

// followingText says, for the module's header, how replies are played.
func (f Following) followingText() string {
	name := "none found"
	if f.Protocol != "" {
		name = f.Protocol
	}
	switch {
	case f.Replies > 0 && f.Generic:
		return fmt.Sprintf("Protocol: %s; JSON whose client values come back in server messages (the generic\n"+
			"rule). Replies to the client's requests (%d) wait for them (at most %d s past their\n"+
			"time) and carry the client's ids, unless followIds is false.\n", name, f.Replies, genericHold/1000)
	case f.Replies > 0:
		return fmt.Sprintf("Protocol: %s. Replies to the client's requests (%d) wait for them and\n"+
			"carry the client's ids, unless followIds is false.\n", name, f.Replies)
	case f.NotJSON:
		return fmt.Sprintf("Protocol: %s. Its messages are not JSON, which the module reads ids in:\n"+
			"replies keep the recorded clock and the recorded ids.\n", name)
	}
	return fmt.Sprintf("Protocol: %s. No reply carries a client's id: every message keeps the\nrecorded clock.\n", name)
}
