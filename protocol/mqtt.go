package protocol

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// MQTT is the profile of MQTT 3.1, 3.1.1 and 5 over WebSocket (the OASIS
// standards MQTT Version 3.1.1 and MQTT Version 5.0, chapter 6 of each:
// subprotocol "mqtt", "mqttv3.1" for 3.1; packets in binary messages,
// which may hold several packets or part of one).
//
// The client starts the heartbeats (PINGREQ, answered by PINGRESP:
// HeartbeatReplier). The packet ids the client chooses for a SUBSCRIBE,
// an UNSUBSCRIBE, a PUBLISH of QoS 1 or 2 and a PUBREL are echoed by the
// server's SUBACK, UNSUBACK, PUBACK or PUBREC, and PUBCOMP (Echoer): the
// same request is the same packet type and topic (or topic filters). The
// profile cuts the byte stream into packets (Framer).
//
// It reads the fixed header, the Remaining Length, topics and packet ids
// itself rather than through an MQTT library: the Go libraries each speak
// one of the two versions a session may use (eclipse/paho.mqtt.golang's
// packets 3.1.1, eclipse/paho.golang's 5), a rewrite must keep every byte
// but the packet id (re-encoding a 5 packet as 3.1.1 drops its reason
// code and properties), and paho.mqtt.golang's ReadPacket allocates the
// Remaining Length a header declares before reading it (256 MiB for 5
// bytes of a recording).
type MQTT struct{}

// Name returns "mqtt", the subprotocol.
func (MQTT) Name() string { return "mqtt" }

// Recognize reports the subprotocol "mqtt" or "mqttv3.1", or with no
// subprotocol (a HAR), a client whose first bytes are an MQTT CONNECT.
func (MQTT) Recognize(o Opening) bool {
	if o.Subprotocol != "" {
		return o.Subprotocol == "mqtt" || o.Subprotocol == "mqttv3.1"
	}
	var head []byte // the client's first bytes, across messages (mqtt.js sends a byte or two at a time)
	for _, m := range o.First {
		if m.Dir != format.Send {
			continue
		}
		if !m.Binary {
			return false
		}
		head = append(head, m.Data[:min(len(m.Data), 16-len(head))]...)
		if len(head) == 16 {
			break
		}
	}
	return mqttConnectStart(head)
}

// mqttConnectStart reports whether b begins as a CONNECT does: the
// fixed header, then the protocol name "MQTT" (3.1.1, 5) or "MQIsdp" (3.1).
func mqttConnectStart(b []byte) bool {
	if len(b) == 0 || b[0] != mqttConnect<<4 {
		return false
	}
	_, hdr, st := mqttFixed(b)
	if st != mqttWhole && st != mqttPartial || hdr == 0 {
		return false
	}
	rest := string(b[hdr:])
	return strings.HasPrefix(rest, "\x00\x04MQTT") || strings.HasPrefix(rest, "\x00\x06MQIsdp")
}

// Describe reads the first packet of a message: its type as Kind, the
// topic of a PUBLISH (the topic filters of a SUBSCRIBE or UNSUBSCRIBE,
// space-separated) as Channel, its packet id as ID; PINGREQ and PINGRESP
// are heartbeats. A message with more packets says how many in its
// Summary, and is a heartbeat only if all its packets are. A message
// that does not begin with a whole packet (a piece of one) gets an empty
// Description.
func (MQTT) Describe(m Message) Description {
	var d Description
	n := 0
	for p := range mqttPackets(m) {
		if n == 0 {
			d = describeMQTT(p)
		}
		d.Heartbeat = d.Heartbeat && (p.typ == mqttPingreq || p.typ == mqttPingresp)
		n++
	}
	if n > 1 {
		d.Summary += fmt.Sprintf(" (+%d packets)", n-1)
	}
	return d
}

// ReplyHeartbeat answers a client's PINGREQ with a PINGRESP.
func (MQTT) ReplyHeartbeat(m Message) (Message, bool) {
	p, ok := mqttFirst(m)
	if m.Dir != format.Send || !ok || p.typ != mqttPingreq {
		return Message{}, false
	}
	return Message{Dir: format.Receive, Binary: true, Data: []byte{mqttPingresp << 4, 0}}, true
}

