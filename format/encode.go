package format

import (
	"bytes"
	"encoding/base64"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// timeLayout is RFC 3339 with exactly nine fractional digits, so that lines
// sort and align, and offsets keep full precision.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// appendEvent appends e as one JSON line, newline included. It is the only
// place that knows the wire names of the fields.
func appendEvent(b []byte, e *Event) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, string(e.Type))
	if e.Type == TypeSession {
		v := e.Version
		if v == 0 {
			v = Version
		}
		b = append(b, `,"v":`...)
		b = strconv.AppendInt(b, int64(v), 10)
	}
	b = append(b, `,"session":`...)
	b = appendString(b, e.Session)
	b = append(b, `,"time":"`...)
	b = e.Time.UTC().AppendFormat(b, timeLayout)
	b = append(b, '"')
	switch e.Type {
	case TypeSession:
		b = appendField(b, "url", e.URL)
		b = appendField(b, "upstream", e.Upstream)
		b = appendField(b, "subprotocol", e.Subprotocol)
		b = appendField(b, "extensions", e.Extensions)
		b = appendHeaders(b, "request_headers", e.RequestHeaders)
		b = appendHeaders(b, "response_headers", e.ResponseHeaders)
		b = appendField(b, "kind", string(e.Kind))
		b = appendEngineIO(b, e.EngineIO)
		b = appendField(b, "protocol", e.Protocol)
		b = appendField(b, "transport", e.Transport)
		b = appendField(b, "via", e.Via)
		b = appendField(b, "page", e.Page)
	case TypeMessage, TypePing, TypePong:
		if e.Dir != "" {
			b = append(b, `,"dir":`...)
			b = appendString(b, string(e.Dir))
		}
		b = appendPayload(b, e)
		if e.Type == TypeMessage {
			b = appendField(b, "transport", e.Transport)
			b = appendHTTP(b, e.HTTP)
			b = appendSSE(b, e.SSE)
		}
	case TypeFault:
		b = appendField(b, "dir", string(e.Dir))
		b = appendField(b, "fault", e.Fault)
		b = appendField(b, "action", e.Action)
	case TypeClose:
		b = appendField(b, "by", e.By)
		b = append(b, `,"code":`...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
		b = appendField(b, "reason", e.Reason)
		b = append(b, `,"clean":`...)
		b = strconv.AppendBool(b, e.Clean)
		if e.Lost > 0 {
			b = append(b, `,"lost":`...)
			b = strconv.AppendInt(b, e.Lost, 10)
		}
	}
	return append(b, "}\n"...)
}

// appendPayload writes text as "text" when it is valid UTF-8, and anything
// else as base64 "binary", marking text that is not UTF-8 with its opcode so
// that the bytes survive unchanged. A text message stays readable "text"
// (for grep, jq and SQL over the files) unless its escaped form would be
// longer than textLimit allows: then it is written as base64 too.
func appendPayload(b []byte, e *Event) []byte {
	if e.Type != TypeMessage || e.Opcode != Binary {
		if utf8.Valid(e.Data) {
			if e.Type != TypeMessage && len(e.Data) == 0 {
				return b // an empty ping or pong carries no payload field
			}
			start := len(b)
			b = append(b, `,"text":`...)
			if e.Type != TypeMessage {
				return appendText(b, e.Data) // 125 bytes at most
			}
			var ok bool
			if b, ok = appendTextWithin(b, e.Data, textLimit(len(e.Data))); ok {
				return b
			}
			b = b[:start]
		}
	}
	b = append(b, `,"binary":"`...)
	b = base64.StdEncoding.AppendEncode(b, e.Data)
	b = append(b, '"')
	if e.Type == TypeMessage && e.Opcode != Binary {
		b = append(b, `,"opcode":"text"`...)
	}
	return b
}

// textLimit is the longest escaped body (quotes left out) that a text
// message of n bytes is written with as "text": twice its size, so that JSON
// inside JSON (each quote escaped to two bytes: double-encoded payloads,
// ActionCable's identifier) stays text and only payloads of control bytes
// (six bytes each) go to base64; and never more than a line may hold besides
// its overhead. Base64 (4/3 of n) of a message up to MaxMessageSize fits in
// that too (the compile-time check beside DefaultMaxLineSize), so a message
// line is never longer than DefaultMaxLineSize.
func textLimit(n int) int { return min(2*n, maxTextBody) }

// maxTextBody is the longest escaped text a message line holds.
const maxTextBody = DefaultMaxLineSize - MaxLineOverhead

// appendField appends ,"name":"value" unless value is empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

func appendHeaders(b []byte, name string, h map[string][]string) []byte {
	if h == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":{`...)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':', '[')
		for j, v := range h[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// needsEscape marks the ASCII bytes that cannot appear raw in a JSON string.
var needsEscape = func() (t [utf8.RuneSelf]bool) {
	for i := range 0x20 {
		t[i] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; U+2028 and U+2029 are escaped so that lines stay safe
// to embed in JavaScript.
func appendString[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	b = appendStringBody(b, s)
	return append(b, '"')
}

// appendStringBody appends s escaped for a JSON string, without quotes.
func appendStringBody[S ~string | ~[]byte](b []byte, s S) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !needsEscape[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}

// appendText appends s, which is valid UTF-8, as a JSON string: the way
// message payloads go, so runs that need no escaping are found eight bytes
// at a time and copied whole.
func appendText(b, s []byte) []byte {
	b, _ = appendTextWithin(b, s, math.MaxInt)
	return b
}

// appendTextWithin is appendText unless the string's body (quotes left out)
// would be longer than limit bytes: it then stops, having appended at most
// limit+6 bytes, and reports false. The caller truncates b.
func appendTextWithin(b, s []byte, limit int) ([]byte, bool) {
	b = append(b, '"')
	body := len(b)
	for len(s) > 0 {
		n, nonASCII := plainRun(s)
		seps := nonASCII && bytes.Contains(s[:n], lineSepPrefix)
		grow := n
		if seps { // each U+2028 or U+2029 grows from 3 bytes to 6
			grow += 3 * (bytes.Count(s[:n], lineSep) + bytes.Count(s[:n], paraSep))
		}
		if len(b)-body+grow > limit {
			return b, false
		}
		if seps {
			b = appendStringBody(b, s[:n]) // U+2028 or U+2029 may be there
		} else {
			b = append(b, s[:n]...)
		}
		if s = s[n:]; len(s) > 0 {
			if c := s[0]; c == '"' || c == '\\' { // most of them, in JSON
				b = append(b, '\\', c)
			} else {
				b = appendStringBody(b, s[:1]) // a control byte
			}
			s = s[1:]
		}
		if len(b)-body > limit {
			return b, false
		}
	}
	return append(b, '"'), true
}

// lineSepPrefix begins the UTF-8 of U+2028 and U+2029 (lineSep, paraSep).
var lineSepPrefix, lineSep, paraSep = []byte("\xe2\x80"), []byte("\u2028"), []byte("\u2029")

// decodeRune is utf8.DecodeRune for either a string or a byte slice.
func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.DecodeRuneInString(string(s))
}
