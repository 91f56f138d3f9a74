package export

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// This file finds and replaces values in JSON texts by their Path, for the
// annotation of requests and replies (follow.go, probe.go). Each function
// takes a text json.Valid has accepted; a copy with a value replaced keeps
// every other byte as it was (members keep their order, which the generic
// rule's "same request" depends on).

// Path is where a value is in a JSON message, as the module's player
// reads it: a member name, an array index, or, with Enter, into the JSON
// text that the string there holds (protocols that double-encode). The
// module writes it as an array: ["payload", "id"], [1], and an inner array
// for what is inside a string: ["identifier", ["room"]].
type Path []Step

// Step is one step of a Path: Member, or Index when Member is "" and
// Index >= 0; Enter goes into the string's JSON (Member and Index unused).
type Step struct {
	Member string
	Index  int
	Enter  bool
}

// maxDepth bounds the nesting walked, double encodings included.
const maxDepth = 32

// walkLeaves calls visit with the path and the JSON text of each scalar of
// data, in document order; a string that holds a JSON object or array is
// visited as a whole, then walked into.
func walkLeaves(data []byte, visit func(p Path, raw []byte)) {
	w := jsonWalk{visit: visit}
	w.value(data, skipSpace(data, 0), nil, maxDepth)
}

// walkMembers calls visit with the path and JSON text of each value that
// is an object's member (objects and arrays too), in document order,
// inside strings that hold JSON too.
func walkMembers(data []byte, visit func(p Path, raw []byte)) {
	w := jsonWalk{visit: visit, members: true}
	w.value(data, skipSpace(data, 0), nil, maxDepth)
}

type jsonWalk struct {
	visit   func(Path, []byte)
	members bool // visit members, not scalars
}

func (w jsonWalk) value(data []byte, i int, p Path, depth int) {
	if i >= len(data) || depth <= 0 {
		return
	}
	end := valueEnd(data, i)
	if w.members && len(p) > 0 && p[len(p)-1].Index < 0 && !p[len(p)-1].Enter {
		w.visit(p, data[i:end])
	}
	switch data[i] {
	case '{':
		members(data, i, func(k string, _, v int) { w.value(data, v, with(p, Step{Member: k, Index: -1}), depth-1) })
	case '[':
		elements(data, i, func(n, v int) { w.value(data, v, with(p, Step{Index: n}), depth-1) })
	default:
		if !w.members {
			w.visit(p, data[i:end])
		}
		if inner, ok := doubleEncoded(data[i:end]); ok {
			w.value(inner, skipSpace(inner, 0), with(p, Step{Enter: true}), depth-1)
		}
	}
}

// with returns p with s added, sharing nothing with p.
func with(p Path, s Step) Path {
	return append(append(Path(nil), p...), s)
}

// setAt returns data with the value at p replaced by raw (one JSON
// value), false when p names no value of data.
func setAt(data []byte, p Path, raw []byte) ([]byte, bool) {
	head, rest := p, Path(nil)
	for i, s := range p {
		if s.Enter {
			head, rest = p[:i], p[i+1:]
			break
		}
	}
	start, ok := locate(data, head)
	if !ok {
		return nil, false
	}
	end := valueEnd(data, start)
	if len(rest) < len(p)-len(head) { // entered: replace inside the string's JSON
		inner, ok := doubleEncoded(data[start:end])
		if !ok {
			return nil, false
		}
		out, ok := setAt(inner, rest, raw)
		if !ok {
			return nil, false
		}
		raw = jsonText(string(out))
	}
	return append(append(append([]byte(nil), data[:start]...), raw...), data[end:]...), true
}

// renameAt returns data with the name of the member at p (its last step
// a Member) replaced by name, false when p names no member of data.
func renameAt(data []byte, p Path, name string) ([]byte, bool) {
	if len(p) == 0 || p[len(p)-1].Enter || p[len(p)-1].Index >= 0 {
		return nil, false
	}
	parent, last := p[:len(p)-1], p[len(p)-1].Member
	var inner Path
	for i, s := range parent {
		if s.Enter {
			parent, inner = p[:i], p[i+1:]
			break
		}
	}
	start, ok := locate(data, parent)
	if !ok {
		return nil, false
	}
	end := valueEnd(data, start)
	var with []byte
	if inner != nil {
		text, ok := doubleEncoded(data[start:end])
		if !ok {
			return nil, false
		}
		out, ok := renameAt(text, inner, name)
		if !ok {
			return nil, false
		}
		with = jsonText(string(out))
	} else {
		kStart := -1
		members(data, start, func(k string, at, _ int) {
			if k == last {
				kStart = at
			}
		})
		if kStart < 0 {
			return nil, false
		}
		kEnd := valueEnd(data, kStart)
		return append(append(append([]byte(nil), data[:kStart]...), jsonText(name)...), data[kEnd:]...), true
	}
	return append(append(append([]byte(nil), data[:start]...), with...), data[end:]...), true
}

