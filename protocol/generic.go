package protocol

import (
	"crypto/sha256"
	"encoding/json"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/secret"
)

// Learned is the generic rule for JSON protocols no profile knows: values
// a client puts in its messages that come back in later server messages
// are ids the client chose. It is an Echoer with the state of one replay:
// it learns the values of client messages as Request reads them (the
// recorded ones and the live ones, as a Pairing passes them), and finds
// them again in server messages (Echoes, Rewrite). A Profile holds no
// such state, so the caller makes a Learned per replay, with NewLearned,
// for a session of JSON text whose protocol no profile recognises.
//
// The rule, where a value "looks like an id":
//   - In a client message (a JSON object or array, text, at most 1 MiB),
//     a candidate is the value of an object member, at any depth (and
//     inside a string that holds a JSON object or array, as protocols
//     that double-encode do): a string of 1 to 128 bytes with an ASCII
//     digit in it ("r-17", a UUID, "42"), or an integer of at most 20
//     characters other than 0. Booleans, null, fractions, words without
//     digits ("prices", "subscribe") and long strings are never ids. At
//     most 32 candidates per message, the first in document order.
//   - The same request: two client messages with values at the same
//     places, and the same words there (strings of at most 32 bytes with
//     no digit: a type, an operation, a channel). Other values (the
//     candidates, numbers, booleans, longer strings such as a token the
//     live client got afresh or the recording has redacted) count by
//     their place alone. The k-th live one is the counterpart of the k-th
//     recorded one; their candidates pair place by place (ID.Scope is the
//     place, a path like ".params.reqId"; ID.Value the JSON text).
//   - A server message echoes a candidate when it has the same value
//     (same JSON type) anywhere, for a string or number of 8 characters
//     or more (distinctive enough), or under a member of the same name
//     as in the client message, for a shorter one (a counter "id": 3 is
//     echoed by "id": 3, not by "count": 3).
//   - A value at one place in three client messages or more is a
//     constant of the protocol (a version, a room number), not an id the
//     client chose: it is no longer echoed. (A fresh id is seen twice: in
//     the recorded request and in its live counterpart.)
//
// Memory is bounded: at most 4096 values are remembered, the oldest
// forgotten first, each at 8 places at most. The zero value is not
// usable: get one from NewLearned. Not safe for concurrent use:
// the replay that owns it serialises its calls, as it does a Pairing's.
type Learned struct {
	values map[string][]learnedUse // a candidate's JSON text -> where clients put it
	order  []string                // the keys of values, in a ring, to forget the oldest
	next   int                     // where in order the next value goes once it is full
}

type learnedUse struct {
	path, key string // the place (".a.b[].c") and the member's name ("c")
	messages  int    // how many client messages had the value there
}

const (
	maxLearned     = 4096    // values a Learned remembers
	maxLearnedUses = 8       // places remembered per value
	maxCandidates  = 32      // candidates read per client message
	maxIDLen       = 128     // longest string candidate, in bytes
	maxIDPath      = 256     // longest place of a candidate
	maxWalkBytes   = 1 << 20 // largest message read
	maxJSONDepth   = 32      // nesting read, double encodings included
	distinctiveLen = 8       // a value this long is echoed under any member
	constantUses   = 3       // messages that make a value at a place a constant
	maxWord        = 32      // longest string that tells requests apart
)

// NewLearned returns a Learned that knows nothing yet.
func NewLearned() *Learned {
	return &Learned{values: map[string][]learnedUse{}}
}

// Request reads a client message's candidates, learns them, and returns
// them as the ids it chose, with its places and words as its Same; false
// for a message with no candidate, or not JSON.
func (l *Learned) Request(m Message) (Request, bool) {
	if m.Dir != format.Send || !jsonContainer(m) {
		return Request{}, false
	}
	var ids []ID
	same := sha256.New()
	seen := map[ID]bool{}
	walkJSON(m.Data, maxJSONDepth, func(path, key string, raw []byte) []byte {
		if word(raw) {
			same.Write([]byte(path + "=" + string(raw) + "\x00"))
		} else {
			same.Write([]byte(path + "\x00")) // any other value by its place alone
		}
		v, ok := candidate(path, key, raw)
		if !ok || len(ids) == maxCandidates {
			return nil
		}
		id := ID{Scope: path, Value: v}
		ids = append(ids, id)
		if !seen[id] {
			seen[id] = true
			l.learn(v, path, key)
		}
		return nil
	})
	if len(ids) == 0 {
		return Request{}, false
	}
	return Request{Same: string(same.Sum(nil)), IDs: ids}, true
}

// learn notes that a client message put v at path, under the member key.
func (l *Learned) learn(v, path, key string) {
	uses, known := l.values[v]
	for i := range uses {
		if uses[i].path == path {
			uses[i].messages++
			return
		}
	}
	if len(uses) < maxLearnedUses {
		l.values[v] = append(uses, learnedUse{path: path, key: key, messages: 1})
	}
	if known {
		return
	}
	if len(l.order) < maxLearned {
		l.order = append(l.order, v)
		return
	}
	delete(l.values, l.order[l.next])
	l.order[l.next] = v
	l.next = (l.next + 1) % maxLearned
}

// echoes returns the ids the server value raw, under the member key
// ("" for an array's element), echoes.
func (l *Learned) echoes(key string, raw []byte) []ID {
	v, ok := scalarID(raw)
	if !ok {
		return nil
	}
	var ids []ID
	for _, u := range l.values[v] {
		if u.messages < constantUses && (distinctive(v) || key == u.key) {
			ids = append(ids, ID{Scope: u.path, Value: v})
		}
	}
	return ids
}

