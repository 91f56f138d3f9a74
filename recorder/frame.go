package recorder

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// The proxy relays WebSocket frames as they arrive, bytes unchanged, and
// reads them only to record them and to enforce the protocol's limits. This
// file is that reading: RFC 6455 section 5 framing, without extensions
// (the proxy never negotiates any).

// Frame opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// maxHeaderSize is the longest frame header: 2 bytes, an 8-byte length and
// a 4-byte masking key.
const maxHeaderSize = 14

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin    bool
	opcode byte
	masked bool
	key    [4]byte
	length int64
	size   int // bytes of the header itself
}

// protocolError is a frame that breaks RFC 6455; the proxy ends the
// session with 1002 and this reason.
type protocolError string

func (e protocolError) Error() string { return string(e) }

// parseHeader parses the frame header at the start of b. ok is false if b
// holds only the beginning of one.
func parseHeader(b []byte) (h frameHeader, ok bool, err error) {
	if len(b) < 2 {
		return h, false, nil
	}
	h.fin = b[0]&0x80 != 0
	h.opcode = b[0] & 0x0f
	h.masked = b[1]&0x80 != 0
	n := 2
	switch l := b[1] & 0x7f; l {
	case 126:
		if len(b) < 4 {
			return h, false, nil
		}
		h.length, n = int64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return h, false, nil
		}
		v := binary.BigEndian.Uint64(b[2:])
		if v>>63 != 0 {
			return h, true, protocolError("frame length has its top bit set")
		}
		h.length, n = int64(v), 10
	default:
		h.length = int64(l)
	}
	if h.masked {
		if len(b) < n+4 {
			return h, false, nil
		}
		copy(h.key[:], b[n:n+4])
		n += 4
	}
	h.size = n
	if b[0]&0x70 != 0 {
		return h, true, protocolError("reserved bits set, but no extension was negotiated")
	}
	switch h.opcode {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		if !h.fin {
			return h, true, protocolError("fragmented control frame")
		}
		if h.length > 125 {
			return h, true, protocolError("control frame longer than 125 bytes")
		}
	default:
		return h, true, protocolError(fmt.Sprintf("unknown opcode %#x", h.opcode))
	}
	return h, true, nil
}

// frameParser follows the frames of one direction of a connection across
// reads: where each frame begins and ends, and which bytes are its payload.
// parseHeader checks a header on its own; what it means for the connection
// (masking, fragments, limits) is the caller's to check before start. The
// zero value is between frames.
type frameParser struct {
	h         frameHeader // the frame being read, if inFrame
	inFrame   bool
	remaining int64 // payload bytes of h still to come
	pos       int64 // payload bytes of h seen
}

// start begins reading the frame whose header is h.
func (fp *frameParser) start(h frameHeader) {
	fp.h, fp.inFrame, fp.remaining, fp.pos = h, true, h.length, 0
}

// payload takes the payload of the frame being read from the start of b, as
// much of it as b holds, and returns it with its offset in the frame's
// payload (to unmask it with: see appendUnmasked).
func (fp *frameParser) payload(b []byte) (chunk []byte, pos int64) {
	k := int(min(fp.remaining, int64(len(b))))
	pos = fp.pos
	fp.pos += int64(k)
	fp.remaining -= int64(k)
	return b[:k], pos
}

// end reports whether the frame being read is whole; it is then read, and
// the next bytes begin a new frame.
func (fp *frameParser) end() bool {
	if fp.remaining > 0 {
		return false
	}
	fp.inFrame = false
	return true
}

// appendUnmasked appends payload to dst, unmasked with key as if payload
// began at offset pos of its frame's payload. An unmasked frame (key all
// zero) is copied unchanged.
func appendUnmasked(dst, payload []byte, key [4]byte, pos int64) []byte {
	start := len(dst)
	dst = append(dst, payload...)
	if key != [4]byte{} {
		mask(dst[start:], key, pos)
	}
	return dst
}

// mask XORs b with key, b starting at offset pos of the payload; masking
// and unmasking are the same operation.
func mask(b []byte, key [4]byte, pos int64) {
	k := uint32(key[0]) | uint32(key[1])<<8 | uint32(key[2])<<16 | uint32(key[3])<<24
	if r := pos & 3; r != 0 { // rotate so that b[0] meets key[pos%4]
		k = k>>(8*r) | k<<(32-8*r)
	}
	k64 := uint64(k) | uint64(k)<<32
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, binary.LittleEndian.Uint64(b)^k64)
		b = b[8:]
	}
	for i := range b {
		b[i] ^= byte(k >> (8 * (i & 3)))
	}
}

// closeFrame builds a close frame with code and reason, masked if it goes
// to the upstream (frames from a client are always masked).
func closeFrame(code int, reason string, masked bool) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
		for !utf8.ValidString(reason) {
			reason = reason[:len(reason)-1]
		}
	}
	payload := binary.BigEndian.AppendUint16(nil, uint16(code))
	payload = append(payload, reason...)
	f := []byte{0x80 | opClose, byte(len(payload))}
	if masked {
		var key [4]byte
		rand.Read(key[:])
		f[1] |= 0x80
		f = append(f, key[:]...)
		start := len(f)
		f = append(f, payload...)
		mask(f[start:], key, 0)
		return f
	}
	return append(f, payload...)
}

// parseClose reads a close frame's payload: no payload is 1005, as RFC 6455
// reports it; one byte, a code that may not be sent (see format.WireCode), or a
// reason that is not UTF-8 is a protocol error.
func parseClose(payload []byte) (code int, reason string, err error) {
	switch {
	case len(payload) == 0:
		return 1005, "", nil
	case len(payload) == 1:
		return 0, "", protocolError("close frame with a 1-byte payload")
	case !utf8.Valid(payload[2:]):
		return 0, "", protocolError("close reason is not UTF-8")
	}
	code = int(binary.BigEndian.Uint16(payload))
	if !format.WireCode(code) {
		return 0, "", protocolError(fmt.Sprintf("close code %d may not be sent in a close frame", code))
	}
	return code, string(payload[2:]), nil
}
