package recorder

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// maxJSONDepth bounds how many times JSON inside a JSON string is opened.
const maxJSONDepth = 4

// Message returns data, a message's text, with the JSONFields hidden. A message that names
// none of them is returned as it is, at the cost of a search. One that holds
// one as a key ("password":) but cannot be parsed as JSON (whole, after a
// prefix, or inside strings) is returned unchanged with unparsed true:
// better kept whole and counted than half redacted. It is safe for
// concurrent use.
func (r *Redaction) Message(data []byte) (out []byte, unparsed bool) {
	if len(r.JSONFields) == 0 {
		return data, false
	}
	lower := bytes.ToLower(data) // once: both tests below search it
	if !r.mentionsField(lower) && !bytes.Contains(data, []byte(`\u`)) {
		return data, false // a key escaped as \u0070assword is parsed to be seen
	}
	red, err := r.redactText(data, 0)
	if err != nil {
		return data, r.mentionsKey(lower)
	}
	return red, false
}

// mentionsKey reports whether lower (a text in lower case) holds a field
// name as a JSON key is written: in quotes, escaped or not, before a colon.
func (r *Redaction) mentionsKey(lower []byte) bool {
	for _, f := range r.JSONFields {
		name := []byte(strings.ToLower(f))
		for at := 0; ; {
			i := bytes.Index(lower[at:], name)
			if i < 0 {
				break
			}
			start, end := at+i, at+i+len(name)
			at = start + 1
			before := bytes.TrimRight(lower[:start], `\`)
			after := bytes.TrimLeft(lower[end:], `\`)
			if bytes.HasSuffix(before, []byte(`"`)) && bytes.HasPrefix(after, []byte(`"`)) &&
				bytes.HasPrefix(bytes.TrimLeft(after[1:], " \t\r\n"), []byte(":")) {
				return true
			}
		}
	}
	return false
}

// mentionsField reports whether lower (a text in lower case) holds one of
// the field names: a cheap test that lets most messages through untouched.
func (r *Redaction) mentionsField(lower []byte) bool {
	for _, f := range r.JSONFields {
		if bytes.Contains(lower, []byte(strings.ToLower(f))) {
			return true
		}
	}
	return false
}

// errNotJSON means a text that names a field holds no JSON to redact it in.
var errNotJSON = errors.New("not JSON")

// redactText redacts a text that is JSON, or a prefix and JSON: the prefix
// ends before the first '{' or '[' (Socket.IO's 42, 451-, 42/chat,7); or
// several such documents, each ended by a record separator (SignalR's
// \x1e) or a newline.
func (r *Redaction) redactText(data []byte, depth int) ([]byte, error) {
	red, err := r.redactDocument(data, depth)
	if errors.Is(err, errNotJSON) && bytes.ContainsAny(data, "\x1e\n") {
		return r.redactRecords(data, depth)
	}
	return red, err
}

// redactDocument redacts one JSON document, perhaps after a prefix.
func (r *Redaction) redactDocument(data []byte, depth int) ([]byte, error) {
	at := 0
	if !json.Valid(data) {
		at = bytes.IndexAny(data, "{[")
		if at < 0 || !json.Valid(data[at:]) {
			return nil, errNotJSON
		}
	}
	body, err := r.redactJSON(data[at:], depth)
	if err != nil {
		return nil, err
	}
	if at == 0 {
		return body, nil
	}
	return append(append(make([]byte, 0, at+len(body)), data[:at]...), body...), nil
}

// redactRecords redacts each document of a text made of several, ended
// by \x1e or \n; the separators are kept, and blank records too.
func (r *Redaction) redactRecords(data []byte, depth int) ([]byte, error) {
	var out []byte
	for len(data) > 0 {
		end := bytes.IndexAny(data, "\x1e\n")
		if end < 0 {
			end = len(data)
		}
		rec := data[:end]
		if len(bytes.TrimSpace(rec)) > 0 {
			red, err := r.redactDocument(rec, depth)
			if err != nil {
				return nil, err
			}
			rec = red
		}
		out = append(out, rec...)
		if end < len(data) {
			out = append(out, data[end])
			end++
		}
		data = data[end:]
	}
	return out, nil
}

// edit replaces data[start:end] with text.
type edit struct {
	start, end int64
	text       []byte
}

// redactJSON replaces the values of the named fields in a JSON document,
// and redacts JSON held in its string values, keeping every other byte as
// it was (key order, spacing, numbers).
func (r *Redaction) redactJSON(data []byte, depth int) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct{ object, expectKey bool }
	var stack []frame
	var edits []edit
	for {
		before := dec.InputOffset()
		expectKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if expectKey {
			stack[len(stack)-1].expectKey = false
			if key, _ := tok.(string); r.isField(key) {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, err
				}
				end := dec.InputOffset()
				edits = append(edits, edit{end - int64(len(raw)), end, []byte(`"` + Redacted + `"`)})
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if s, ok := tok.(string); ok {
			e, err := r.redactString(data, before, dec.InputOffset(), s, depth)
			if err != nil {
				return nil, err
			}
			if e != nil {
				edits = append(edits, *e)
			}
		}
		// A value ended: in an object, a key comes next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expectKey = true
		}
	}
	return apply(data, edits), nil
}

// redactString redacts JSON encoded in a string value (double-encoded
// payloads such as ActionCable's {"data":"{\"password\":...}"}) and returns
// the edit that puts it back, re-encoded, or nil if the string names no
// field. The string token ends at end; it starts at its opening quote, the
// first one after from (only separators lie between).
func (r *Redaction) redactString(data []byte, from, end int64, s string, depth int) (*edit, error) {
	if !r.mentionsKey([]byte(strings.ToLower(s))) && !strings.Contains(s, `\u`) {
		return nil, nil // plain text, even if it has the word in it
	}
	if depth >= maxJSONDepth {
		return nil, errNotJSON
	}
	inner, err := r.redactText([]byte(s), depth+1)
	if errors.Is(err, errNotJSON) && !looksLikeJSON(s) {
		return nil, nil // prose that quotes a key ("type \"password\": here")
	}
	if err != nil {
		return nil, err
	}
	enc, err := json.Marshal(string(inner))
	if err != nil {
		return nil, err
	}
	start := from + int64(bytes.IndexByte(data[from:end], '"'))
	return &edit{start, end, enc}, nil
}

// looksLikeJSON reports whether a string is meant as JSON, perhaps after a
// short prefix without spaces (42, a, 451-): if it then does not parse, it
// is torn JSON whose secrets must not pass as prose.
func looksLikeJSON(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.IndexAny(s, "{[")
	return at >= 0 && at <= 32 && !strings.ContainsAny(s[:at], " \t\"")
}

// apply makes the edits, which are in order and do not overlap.
func apply(data []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return data
	}
	var out bytes.Buffer
	var at int64
	for _, e := range edits {
		out.Write(data[at:e.start])
		out.Write(e.text)
		at = e.end
	}
	out.Write(data[at:])
	return out.Bytes()
}

func (r *Redaction) isField(key string) bool {
	for _, f := range r.JSONFields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}