// valueAt returns the JSON text of the value at p, false if none.
func valueAt(data []byte, p Path) ([]byte, bool) {
	for i, s := range p {
		if !s.Enter {
			continue
		}
		start, ok := locate(data, p[:i])
		if !ok {
			return nil, false
		}
		inner, ok := doubleEncoded(data[start:valueEnd(data, start)])
		if !ok {
			return nil, false
		}
		return valueAt(inner, p[i+1:])
	}
	start, ok := locate(data, p)
	if !ok {
		return nil, false
	}
	return data[start:valueEnd(data, start)], true
}

// locate returns where the value at p (no Enter step) starts. Of a member
// given twice, the last counts, as JavaScript's JSON.parse reads it.
func locate(data []byte, p Path) (int, bool) {
	i := skipSpace(data, 0)
	for _, s := range p {
		found := -1
		if s.Member != "" || s.Index < 0 {
			members(data, i, func(k string, _, v int) {
				if k == s.Member {
					found = v
				}
			})
		} else {
			elements(data, i, func(n, v int) {
				if n == s.Index {
					found = v
				}
			})
		}
		if found < 0 {
			return 0, false
		}
		i = found
	}
	return i, i < len(data)
}

// members calls f with the key, the start of the key and the start of the
// value of each member of the object at data[i], in order; nothing if it
// is no object.
func members(data []byte, i int, f func(key string, at, v int)) {
	if i >= len(data) || data[i] != '{' {
		return
	}
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] == '"' {
		kEnd := valueEnd(data, i)
		var key string
		json.Unmarshal(data[i:kEnd], &key)
		v := skipSpace(data, skipSpace(data, kEnd)+1) // past the colon
		f(key, i, v)
		i = skipSpace(data, valueEnd(data, v))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
}

// elements calls f with the index and start of each element of the array
// at data[i]; nothing if it is no array.
func elements(data []byte, i int, f func(n, v int)) {
	if i >= len(data) || data[i] != '[' {
		return
	}
	i = skipSpace(data, i+1)
	for n := 0; i < len(data) && data[i] != ']'; n++ {
		f(n, i)
		i = skipSpace(data, valueEnd(data, i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns where the JSON value at data[i] ends, scanning
// containers without recursion.
func valueEnd(data []byte, i int) int {
	depth := 0
	for i < len(data) {
		switch data[i] {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		default:
			if depth == 0 {
				for i < len(data) && bytes.IndexByte([]byte(",}] \t\r\n"), data[i]) < 0 {
					i++
				}
				return i
			}
		}
		i++
		if depth == 0 {
			return i
		}
	}
	return i
}

// doubleEncoded returns the JSON object or array a JSON string holds.
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

// jsonText returns s as a JSON string, without HTML escaping.
func jsonText(s string) []byte {
	return []byte(jsString(s))
}

// sameValue reports whether the JSON scalar raw is the id value v, as an
// Echoer writes it: the JSON text (JSON-RPC, Phoenix, the generic rule) or
// the string itself (graphql, ActionCable, SignalR).
func sameValue(raw []byte, v string) bool {
	if string(raw) == v {
		return true
	}
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return false
	}
	return s == v || jsString(s) == v
}

// pathJS writes p as the module does: an array of member names and
// indexes, what is inside a string as an inner array.
func pathJS(p Path) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, s := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.Enter {
			b.WriteString(pathJS(p[i+1:]))
			break
		}
		if s.Member != "" || s.Index < 0 {
			b.WriteString(jsString(s.Member))
		} else {
			b.WriteString(strconv.Itoa(s.Index))
		}
	}
	b.WriteByte(']')
	return b.String()
}
