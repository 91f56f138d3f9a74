package fault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// parseJSON reads "$.a.b[0]" or "$.a.b[0]==value".
func (r *Rule) parseJSON(sel string) error {
	p, v, hasV := strings.Cut(sel, "==")
	keys, err := parsePath(p)
	if err != nil {
		return fmt.Errorf("selector %q: %w", sel, err)
	}
	r.JSONPath, r.HasValue = keys, hasV
	if hasV {
		if uq, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
			v = uq
		}
		r.Value = v
	}
	return nil
}

// parsePath splits "$.a.b[0]" into its keys ("a", "b", "[0]"); "$" alone
// is the whole payload.
func parsePath(p string) ([]string, error) {
	rest, ok := strings.CutPrefix(p, "$")
	if !ok {
		return nil, fmt.Errorf("a JSON path starts with $")
	}
	keys := []string{}
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			if end == 0 {
				return nil, fmt.Errorf("an empty key in %q", p)
			}
			keys = append(keys, rest[1:1+end])
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("an unclosed [ in %q", p)
			}
			if _, err := strconv.Atoi(rest[1:end]); err != nil {
				return nil, fmt.Errorf("%q is not an index in %q", rest[:end+1], p)
			}
			keys = append(keys, rest[:end+1])
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("%q: expected . or [ after %q", p, p[:len(p)-len(rest)])
		}
	}
	return keys, nil
}

// matchJSON reports whether the JSON payload of a message of kind has
// r's path, with r's value if it has one.
func (r *Rule) matchJSON(kind format.Kind, data []byte) bool {
	var v any
	if json.Unmarshal(jsonPart(kind, data), &v) != nil {
		return false
	}
	for _, k := range r.JSONPath {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				return false
			}
		case []any:
			i, err := strconv.Atoi(strings.Trim(k, "[]"))
			if !strings.HasPrefix(k, "[") || err != nil || i < 0 || i >= len(x) {
				return false
			}
			v = x[i]
		default:
			return false
		}
	}
	if !r.HasValue {
		return true
	}
	switch x := v.(type) {
	case string:
		return x == r.Value
	case nil:
		return r.Value == "null"
	case float64:
		f, err := strconv.ParseFloat(r.Value, 64)
		return err == nil && f == x
	case bool:
		return strconv.FormatBool(x) == r.Value
	}
	return false
}

// jsonPart is the JSON in a message of kind: a Socket.IO packet's
// arguments ("42/chat,7[...]" gives the array), else the whole payload.
func jsonPart(kind format.Kind, data []byte) []byte {
	if kind == format.KindSocketIO {
		if i := bytes.IndexAny(data, "[{"); i >= 0 {
			return data[i:]
		}
	}
	return data
}

// eventName is the event name of a message of kind, or "".
func eventName(kind format.Kind, e *format.Event) string {
	switch kind {
	case format.KindSSE:
		if e.SSE == nil || e.SSE.Event == "" {
			return "message"
		}
		return e.SSE.Event
	case format.KindSocketIO:
		// Engine.IO message (4), Socket.IO EVENT (2) or BINARY_EVENT (5).
		d := e.Data
		if len(d) < 2 || d[0] != '4' || d[1] != '2' && d[1] != '5' {
			return ""
		}
		var args []json.RawMessage
		if json.Unmarshal(jsonPart(kind, d), &args) != nil || len(args) == 0 {
			return ""
		}
		var name string
		json.Unmarshal(args[0], &name)
		return name
	}
	var obj struct {
		Type  any `json:"type"`
		Event any `json:"event"`
	}
	if json.Unmarshal(e.Data, &obj) != nil {
		return ""
	}
	if s, ok := obj.Type.(string); ok {
		return s
	}
	s, _ := obj.Event.(string)
	return s
}

// CorruptData returns what the corrupt action makes of a payload: a text
// cut to its first half (at a character boundary) with "}{" after it,
// which no JSON text ends with; binary cut to half its length. It returns
// a new slice.
func CorruptData(data []byte, text bool) []byte {
	if !text {
		return bytes.Clone(data[:len(data)/2])
	}
	cut := len(data) / 2
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	out := make([]byte, 0, cut+2)
	return append(append(out, data[:cut]...), "}{"...)
}