// Request reads the first packet of a client message: a SUBSCRIBE or
// UNSUBSCRIBE (the same request: the same type and topic filters), a
// PUBLISH of QoS 1 or 2 (the same type and topic) or a PUBREL (every
// PUBREL is the same request: they come in the order of their PUBRECs).
// Its packet id is scoped "packet id": a client's packet ids are one
// space, reused once acknowledged.
func (MQTT) Request(m Message) (Request, bool) {
	p, ok := mqttFirst(m)
	if m.Dir != format.Send || !ok {
		return Request{}, false
	}
	id, ok := p.id()
	if !ok {
		return Request{}, false
	}
	same := mqttTypeNames[p.typ]
	switch p.typ {
	case mqttPublish:
		same += " " + strconv.Quote(p.topic())
	case mqttSubscribe, mqttUnsubscribe:
		for _, f := range p.filters() {
			same += " " + strconv.Quote(f)
		}
	case mqttPubrel:
	default:
		return Request{}, false
	}
	return Request{Same: same, IDs: []ID{mqttID(id)}}, true
}

// Echoes returns the packet ids of the server's SUBACK, UNSUBACK, PUBACK,
// PUBREC and PUBCOMP packets in a message, in order.
func (MQTT) Echoes(m Message) []ID {
	var ids []ID
	for p := range mqttPackets(m) {
		if id, ok := p.echoed(m.Dir); ok {
			ids = append(ids, mqttID(id))
		}
	}
	return ids
}

// Rewrite gives each packet of a message that echoes a packet id the id
// to() names (a number from 1 to 65535), in place: every other byte is
// kept.
func (MQTT) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	out, off := m.Data, 0
	for p := range mqttPackets(m) {
		at := off + p.hdr + p.idAt
		off += p.size()
		id, ok := p.echoed(m.Dir)
		if !ok {
			continue
		}
		v, ok := to(mqttID(id))
		live, err := strconv.ParseUint(v, 10, 16)
		if !ok || err != nil || live == 0 || live == uint64(id) {
			continue
		}
		if &out[0] == &m.Data[0] { // the first id replaced: the message is the caller's
			out = append([]byte(nil), m.Data...)
		}
		out[at], out[at+1] = byte(live>>8), byte(live)
	}
	return out
}

// NewSplitter returns a Splitter that cuts a stream of WebSocket
// messages into MQTT packets.
func (MQTT) NewSplitter() Splitter { return &mqttSplitter{} }

func mqttID(id uint16) ID { return ID{Scope: "packet id", Value: strconv.Itoa(int(id))} }

// maxMQTTHeld is the most a splitter holds of a packet not yet whole:
// a packet that says it is longer is not cut out (its direction is
// passed through), so a recording or a client cannot make a replay hold
// up to the 256 MiB MQTT allows.
const maxMQTTHeld = 16 << 20

// mqttSplitter cuts the byte stream of each direction into packets.
type mqttSplitter struct {
	held    [2][]byte // per direction: the start of a packet not yet whole
	through [2]bool   // per direction: given up, messages go as they come
}

func dirIndex(d format.Dir) int {
	if d == format.Send {
		return 0
	}
	return 1
}

// Split returns the packets m completes. A text message (MQTT has none)
// goes as it is, apart from the stream.
func (s *mqttSplitter) Split(m Message) []Message {
	i := dirIndex(m.Dir)
	if !m.Binary || s.through[i] {
		return []Message{m}
	}
	b := m.Data
	if len(s.held[i]) > 0 {
		b = append(s.held[i], m.Data...)
		s.held[i] = nil
	}
	var out []Message
	for len(b) > 0 {
		length, hdr, st := mqttFixed(b)
		if st == mqttBad || st == mqttWhole && hdr+length > maxMQTTHeld {
			s.through[i] = true // no way back into step: MQTT has no marker to find the next packet by
			return append(out, Message{Dir: m.Dir, Binary: true, Data: b})
		}
		if st == mqttPartial || len(b) < hdr+length {
			s.held[i] = append([]byte(nil), b...)
			break
		}
		out = append(out, Message{Dir: m.Dir, Binary: true, Data: b[: hdr+length : hdr+length]})
		b = b[hdr+length:]
	}
	return out
}

// Rest returns and forgets the start of a packet each direction holds.
func (s *mqttSplitter) Rest() []Message {
	var out []Message
	for i, dir := range []format.Dir{format.Send, format.Receive} {
		if len(s.held[i]) > 0 {
			out = append(out, Message{Dir: dir, Binary: true, Data: s.held[i]})
			s.held[i] = nil
		}
	}
	return out
}
