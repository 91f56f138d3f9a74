package engineio

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strconv"
	"unicode/utf8"
)

// ErrPayload means a polling body is not an Engine.IO payload.
var ErrPayload = errors.New("engineio: malformed polling payload")

// separator ends each packet but the last of a revision 4 payload.
const separator = 0x1e

// DecodePayload splits a polling body into its packets. binaryBody says
// the body came as application/octet-stream (revision 3's binary payload).
func DecodePayload(version int, body []byte, binaryBody bool) ([]Packet, error) {
	switch {
	case version >= 4:
		return decodeV4(body)
	case binaryBody:
		return decodeV3Binary(body)
	}
	return decodeV3(body)
}

// decodeV4 splits on the record separator; "b" begins a base64 binary
// packet.
func decodeV4(body []byte) ([]Packet, error) {
	var out []Packet
	for part := range bytes.SplitSeq(body, []byte{separator}) {
		if len(part) > 0 && part[0] == 'b' {
			data, err := base64.StdEncoding.DecodeString(string(part[1:]))
			if err != nil {
				return out, ErrPayload
			}
			out = append(out, Packet{Data: data, Binary: true})
			continue
		}
		out = append(out, Packet{Data: part})
	}
	return out, nil
}

// decodeV3 reads "<length>:<packet>" repeatedly, the length in UTF-16 code
// units as JavaScript counts a string; "b4<base64>" is a binary packet.
func decodeV3(body []byte) ([]Packet, error) {
	var out []Packet
	for len(body) > 0 {
		colon := bytes.IndexByte(body, ':')
		if colon <= 0 {
			return out, ErrPayload
		}
		n, err := strconv.Atoi(string(body[:colon]))
		if err != nil || n < 0 {
			return out, ErrPayload
		}
		body = body[colon+1:]
		end, ok := utf16Prefix(body, n)
		if !ok {
			return out, ErrPayload
		}
		p, err := decodeV3Packet(body[:end])
		if err != nil {
			return out, err
		}
		out = append(out, p)
		body = body[end:]
	}
	return out, nil
}

func decodeV3Packet(text []byte) (Packet, error) {
	if len(text) < 2 || text[0] != 'b' {
		return Packet{Data: text}, nil
	}
	data, err := base64.StdEncoding.DecodeString(string(text[2:]))
	if err != nil || text[1] < '0' || text[1] > '6' {
		return Packet{}, ErrPayload
	}
	return Packet{Data: append([]byte{text[1] - '0'}, data...), Binary: true}, nil
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
// the packet.
func decodeV3Binary(body []byte) ([]Packet, error) {
	var out []Packet
	for len(body) > 0 {
		isBinary := body[0] == 1
		end := bytes.IndexByte(body, 0xff)
		if end < 2 || end > 12 {
			return out, ErrPayload
		}
		n := 0
		for _, d := range body[1:end] {
			if d > 9 {
				return out, ErrPayload
			}
			n = n*10 + int(d)
		}
		body = body[end+1:]
		if n > len(body) {
			return out, ErrPayload
		}
		out = append(out, Packet{Data: body[:n:n], Binary: isBinary})
		body = body[n:]
	}
	return out, nil
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
