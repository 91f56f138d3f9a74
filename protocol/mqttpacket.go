package protocol

import (
	"fmt"
	"iter"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// The MQTT control packet types (MQTT 5.0 section 2.1.2; 15 is 5's AUTH).
const (
	mqttConnect     = 1
	mqttConnack     = 2
	mqttPublish     = 3
	mqttPuback      = 4
	mqttPubrec      = 5
	mqttPubrel      = 6
	mqttPubcomp     = 7
	mqttSubscribe   = 8
	mqttSuback      = 9
	mqttUnsubscribe = 10
	mqttUnsuback    = 11
	mqttPingreq     = 12
	mqttPingresp    = 13
)

var mqttTypeNames = [16]string{"", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
	"SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"}

// What mqttFixed found at the start of some bytes.
const (
	mqttWhole   = iota // a whole fixed header
	mqttPartial        // the start of one: more bytes are needed
	mqttBad            // no packet starts so: type 0, or a Remaining Length over 4 bytes
)

// mqttFixed reads the fixed header at the start of b: the Remaining
// Length (a Variable Byte Integer, at most 4 bytes: MQTT 5.0 section
// 1.5.5) and the header's size.
func mqttFixed(b []byte) (length, hdr, st int) {
	if len(b) == 0 {
		return 0, 0, mqttPartial
	}
	if b[0]>>4 == 0 {
		return 0, 0, mqttBad
	}
	n, size, st := mqttVarint(b[1:])
	return n, size + 1, st
}

// mqttVarint reads a Variable Byte Integer at the start of b.
func mqttVarint(b []byte) (n, size, st int) {
	for i := 0; i < 4; i++ {
		if i == len(b) {
			return 0, 0, mqttPartial
		}
		n |= int(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return n, i + 1, mqttWhole
		}
	}
	return 0, 0, mqttBad
}

// mqttPacket is one whole MQTT control packet within a message.
type mqttPacket struct {
	typ, flags byte
	hdr        int    // the fixed header's size
	body       []byte // the variable header and payload
	idAt       int    // where in body the packet id is; -1 if it has none
}

func (p mqttPacket) size() int { return p.hdr + len(p.body) }

// mqttPackets yields the whole packets at the start of a binary
// message, in order, up to the first that is not whole; none of a text
// message, as MQTT packets travel in binary messages only [MQTT-6.0.0-1].
func mqttPackets(m Message) iter.Seq[mqttPacket] {
	return func(yield func(mqttPacket) bool) {
		for b := m.Data; len(b) > 0 && m.Binary; {
			length, hdr, st := mqttFixed(b)
			if st != mqttWhole || len(b)-hdr < length {
				return
			}
			p := mqttPacket{typ: b[0] >> 4, flags: b[0] & 0x0f, hdr: hdr, body: b[hdr : hdr+length]}
			p.idAt = p.findID()
			if !yield(p) {
				return
			}
			b = b[hdr+length:]
		}
	}
}

// mqttFirst returns the first packet of a message, if it begins with a
// whole one.
func mqttFirst(m Message) (mqttPacket, bool) {
	for p := range mqttPackets(m) {
		return p, true
	}
	return mqttPacket{}, false
}

// findID returns where the packet id is in the body: after the topic of
// a PUBLISH of QoS 1 or 2, first in the acknowledgements, SUBSCRIBE and
// UNSUBSCRIBE (MQTT 5.0 section 2.2.1); -1 for a packet without one.
func (p mqttPacket) findID() int {
	at := 0
	switch p.typ {
	case mqttPublish:
		qos := p.flags >> 1 & 3
		if qos == 0 || qos == 3 || len(p.body) < 2 {
			return -1
		}
		at = 2 + mqttUint16(p.body)
	case mqttPuback, mqttPubrec, mqttPubrel, mqttPubcomp, mqttSubscribe, mqttSuback, mqttUnsubscribe, mqttUnsuback:
	default:
		return -1
	}
	if at+2 > len(p.body) {
		return -1
	}
	return at
}

func (p mqttPacket) id() (uint16, bool) {
	if p.idAt < 0 {
		return 0, false
	}
	return uint16(mqttUint16(p.body[p.idAt:])), true
}

// mqttUint16 reads a Two Byte Integer (big-endian) at the start of b,
// which has at least 2 bytes.
func mqttUint16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

// echoed returns the packet id of a server's acknowledgement of a
// client's packet.
func (p mqttPacket) echoed(dir format.Dir) (uint16, bool) {
	switch p.typ {
	case mqttPuback, mqttPubrec, mqttPubcomp, mqttSuback, mqttUnsuback:
		if dir == format.Receive {
			return p.id()
		}
	}
	return 0, false
}

// topic returns a PUBLISH's topic name.
func (p mqttPacket) topic() string {
	s, _, _ := mqttString(p.body)
	return s
}

// mqttString reads a UTF-8 Encoded String (a 2-byte length, then the
// bytes) at the start of b, and what follows it.
func mqttString(b []byte) (string, []byte, bool) {
	if len(b) < 2 || len(b)-2 < mqttUint16(b) {
		return "", nil, false
	}
	n := 2 + mqttUint16(b)
	return string(b[2:n]), b[n:], true
}

// filters returns the topic filters of a SUBSCRIBE or UNSUBSCRIBE. Its
// layout differs by version (5 puts properties before the filters) and a
// packet does not say its version, so it is read as 3.1.1 first and as 5
// when that does not fit: a 5 packet's property length (most often 0)
// reads as a 3.1.1 filter of the wrong length, or empty, which 3.1.1
// forbids [MQTT-4.7.3-1].
func (p mqttPacket) filters() []string {
	if p.idAt < 0 {
		return nil
	}
	rest := p.body[p.idAt+2:]
	options := p.typ == mqttSubscribe
	if f, ok := mqttFilterList(rest, options, 0xfc); ok {
		return f
	}
	n, size, st := mqttVarint(rest)
	if st != mqttWhole || len(rest)-size < n {
		return nil
	}
	f, _ := mqttFilterList(rest[size+n:], options, 0xc0)
	return f
}

// mqttFilterList reads a list of topic filters that fills b, each
// followed by an options byte when options is set, whose reserved bits
// (reserved) must be 0.
func mqttFilterList(b []byte, options bool, reserved byte) ([]string, bool) {
	var fs []string
	for len(b) > 0 {
		f, rest, ok := mqttString(b)
		if !ok || f == "" || !utf8.ValidString(f) {
			return nil, false
		}
		if options {
			if len(rest) == 0 || rest[0]&reserved != 0 || rest[0]&3 == 3 {
				return nil, false
			}
			rest = rest[1:]
		}
		fs, b = append(fs, f), rest
	}
	return fs, len(fs) > 0
}

// describeMQTT reads one packet for people and tools.
func describeMQTT(p mqttPacket) Description {
	d := Description{Kind: mqttTypeNames[p.typ], Heartbeat: p.typ == mqttPingreq || p.typ == mqttPingresp}
	parts := []string{d.Kind}
	if id, ok := p.id(); ok {
		d.ID = strconv.Itoa(int(id))
	}
	switch p.typ {
	case mqttConnect:
		parts = append(parts, describeConnect(p.body)...)
	case mqttConnack:
		if len(p.body) >= 2 {
			parts = append(parts, "code "+strconv.Itoa(int(p.body[1])))
		}
	case mqttPublish:
		d.Channel = p.topic()
		parts = append(parts, strconv.Quote(d.Channel), "qos "+strconv.Itoa(int(p.flags>>1&3)))
	case mqttSubscribe, mqttUnsubscribe:
		fs := p.filters()
		q := make([]string, len(fs))
		for i, f := range fs {
			q[i] = strconv.Quote(f)
		}
		d.Channel = strings.Join(fs, " ")
		parts = append(parts, q...)
	}
	if d.ID != "" {
		parts = append(parts, "id "+d.ID)
	}
	if p.typ == mqttPublish {
		parts = append(parts, describePayload(p.body[min(len(p.body), p.payloadAt()):]))
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// payloadAt returns where a PUBLISH's bytes after its topic and packet
// id start: the payload in 3.1.1, its properties first in 5.
func (p mqttPacket) payloadAt() int {
	if p.idAt >= 0 {
		return p.idAt + 2
	}
	if len(p.body) < 2 {
		return len(p.body)
	}
	return 2 + mqttUint16(p.body)
}

// describePayload shows a payload's size and its first bytes.
func describePayload(b []byte) string {
	const preview = 64
	s := fmt.Sprintf("%d bytes", len(b))
	if len(b) > 0 {
		s += " " + strconv.Quote(string(b[:min(len(b), preview)]))
	}
	if len(b) > preview {
		s += " …"
	}
	return s
}

// describeConnect reads a CONNECT's protocol version, keep alive and
// client id (MQTT 5.0 section 3.1.2; 5 has properties before the id).
func describeConnect(b []byte) []string {
	name, rest, ok := mqttString(b)
	if !ok || len(rest) < 4 || name != "MQTT" && name != "MQIsdp" {
		return nil
	}
	level, keepAlive := rest[0], mqttUint16(rest[2:])
	versions := map[byte]string{3: "3.1", 4: "3.1.1", 5: "5"}
	v, ok := versions[level]
	if !ok {
		v = "level " + strconv.Itoa(int(level))
	}
	parts := []string{"MQTT " + v, fmt.Sprintf("keepalive %ds", keepAlive)}
	rest = rest[4:]
	if level == 5 {
		n, size, st := mqttVarint(rest)
		if st != mqttWhole || len(rest)-size < n {
			return parts
		}
		rest = rest[size+n:]
	}
	if id, _, ok := mqttString(rest); ok {
		parts = append(parts, "client "+strconv.Quote(id))
	}
	return parts
}
