package engineio

import (
	"bytes"
	"encoding/base64"
	"errors"
	"iter"
	"strconv"
	"unicode/utf8"
)

// ErrPayload means a polling body is not an Engine.IO payload.
var ErrPayload = errors.New("engineio: malformed polling payload")

// separator ends each packet but the last of a revision 4 payload.
const separator = 0x1e

// DecodePayload splits a polling body into its packets. binaryBody says
// the body came as application/octet-stream (revision 3's binary payload).
// The packets hold slices of body. On a malformed packet it returns the
// packets before it and ErrPayload. Packets says what is refused.
func DecodePayload(version int, body []byte, binaryBody bool) ([]Packet, error) {
	var out []Packet
	for p, err := range Packets(version, body, binaryBody) {
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Packets yields the packets of a polling body one at a time, in order,
// holding none of them: a caller that keeps only what it records needs no
// more memory than the body. Each packet holds a slice of body (a base64
// one, its decoded bytes). A malformed packet ends the sequence with a zero
// Packet and ErrPayload; the packets before it were yielded.
//
// It refuses what engine.io-parser's decodePayload refuses (there, an
// "error" packet ends the payload and the server closes the session with
// "parse error"): in revision 4, an empty packet ("\x1e\x1e") or one that
// begins with neither a packet type (0-6) nor "b"; in revision 3, a packet
// whose type is unknown, and an empty packet of a binary payload ("0:" in
// a text payload is passed over, as engine.io-parser 2 does). An empty body
// has no packets. So every packet yielded costs at least two bytes of body.
func Packets(version int, body []byte, binaryBody bool) iter.Seq2[Packet, error] {
	switch {
	case version >= 4:
		return func(yield func(Packet, error) bool) { decodeV4(body, yield) }
	case binaryBody:
		return func(yield func(Packet, error) bool) { decodeV3Binary(body, yield) }
	}
	return func(yield func(Packet, error) bool) { decodeV3(body, yield) }
}

// knownType reports whether c begins a text packet: a packet type, or "b"
// (base64 binary).
func knownType(c byte) bool { return c >= Open && c <= Noop || c == 'b' }

// decodeV4 splits on the record separator; "b" begins a base64 binary
// packet.
func decodeV4(body []byte, yield func(Packet, error) bool) {
	more := len(body) > 0
	for more {
		var part []byte
		part, body, more = bytes.Cut(body, []byte{separator})
		if len(part) == 0 || !knownType(part[0]) {
			yield(Packet{}, ErrPayload)
			return
		}
		p := Packet{Data: part}
		if part[0] == 'b' {
			data, err := base64.StdEncoding.AppendDecode(nil, part[1:])
			if err != nil {
				yield(Packet{}, ErrPayload)
				return
			}
			p = Packet{Data: data, Binary: true}
		}
		if !yield(p, nil) {
			return
		}
	}
}

// decodeV3 reads "<length>:<packet>" repeatedly, the length in UTF-16 code
// units as JavaScript counts a string; "b4<base64>" is a binary packet.
func decodeV3(body []byte, yield func(Packet, error) bool) {
	for len(body) > 0 {
		colon := bytes.IndexByte(body, ':')
		if colon <= 0 || colon > 10 {
			yield(Packet{}, ErrPayload)
			return
		}
		n, err := strconv.Atoi(string(body[:colon]))
		if err != nil || n < 0 {
			yield(Packet{}, ErrPayload)
			return
		}
		body = body[colon+1:]
		end, ok := utf16Prefix(body, n)
		if !ok {
			yield(Packet{}, ErrPayload)
			return
		}
		text := body[:end]
		body = body[end:]
		if len(text) == 0 {
			continue // engine.io-parser 2 passes over an empty packet
		}
		p, err := decodeV3Packet(text)
		if err != nil {
			yield(Packet{}, err)
			return
		}
		if !yield(p, nil) {
			return
		}
	}
}

func decodeV3Packet(text []byte) (Packet, error) {
	if !knownType(text[0]) {
		return Packet{}, ErrPayload
	}
	if len(text) < 2 || text[0] != 'b' {
		return Packet{Data: text}, nil
	}
	if text[1] < '0' || text[1] > '6' {
		return Packet{}, ErrPayload
	}
	data := []byte{text[1] - '0'}
	data, err := base64.StdEncoding.AppendDecode(data, text[2:])
	if err != nil {
		return Packet{}, ErrPayload
	}
	return Packet{Data: data, Binary: true}, nil
}

// utf16Prefix returns how many bytes of b hold its first n UTF-16 code
// units.
func utf16Prefix(b []byte, n int) (int, bool) {
	i := 0
	for n > 0 {
		if i >= len(b) {
			return 0, false
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if n -= 1; r >= 0x10000 {
			n-- // a surrogate pair
		}
	}
	return i, n == 0
}

// utf16Len returns the length of b in UTF-16 code units.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if n++; r >= 0x10000 {
			n++
		}
	}
	return n
}