// Echoes returns the learned candidates a server message carries.
func (l *Learned) Echoes(m Message) []ID {
	if m.Dir != format.Receive || len(l.values) == 0 || !jsonContainer(m) {
		return nil
	}
	var ids []ID
	seen := map[ID]bool{}
	walkValues(m.Data, func(key string, raw []byte) []byte {
		for _, id := range l.echoes(key, raw) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids
}

// Rewrite replaces each learned candidate a server message echoes by the
// value to() names for it (of the first place that has one), as the live
// client's JSON text, inside double-encoded strings too. The result is
// valid JSON; m.Data itself when nothing is replaced.
func (l *Learned) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	if m.Dir != format.Receive || len(l.values) == 0 || !jsonContainer(m) {
		return m.Data
	}
	out, _ := walkValues(m.Data, func(key string, raw []byte) []byte {
		for _, id := range l.echoes(key, raw) {
			if v, ok := to(id); ok && v != id.Value && validScalar(v) {
				return []byte(v)
			}
		}
		return nil
	})
	return out
}

// candidate returns the JSON text of a client value that looks like an id
// (see Learned), false for any other.
func candidate(path, key string, raw []byte) (string, bool) {
	v, ok := scalarID(raw)
	if !ok || key == "" || len(path) > maxIDPath {
		return "", false
	}
	if v[0] == '"' {
		var s string
		json.Unmarshal([]byte(v), &s)
		return v, len(s) >= 1 && len(s) <= maxIDLen && hasDigit(s)
	}
	for _, c := range []byte(v) {
		if c != '-' && (c < '0' || c > '9') {
			return "", false // a fraction or an exponent: a measure, not an id
		}
	}
	return v, len(v) <= 20 && v != "0" && v != "-0"
}

// word reports a JSON string of at most maxWord bytes as written, with
// no digit: what tells one kind of request from another. The recorder's
// mark of a redacted value is none: the live client sends the secret.
func word(raw []byte) bool {
	return len(raw) >= 2 && raw[0] == '"' && len(raw)-2 <= maxWord && !hasDigit(string(raw)) &&
		string(raw[1:len(raw)-1]) != secret.Redacted
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// distinctive reports a candidate (as JSON text) long enough to be taken
// for the client's id wherever it comes back.
func distinctive(v string) bool {
	if v[0] == '"' {
		return len(v)-2 >= distinctiveLen
	}
	return len(v) >= distinctiveLen
}

// jsonContainer reports a text message that is a JSON object or array of
// at most maxWalkBytes.
func jsonContainer(m Message) bool {
	if m.Binary || len(m.Data) > maxWalkBytes || !json.Valid(m.Data) {
		return false
	}
	i := skipSpace(m.Data, 0)
	return m.Data[i] == '{' || m.Data[i] == '['
}

// walkJSON calls visit with each scalar value of the JSON text data (a
// text json.Valid accepts): its place (".a.b[].c", with ">" where a
// string holding JSON is entered), the name of the member it is the
// value of ("" for an array's element) and its JSON text. Containers
// deeper than depth are skipped. Where visit returns a value, it replaces
// the scalar; a string holding a JSON object or array is walked in turn
// and re-encoded if anything in it is replaced. It returns data itself
// when nothing is.
func walkJSON(data []byte, depth int, visit func(path, key string, raw []byte) []byte) ([]byte, bool) {
	return walk(data, depth, true, visit)
}

// walkValues is walkJSON for a visit that needs no places: it gets "".
func walkValues(data []byte, visit func(key string, raw []byte) []byte) ([]byte, bool) {
	return walk(data, maxJSONDepth, false, func(_, key string, raw []byte) []byte { return visit(key, raw) })
}

func walk(data []byte, depth int, paths bool, visit func(path, key string, raw []byte) []byte) ([]byte, bool) {
	w := &jsonWalk{data: data, visit: visit, paths: paths}
	w.value(skipSpace(data, 0), "", "", depth)
	return splice(data, w.edits), len(w.edits) > 0
}

type jsonWalk struct {
	data  []byte
	visit func(path, key string, raw []byte) []byte
	paths bool // false: every place is "" (no strings built)
	edits []edit
}

// at returns the place path+more, or "" when w builds no places.
func (w *jsonWalk) at(path, more string) string {
	if !w.paths {
		return ""
	}
	return path + more
}

func (w *jsonWalk) value(i int, path, key string, depth int) {
	d := w.data
	if i >= len(d) {
		return
	}
	end := valueEnd(d, i)
	switch {
	case (d[i] == '{' || d[i] == '[') && depth <= 0:
	case d[i] == '{':
		members(d, i, func(k string, v span) { w.value(v.start, w.at(path, "."+k), k, depth-1) })
	case d[i] == '[':
		elements(d, i, func(_ int, v span) { w.value(v.start, w.at(path, "[]"), "", depth-1) })
	default:
		if inner, ok := doubleEncoded(d[i:end]); ok && depth > 0 {
			out, changed := walk(inner, depth-1, w.paths, func(p, k string, raw []byte) []byte {
				return w.visit(w.at(path, ">"+p), k, raw)
			})
			if changed {
				w.edits = append(w.edits, edit{span{i, end}, jsonString(string(out))})
			}
			return
		}
		if with := w.visit(path, key, d[i:end]); with != nil {
			w.edits = append(w.edits, edit{span{i, end}, with})
		}
	}
}

// doubleEncoded returns the JSON object or array a JSON string holds, as
// protocols that send JSON inside JSON strings do; false for any other
// string, or a value that is no string.
func doubleEncoded(raw []byte) ([]byte, bool) {
	if len(raw) < 3 || raw[0] != '"' || raw[1] != '{' && raw[1] != '[' {
		return nil, false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || !json.Valid([]byte(s)) {
		return nil, false
	}
	return []byte(s), true
}
