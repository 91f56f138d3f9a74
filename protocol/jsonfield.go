package protocol

import (
	"bytes"
	"encoding/json"
	"slices"
)

// This file reads and edits JSON texts in place for the profiles: where a
// value starts and ends, and a copy with some values replaced and every
// other byte as it was (members keep their order and spacing, which a
// re-encoding would not). Every function here takes a text json.Valid
// has accepted, and returns a new slice when it changes anything.

// span is where one JSON value is in a text: data[start:end].
type span struct{ start, end int }

// edit replaces data[start:end] with with.
type edit struct {
	span
	with []byte
}

// splice returns data with each edit applied (edits do not overlap; it
// puts them in order); data itself when there are none.
func splice(data []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return data
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(data))
	at := 0
	for _, e := range edits {
		out = append(append(out, data[at:e.start]...), e.with...)
		at = e.end
	}
	return append(out, data[at:]...)
}

// setTopString returns the JSON object data with the value of its
// top-level member key replaced by the JSON string v. Of a member given
// twice, the last is replaced: the one JavaScript's JSON.parse and
// encoding/json read. It reports false when data is not an object with
// that member.
func setTopString(data []byte, key, v string) ([]byte, bool) {
	return setTopRaw(data, key, jsonString(v))
}

// setTopRaw is setTopString with the new value as JSON text (raw must be
// one valid JSON value).
func setTopRaw(data []byte, key string, raw []byte) ([]byte, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	v, ok := topMember(data, key)
	if !ok {
		return nil, false
	}
	return splice(data, []edit{{v, raw}}), true
}

// topMember returns where the value of the (last) top-level member key of
// the JSON text data is; false when data is not an object with it.
func topMember(data []byte, key string) (v span, ok bool) {
	members(data, skipSpace(data, 0), func(k string, s span) {
		if k == key {
			v, ok = s, true
		}
	})
	return v, ok
}

// members calls f with the key and value of each member of the object
// that starts at data[i], in order, and returns where the object ends; it
// calls nothing when data[i] is not '{'.
func members(data []byte, i int, f func(key string, v span)) int {
	if i >= len(data) || data[i] != '{' {
		return valueEnd(data, i)
	}
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		kEnd := stringEnd(data, i)
		key := jsonKey(data[i:kEnd])
		start := skipSpace(data, skipSpace(data, kEnd)+1) // past the colon
		end := valueEnd(data, start)
		f(key, span{start, end})
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

// elements calls f with each element of the array that starts at data[i],
// in order, and returns where the array ends; it calls nothing when
// data[i] is not '['.
func elements(data []byte, i int, f func(n int, v span)) int {
	if i >= len(data) || data[i] != '[' {
		return valueEnd(data, i)
	}
	i = skipSpace(data, i+1)
	for n := 0; i < len(data) && data[i] != ']'; n++ {
		end := valueEnd(data, i)
		f(n, span{i, end})
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns where the JSON value that starts at data[i] ends. It
// scans containers without recursion, so no nesting is too deep for it.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = stringEnd(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) && bytes.IndexByte([]byte(",}] \t\r\n"), data[i]) < 0 {
		i++
	}
	return i
}

// stringEnd returns where the JSON string that starts at data[i] (a
// quote) ends, past its closing quote.
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// jsonKey decodes a member's key.
func jsonKey(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 && len(raw) >= 2 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// jsonString returns s as a JSON string, without the HTML escaping of
// json.Marshal (a client compares the text it gets, not only the value).
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// scalarID returns the canonical JSON text of a string or number value
// (a string re-encoded, so "\u0061" and "a" are one value; a number as
// written) and whether raw is one; objects, arrays, booleans and null are
// not ids.
func scalarID(raw []byte) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"' && plainString(raw):
		return string(raw), true
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return string(jsonString(s)), true
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), true
	}
	return "", false
}

// plainString reports a JSON string of printable ASCII without escapes:
// its own canonical text.
func plainString(raw []byte) bool {
	if len(raw) < 2 || raw[len(raw)-1] != '"' {
		return false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c < 0x20 || c > 0x7e || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// scalarText returns a string value decoded and any other value as its
// JSON text: an id as people read it.
func scalarText(raw []byte) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