// decodeV3Binary reads revision 3's binary payload: for each packet, 0
// (text) or 1 (binary), the length's decimal digits as bytes 0-9, 255, then
// the packet, which is never empty.
func decodeV3Binary(body []byte, yield func(Packet, error) bool) {
	for len(body) > 0 {
		isBinary := body[0] == 1
		end := bytes.IndexByte(body, 0xff)
		if end < 2 || end > 12 {
			yield(Packet{}, ErrPayload)
			return
		}
		n := 0
		for _, d := range body[1:end] {
			if d > 9 {
				yield(Packet{}, ErrPayload)
				return
			}
			n = n*10 + int(d)
		}
		body = body[end+1:]
		if n == 0 || n > len(body) || !isBinary && !knownType(body[0]) {
			yield(Packet{}, ErrPayload)
			return
		}
		if !yield(Packet{Data: body[:n:n], Binary: isBinary}, nil) {
			return
		}
		body = body[n:]
	}
}

// EncodePayload joins packets into a polling body and says its
// Content-Type. base64 (the client's b64=1) keeps a revision 3 payload in
// text even when it holds binary packets.
func EncodePayload(version int, packets []Packet, base64Only bool) (body []byte, contentType string) {
	const text = "text/plain; charset=UTF-8"
	if version >= 4 {
		for i, p := range packets {
			if i > 0 {
				body = append(body, separator)
			}
			body = appendV4(body, p)
		}
		return body, text
	}
	if !base64Only && hasBinary(packets) {
		return encodeV3Binary(packets), "application/octet-stream"
	}
	for _, p := range packets {
		t := p.Data
		if p.Binary {
			t = v3Base64(p.Data)
		}
		body = strconv.AppendInt(body, int64(utf16Len(t)), 10)
		body = append(append(body, ':'), t...)
	}
	return body, text
}

func appendV4(b []byte, p Packet) []byte {
	if !p.Binary {
		return append(b, p.Data...)
	}
	b = append(b, 'b')
	return base64.StdEncoding.AppendEncode(b, p.Data)
}

// v3Base64 writes a revision 3 binary packet (type byte first) as text:
// "b", the type's digit, base64.
func v3Base64(data []byte) []byte {
	typ := byte(Message)
	if len(data) > 0 {
		typ, data = '0'+data[0], data[1:]
	}
	return base64.StdEncoding.AppendEncode([]byte{'b', typ}, data)
}

func encodeV3Binary(packets []Packet) []byte {
	var body []byte
	for _, p := range packets {
		kind := byte(0)
		if p.Binary {
			kind = 1
		}
		body = append(body, kind)
		for _, d := range strconv.Itoa(len(p.Data)) {
			body = append(body, byte(d-'0'))
		}
		body = append(append(body, 0xff), p.Data...)
	}
	return body
}

func hasBinary(packets []Packet) bool {
	for _, p := range packets {
		if p.Binary {
			return true
		}
	}
	return false
}

// LooksLikePayload reports whether a polling body whose first byte is
// first may be an Engine.IO payload of version: in revision 4 a packet
// type or "b"; in revision 3 a length's first digit, or, in a binary
// payload (binaryBody), 0 or 1. It lets a proxy pass over, unread, a body
// that merely came to an Engine.IO URL.
func LooksLikePayload(version int, binaryBody bool, first byte) bool {
	switch {
	case version >= 4:
		return knownType(first)
	case binaryBody:
		return first <= 1
	}
	return first >= '0' && first <= '9'
}
