package protocol

import (
	"bytes"
	"encoding/json"
)

// setTopString returns the JSON object data with the value of its
// top-level member key replaced by the JSON string v, every other byte as
// it was (members keep their order and spacing, which a re-encoding would
// not). Of a member given twice, the last is replaced: the one
// JavaScript's JSON.parse and encoding/json read. It reports false when
// data is not an object with that member.
func setTopString(data []byte, key, v string) ([]byte, bool) {
	val, _ := json.Marshal(v)
	return setTopRaw(data, key, val)
}

// setTopRaw is setTopString with the new value given as JSON (a number,
// say), which the caller has made valid.
func setTopRaw(data []byte, key string, val []byte) ([]byte, bool) {
	start, end, ok := topMember(data, key)
	if !ok {
		return nil, false
	}
	out := make([]byte, 0, len(data)-(end-start)+len(val))
	out = append(append(append(out, data[:start]...), val...), data[end:]...)
	return out, true
}

// topMember returns where the value of the (last) top-level member key of
// the JSON object data starts and ends.
func topMember(data []byte, key string) (start, end int, ok bool) {
	if !json.Valid(data) {
		return 0, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, 0, false
	}
	found := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, 0, false
		}
		afterKey := int(dec.InputOffset())
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return 0, 0, false
		}
		if t != key {
			continue
		}
		found = true
		start = afterKey + bytes.Index(data[afterKey:dec.InputOffset()], raw) // past the colon and spaces
		end = start + len(raw)
	}
	return start, end, found
}
