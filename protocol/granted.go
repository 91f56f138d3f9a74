package protocol

import (
	"encoding/json"

	"github.com/wsreplay/wsreplay/format"
)

// Enveloper is implemented by profiles whose text messages hold a JSON
// document after a header of the protocol's own (Socket.IO's
// "42/chat,17[...]"): the generic rules for ids (Learned, Granted) then
// read the JSON after the header. A profile whose messages are JSON
// through and through does not need it.
type Enveloper interface {
	// Body returns where m's JSON document starts in m.Data; false when
	// m holds none.
	Body(m Message) (start int, ok bool)
}

// Granted follows the ids a server chose and a client sends back: a
// session id an application hands out, a subscription or channel id the
// server allocates, a token for a later request. It is the reverse of
// Learned, for a caller that plays a recorded client against a live
// server (wsreplay drive): the recorded server chose one value, the live
// server another, and the client's later messages must carry the live
// one.
//
// The rule, read from the whole recorded session at once (NewGranted):
// a string of 8 to 128 bytes with an ASCII digit in it (an id, not a
// word), first seen as a JSON value in a server message and only later in
// a client message, at the same place or another, is a value the server
// granted. Its place in that server message (a path like ".session.id")
// is where the live server's answer holds the live value: Learn reads it
// there from the live counterpart of that server message, and Rewrite
// puts it in place of the recorded value in the client's messages (JSON
// strings only, as a whole value or inside a string that holds JSON).
//
// Memory: at most 4096 granted values. Not safe for concurrent use: the
// run that owns it serialises its calls.
type Granted struct {
	env    Enveloper
	grants map[int][]grant   // server message index (order among server messages) -> what it granted
	live   map[string]string // recorded value (JSON text) -> live value (JSON text)
	rev    map[string]string // live value -> recorded value
	uses   map[string]bool   // recorded values some client message uses
}

type grant struct{ path, value string } // value as JSON text

// NewGranted reads a recorded session's messages, both directions in
// order, and returns what its server granted; env reads a message's JSON
// (nil: the message is JSON). It holds nothing of msgs.
func NewGranted(msgs []Message, env Enveloper) *Granted {
	g := &Granted{env: env, grants: map[int][]grant{}, live: map[string]string{}, rev: map[string]string{}, uses: map[string]bool{}}
	firstServer := map[string]grant{}
	at := map[string]int{}
	clientSaw := map[string]bool{}
	server := -1
	for _, m := range msgs {
		if m.Dir == format.Receive {
			server++
		}
		g.each(m, func(path, v string) {
			switch {
			case m.Dir == format.Receive && !clientSaw[v]:
				if _, seen := firstServer[v]; !seen && len(firstServer) < maxLearned {
					firstServer[v], at[v] = grant{path, v}, server
				}
			case m.Dir == format.Send:
				clientSaw[v] = true
				if _, ok := firstServer[v]; ok {
					g.uses[v] = true
				}
			}
		})
	}
	for v := range g.uses {
		g.grants[at[v]] = append(g.grants[at[v]], firstServer[v])
	}
	return g
}

// Fresh returns a Granted that knows what g's recording granted and none
// of the live values: one per run of a session read once. It shares g's
// reading of the recording, which neither changes; Fresh may be called
// from many goroutines at once, as long as g itself is not used.
func (g *Granted) Fresh() *Granted {
	return &Granted{env: g.env, grants: g.grants, uses: g.uses, live: map[string]string{}, rev: map[string]string{}}
}

// Any reports whether the session has granted values a client uses.
func (g *Granted) Any() bool { return len(g.uses) > 0 }

// each calls f with the place and JSON text of each string in m that
// looks like a granted id.
func (g *Granted) each(m Message, f func(path, v string)) {
	body, ok := g.body(m)
	if !ok {
		return
	}
	walkJSON(body, maxJSONDepth, func(path, _ string, raw []byte) []byte {
		if grantable(raw) {
			f(path, string(raw))
		}
		return nil
	})
}

// body returns m's JSON document, false when it has none.
func (g *Granted) body(m Message) ([]byte, bool) {
	data := m.Data
	if g.env != nil {
		start, ok := g.env.Body(m)
		if !ok {
			return nil, false
		}
		data = data[start:]
	}
	if m.Binary || len(data) > maxWalkBytes || !json.Valid(data) {
		return nil, false
	}
	i := skipSpace(data, 0)
	return data, data[i] == '{' || data[i] == '['
}

// grantable reports a JSON string of 8 to 128 bytes with a digit in it.
func grantable(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' {
		return false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return false
	}
	return len(s) >= distinctiveLen && len(s) <= maxIDLen && hasDigit(s)
}

// Learn reads the live server message m, the live counterpart of the
// recorded server message of index k (its place among the recorded
// server messages, from 0), and remembers the live values of what that
// recorded message granted.
func (g *Granted) Learn(k int, m Message) {
	want := g.grants[k]
	if len(want) == 0 {
		return
	}
	found := map[string]string{}
	g.each(m, func(path, v string) {
		if _, ok := found[path]; !ok {
			found[path] = v
		}
	})
	for _, gr := range want {
		if v, ok := found[gr.path]; ok && v != gr.value {
			delete(g.rev, g.live[gr.value])
			g.live[gr.value], g.rev[v] = v, gr.value
		}
	}
}

// Rewrite returns the recorded client message m with each granted value
// the live server has replaced by its live value; m.Data itself when
// nothing is replaced.
func (g *Granted) Rewrite(m Message) []byte { return g.swap(m, g.live) }

// Restore returns a live message with each live value the server granted
// put back to its recorded value: what a comparison with the recording
// calls equal. m.Data itself when nothing is replaced.
func (g *Granted) Restore(m Message) []byte { return g.swap(m, g.rev) }

func (g *Granted) swap(m Message, to map[string]string) []byte {
	if len(to) == 0 {
		return m.Data
	}
	body, ok := g.body(m)
	if !ok {
		return m.Data
	}
	out, changed := walkJSON(body, maxJSONDepth, func(_, _ string, raw []byte) []byte {
		if v, ok := to[string(raw)]; ok {
			return []byte(v)
		}
		return nil
	})
	if !changed {
		return m.Data
	}
	head := m.Data[:len(m.Data)-len(body)]
	return append(append([]byte{}, head...), out...)
}
