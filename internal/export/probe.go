package export

import (
	"encoding/json"
	"slices"

	"github.com/wsreplay/wsreplay/protocol"
)

// The protocol's Echoer says which ids a request chose and what makes it
// "the same request" (protocol.Request.Same), but as values and an opaque
// key, not as places in the message: the module's player, which has no
// Echoer, needs places it can read in a live message. This file finds them
// by asking the Echoer itself about copies of the recorded message with
// one value changed:
//   - a value replaced by a sentinel is an id's place when the request's
//     id becomes the sentinel;
//   - a value changed a little (a letter, a digit, true for false) is one
//     that makes the same request when the Same changes, or the message is
//     no request any more (graphql's "type", JSON-RPC's "method");
//   - a member renamed is one the same request has when the same happens
//     (Centrifuge's {"connect":{}}, every place under the generic rule).
//
// So what the module compares is what the profile (or the generic rule)
// compares, without a second copy of any protocol's rules here, and a
// profile of a third party gets the same. A value the recorded message
// does not have is not compared (a live graphql subscribe with an
// operationName the recording lacks still pairs).

// Bounds of the probing, which costs two readings of a request per value
// in it: larger requests, or values past maxProbeLeaves, are not followed.
const (
	maxProbeBytes  = 64 << 10
	maxProbeLeaves = 256
	maxReplyBytes  = 1 << 20
)

// sentinel is the value put in place of an id to find where it goes. Its
// digits make it an id to the generic rule (as a string and as a number,
// 8 digits or more: echoed under any member), and it fits the 32 bits of
// Centrifuge's command ids.
const sentinel = "739173917"

// probeRequest finds the places of the ids of r, the request the client
// message data is, and the places of the values that make it r.Same. A
// Path of IDs is nil where an id was not found. It returns nil when data
// is not JSON within the bounds.
func probeRequest(e protocol.Echoer, data []byte, r protocol.Request) *Request {
	if len(data) > maxProbeBytes || !isJSON(data) {
		return nil
	}
	q := &Request{IDs: make([]Path, len(r.IDs))}
	n := 0
	walkLeaves(data, func(p Path, raw []byte) {
		if n++; n > maxProbeLeaves {
			return
		}
		if q.probeID(e, data, p, raw, r) {
			return
		}
		if _, nested := doubleEncoded(raw); nested {
			return // its own values are probed
		}
		if changed, ok := perturb(raw); ok {
			rr, isReq := e.Request(send(mustSet(data, p, changed)))
			if !isReq || rr.Same != r.Same {
				q.Same = append(q.Same, p)
			}
		}
	})
	q.probeMembers(e, data, r)
	return q
}

// probeMembers finds the members whose presence makes the same request
// (Centrifuge's method is the name of a member, the generic rule compares
// every place): with the member renamed, the Same changes, or the message
// is no request. Members that hold or lead to places of Same or IDs are
// required there already.
func (q *Request) probeMembers(e protocol.Echoer, data []byte, r protocol.Request) {
	n := 0
	walkMembers(data, func(p Path, _ []byte) {
		if n++; n > maxProbeLeaves || q.covers(p) {
			return
		}
		out, ok := renameAt(data, p, p[len(p)-1].Member+"~")
		if !ok {
			return
		}
		if rr, isReq := e.Request(send(out)); isReq && rr.Same == r.Same {
			return
		}
		// Members are visited before those inside them: one inside p
		// requires p.
		q.Has = slices.DeleteFunc(q.Has, func(h Path) bool { return prefix(h, p) })
		q.Has = append(q.Has, p)
	})
}

// covers reports whether p is a place of q's, or leads to one.
func (q *Request) covers(p Path) bool {
	for _, list := range [][]Path{q.Same, q.IDs} {
		for _, x := range list {
			if x != nil && prefix(p, x) {
				return true
			}
		}
	}
	return false
}

// prefix reports whether p is x or leads to it.
func prefix(p, x Path) bool {
	return len(p) <= len(x) && slices.Equal(p, x[:len(p)])
}

// probeID reports whether the value raw at p is where ids of r are, and
// notes it: with the sentinel there, those ids, and only those, are the
// sentinel.
func (q *Request) probeID(e protocol.Echoer, data []byte, p Path, raw []byte, r protocol.Request) bool {
	s, ok := sentinelLike(raw)
	if !ok {
		return false
	}
	rr, isReq := e.Request(send(mustSet(data, p, s)))
	if !isReq || len(rr.IDs) != len(r.IDs) {
		return false
	}
	var found []int
	for i, id := range rr.IDs {
		switch {
		case id.Scope != r.IDs[i].Scope:
			return false
		case sameValue(s, id.Value):
			found = append(found, i)
		case id.Value != r.IDs[i].Value:
			return false
		}
	}
	for _, i := range found {
		if q.IDs[i] == nil {
			q.IDs[i] = p
		}
	}
	return len(found) > 0
}

// probeReply returns the places at which the server message data carries
// id, where the Echoer's Rewrite puts the live value.
func probeReply(e protocol.Echoer, data []byte, id protocol.ID) []Path {
	if len(data) > maxReplyBytes || !isJSON(data) {
		return nil
	}
	s := sentinel // a raw value (a graphql id): the profile quotes it
	if len(id.Value) > 0 && id.Value[0] == '"' {
		s = `"` + sentinel + `"`
	}
	out := e.Rewrite(reply(data), func(x protocol.ID) (string, bool) { return s, x == id })
	if !isJSON(out) {
		return nil
	}
	var paths []Path
	walkLeaves(out, func(p Path, raw []byte) {
		if sameValue(raw, sentinel) {
			paths = append(paths, p)
		}
	})
	return paths
}

// sentinelLike returns the sentinel as a value of raw's type, false for
// what cannot be an id (true, false, null).
func sentinelLike(raw []byte) ([]byte, bool) {
	switch {
	case raw[0] == '"':
		return []byte(`"` + sentinel + `"`), true
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return []byte(sentinel), true
	}
	return nil, false
}

// perturb returns raw changed a little, of the same type and as long: its
// last letter or digit changed, a boolean flipped. false for null and "".
func perturb(raw []byte) ([]byte, bool) {
	switch string(raw) {
	case "true":
		return []byte("false"), true
	case "false":
		return []byte("true"), true
	case "null", `""`:
		return nil, false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		rs := []rune(s)
		i := len(rs) - 1
		for i > 0 && !alnum(rs[i]) {
			i--
		}
		rs[i] = other(rs[i])
		return jsonText(string(rs)), true
	}
	out := append([]byte(nil), raw...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] >= '0' && out[i] <= '9' {
			out[i] = byte(other(rune(out[i])))
			return out, true
		}
	}
	return nil, false
}

func alnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// other returns a character of the same class as r (lower, upper, digit)
// and another one; '~' or '!' for any other character.
func other(r rune) rune {
	switch {
	case r == 'z' || r == 'Z' || r == '9':
		return r - 1
	case alnum(r):
		return r + 1
	case r == '~':
		return '!'
	}
	return '~'
}

// mustSet is setAt of a place walkLeaves found, which is there.
func mustSet(data []byte, p Path, raw []byte) []byte {
	out, _ := setAt(data, p, raw)
	return out
}

func isJSON(data []byte) bool {
	i := skipSpace(data, 0)
	return i < len(data) && (data[i] == '{' || data[i] == '[') && json.Valid(data)
}
