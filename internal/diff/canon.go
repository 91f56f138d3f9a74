package diff

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// Message is one message of a session as Compare sees it.
type Message struct {
	Seq    int           // 1-based, counting the session's messages in both directions
	Offset time.Duration // from the session's start
	Dir    format.Dir
	Opcode format.Opcode
	Data   []byte
	JSON   bool         // compared as JSON
	SSE    *format.SSE  // an event stream's event: its type, id and retry; nil for other kinds
	HTTP   *format.HTTP // a poll's request (method, URL) or response (status); nil for other kinds

	key     string           // what is compared: kind, direction and the canonical payload
	hash    uint64           // of key, to compare quickly
	profile protocol.Profile // of the message's session, for Describe; nil if none
}

var seed = maphash.MakeSeed()

// canonicalize sets m's comparison key: the canonical JSON of a text
// message that holds a JSON object or array (members sorted, numbers
// spelled one way, ignored paths left out, client-chosen ids renamed by
// swaps when not nil), else the payload itself. An SSE event, a poll's
// request or response and, with sio set, a Socket.IO packet are compared by their meaning (meaning.go).
func (m *Message) canonicalize(ignore []Path, swaps swapper, sio bool) {
	if m.SSE != nil {
		m.setKey(sseKey(m, ignore, swaps))
		return
	}
	if m.HTTP != nil {
		m.setKey(httpKey(m, ignore, swaps))
		return
	}
	if sio {
		if k, ok := sioKey(m, ignore, swaps); ok {
			m.setKey(k)
			return
		}
	}
	var b strings.Builder
	b.WriteString(string(m.Dir))
	b.WriteByte(' ')
	if m.Opcode == format.Text {
		if c, ok := canonicalJSONRenamed(m.Data, ignore, swaps); ok {
			m.JSON = true
			b.WriteString("json ")
			b.Write(c)
		} else {
			b.WriteString("text ")
			b.Write(m.Data)
		}
	} else {
		b.WriteString("binary ")
		b.Write(m.Data)
	}
	m.setKey(b.String())
}

func (m *Message) setKey(k string) {
	m.key = k
	m.hash = maphash.String(seed, k)
}

// same reports whether two messages compare equal (timing aside).
func same(a, b *Message) bool { return a.hash == b.hash && a.key == b.key }

// canonicalJSON returns data, a JSON object or array, in a canonical form.
func canonicalJSON(data []byte, ignore []Path) ([]byte, bool) {
	return canonicalJSONRenamed(data, ignore, nil)
}

// canonicalJSONRenamed is canonicalJSON with the values swaps names
// renamed (after the ignored paths are left out).
func canonicalJSONRenamed(data []byte, ignore []Path, swaps swapper) ([]byte, bool) {
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' && t[0] != '[' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	for _, p := range ignore {
		p.remove(v)
	}
	v = normalizeNumbers(v)
	if swaps != nil {
		v = rename(v, "", swaps)
	}
	c, err := json.Marshal(v) // map keys come out sorted
	if err != nil {
		return nil, false
	}
	return c, true
}

// normalizeNumbers spells numbers one way: 1, 1.0 and 1e0 are the same
// number. Integers keep every digit; other numbers are compared as float64.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = normalizeNumbers(c)
		}
	case []any:
		for i, c := range x {
			x[i] = normalizeNumbers(c)
		}
	case json.Number:
		s := string(x)
		if strings.ContainsAny(s, ".eE") {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				if f == float64(int64(f)) && f > -1e15 && f < 1e15 {
					return json.Number(strconv.FormatInt(int64(f), 10))
				}
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
			}
		}
		if s == "-0" {
			return json.Number("0")
		}
	}
	return v
}
