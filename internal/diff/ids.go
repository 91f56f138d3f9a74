package diff

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// Two recordings of the same flow differ in the ids the client chose
// afresh (a graphql-ws client's operation UUIDs, JSON-RPC's random ids).
// Compare matches them as a replay does (protocol.Pairing): the k-th
// request of a kind (protocol.Request.Same) on one side with the k-th of
// that kind on the other. It does so without holding both sides at once:
// each side's ids are renamed, in the JSON of its messages, to a token
// made of the request's kind, its rank among the requests of that kind,
// and the id's place in the request; equal flows then have equal tokens,
// and a difference in data still shows.
//
// With no profile (the generic rule, protocol.Learned), only the places
// at which, in the first window of messages of either side, a client's
// value came back in a later server message are renamed: a value the
// server never echoes (a sequence number, a timestamp) is data.
//
// Where: in a client message, its own request's ids anywhere, and ids of
// earlier requests (a graphql "complete"); in a server message, the ids
// its Echoer says it echoes. An id of another message is renamed anywhere
// when distinctive (8 characters or more), else only as the value of a
// member named as the id's scope ends ("id") or as an array's element. JSON objects and
// arrays only: the ids inside other text and binary messages (STOMP
// frames, MQTT packets) are compared as they are.

const (
	maxTokens      = 4096 // ids a side remembers, the oldest forgotten first
	maxKinds       = 4096 // kinds of request a side counts
	distinctiveLen = 8    // an id this long is renamed under any member
)

// idTokens renames one side's client-chosen ids. Not safe for concurrent
// use.
type idTokens struct {
	e     protocol.Echoer
	only  map[string]bool        // the scopes renamed; nil: every one
	count map[string]int         // per request kind: requests seen
	to    map[protocol.ID]string // an id -> its token
	known map[string]swap        // a leaf (leafKey) of an id -> its token, for client messages
	ring  []protocol.ID          // the keys of to, oldest first, to forget
	next  int
}

func newIDTokens(e protocol.Echoer) *idTokens {
	return &idTokens{e: e, count: map[string]int{}, to: map[protocol.ID]string{}, known: map[string]swap{}}
}

// swap is a token to put in place of a JSON value.
type swap struct {
	tok    string
	member string // "": anywhere; else only as the value of a member so named
}

// swapper returns which leaves of message m to rename: keyed by leafKey.
type swapper func(leaf, member string) (string, bool)

// swaps returns the renaming of the JSON values of message m, nil when
// there is none to make.
func (t *idTokens) swaps(m protocol.Message) swapper {
	own := map[string]swap{}
	if m.Dir == format.Send {
		if r, ok := t.e.Request(m); ok {
			for _, id := range t.learn(r) {
				for _, k := range leafKeys(id.Value) {
					own[k] = swap{tok: t.to[id]} // the message's own: anywhere in it
				}
			}
		}
		if len(own) == 0 && len(t.known) == 0 {
			return nil
		}
	} else {
		for _, id := range t.e.Echoes(m) {
			if tok, ok := t.to[id]; ok {
				for _, k := range leafKeys(id.Value) {
					own[k] = t.placed(id, tok)
				}
			}
		}
		if len(own) == 0 {
			return nil
		}
	}
	send := m.Dir == format.Send
	return func(leaf, member string) (string, bool) {
		s, ok := own[leaf]
		if !ok && send {
			s, ok = t.known[leaf]
		}
		if !ok || s.member != "" && member != "" && s.member != member {
			return "", false
		}
		return s.tok, true
	}
}

// placed is where tok, the token of id, goes in place of id's value: a
// distinctive value (a UUID) anywhere, a short one (a counter "id": 3)
// only under a member named as id's scope ends, or in an array (Phoenix
// puts its refs in one).
func (t *idTokens) placed(id protocol.ID, tok string) swap {
	if distinctive(id.Value) {
		return swap{tok: tok}
	}
	return swap{tok: tok, member: scopeMember(id.Scope)}
}

// learn gives the ids of request r their tokens, and returns them.
func (t *idTokens) learn(r protocol.Request) []protocol.ID {
	if len(t.count) >= maxKinds {
		clear(t.count)
	}
	k := t.count[r.Same]
	t.count[r.Same]++
	h := fnv.New32a()
	h.Write([]byte(r.Same))
	ids := r.IDs[:0:0]
	for j, id := range r.IDs {
		if t.only != nil && !t.only[id.Scope] {
			continue
		}
		ids = append(ids, id)
		if _, seen := t.to[id]; !seen {
			t.remember(id)
		}
		tok := fmt.Sprintf("<id %08x#%d.%d>", h.Sum32(), k, j)
		t.to[id] = tok
		for _, lk := range leafKeys(id.Value) {
			t.known[lk] = t.placed(id, tok)
		}
	}
	return ids
}

// maxPlaces bounds the places of ids the generic rule finds.
const maxPlaces = 256

// echoedPlaces returns the places (protocol.ID.Scope) at which the
// client messages of msgs put values that later server messages of msgs
// carry back, as the generic rule reads them: where a JSON protocol no
// profile knows keeps the ids its clients choose. It adds them to places.
func echoedPlaces(msgs []*Message, places map[string]bool) {
	l := protocol.NewLearned()
	for _, m := range msgs {
		pm := protocol.Message{Dir: m.Dir, Binary: m.Opcode == format.Binary, Data: m.Data}
		if m.Dir == format.Send {
			l.Request(pm)
			continue
		}
		for _, id := range l.Echoes(pm) {
			if len(places) < maxPlaces {
				places[id.Scope] = true
			}
		}
	}
}

// remember notes a new id, forgetting the oldest past maxTokens.
func (t *idTokens) remember(id protocol.ID) {
	if len(t.ring) < maxTokens {
		t.ring = append(t.ring, id)
		return
	}
	old := t.ring[t.next]
	for _, lk := range leafKeys(old.Value) {
		if t.known[lk].tok == t.to[old] {
			delete(t.known, lk)
		}
	}
	delete(t.to, old)
	t.ring[t.next] = id
	t.next = (t.next + 1) % maxTokens
}

// distinctive reports an id value long enough to be renamed wherever it
// is (a UUID), not only under its own member name (a counter "id": 3).
func distinctive(v string) bool {
	var s string
	if len(v) > 1 && v[0] == '"' && json.Unmarshal([]byte(v), &s) == nil {
		v = s
	}
	return len(v) >= distinctiveLen
}

// leafKeys returns the keys under which a JSON leaf equal to the id value
// v is found: "s:"+text for a string, "n:"+digits for a number. v is JSON
// text (a JSON-RPC or generic id) or a plain string (a graphql id).
func leafKeys(v string) []string {
	var s string
	if len(v) > 1 && v[0] == '"' && json.Unmarshal([]byte(v), &s) == nil {
		return []string{"s:" + s}
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return []string{"s:" + v, "n:" + v}
	}
	return []string{"s:" + v}
}

// scopeMember is the member name a scope's place ends with: "id" for
// "id", "reqId" for ".params.reqId".
func scopeMember(scope string) string {
	scope = strings.TrimSuffix(scope, "[]")
	if i := strings.LastIndexAny(scope, ".]"); i >= 0 {
		scope = scope[i+1:]
	}
	return scope
}

// rename replaces, in v (decoded JSON, numbers as json.Number), each leaf
// that swaps names, and returns the result.
func rename(v any, member string, swaps swapper) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = rename(c, k, swaps)
		}
	case []any:
		for i, c := range x {
			x[i] = rename(c, "", swaps)
		}
	case string:
		if tok, ok := swaps("s:"+x, member); ok {
			return tok
		}
	case json.Number:
		if tok, ok := swaps("n:"+string(x), member); ok {
			return tok
		}
	}
	return v
}
