package protocol

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// mqttPkt builds an MQTT packet from its first byte and its body's parts,
// with the Remaining Length written as the standard says.
func mqttPkt(first byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	out := []byte{first}
	n := len(body)
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			break
		}
	}
	return append(out, body...)
}

func mqttStr(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }
func u16(n int) []byte        { return []byte{byte(n >> 8), byte(n)} }
func raw(b ...byte) []byte    { return b }

func binSend(b []byte) Message    { return Message{Dir: format.Send, Binary: true, Data: b} }
func binReceive(b []byte) Message { return Message{Dir: format.Receive, Binary: true, Data: b} }

// Packets of an MQTT 3.1.1 and an MQTT 5 session, as mqtt.js and a broker
// write them (MQTT 3.1.1 and 5.0, chapter 3).
var (
	connect311   = mqttPkt(0x10, mqttStr("MQTT"), raw(4, 0x02), u16(60), mqttStr("js_1"))
	connect5     = mqttPkt(0x10, mqttStr("MQTT"), raw(5, 0x02), u16(30), raw(3, 0x21, 0, 10), mqttStr("js_5"))
	connack      = mqttPkt(0x20, raw(0, 0))
	subscribe311 = mqttPkt(0x82, u16(4242), mqttStr("room/1"), raw(1), mqttStr("news/#"), raw(0))
	subscribe5   = mqttPkt(0x82, u16(4242), raw(2, 0x0b, 7), mqttStr("room/1"), raw(0x05))
	suback311    = mqttPkt(0x90, u16(4242), raw(1, 0))
	suback5      = mqttPkt(0x90, u16(4242), raw(0), raw(1))
	unsubscribe5 = mqttPkt(0xa2, u16(9), raw(0), mqttStr("room/1"))
	unsuback5    = mqttPkt(0xb0, u16(9), raw(0), raw(0))
	publishQ0    = mqttPkt(0x30, mqttStr("room/1"), []byte("hello"))
	publishQ1    = mqttPkt(0x32, mqttStr("room/1"), u16(4243), []byte("hi"))
	publishQ2    = mqttPkt(0x34, mqttStr("room/2"), u16(4244), []byte("x"))
	puback       = mqttPkt(0x40, u16(4243))
	puback5      = mqttPkt(0x40, u16(4243), raw(0x10, 3, 0x1f, 0, 0)) // reason code 16, a reason string property
	pubrec       = mqttPkt(0x50, u16(4244))
	pubrel       = mqttPkt(0x62, u16(4244))
	pubcomp      = mqttPkt(0x70, u16(4244))
	pingreq      = []byte{0xc0, 0}
	pingresp     = []byte{0xd0, 0}
)

// TestMQTTDetect: MQTT's subprotocols, and with none (a HAR) a client
// that begins with a CONNECT, even one cut into pieces as mqtt.js sends it.
func TestMQTTDetect(t *testing.T) {
	var pieces []Message
	for _, b := range [][]byte{connect311[:1], connect311[1:2], connect311[2:4], connect311[4:8], connect311[8:]} {
		pieces = append(pieces, binSend(b))
	}
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"subprotocol mqtt", Opening{Subprotocol: "mqtt"}, "mqtt"},
		{"subprotocol of 3.1", Opening{Subprotocol: "mqttv3.1"}, "mqtt"},
		{"CONNECT first, no subprotocol", Opening{First: []Message{binSend(connect5), binReceive(connack)}}, "mqtt"},
		{"CONNECT in pieces", Opening{First: pieces}, "mqtt"},
		{"3.1's MQIsdp", Opening{First: []Message{binSend(mqttPkt(0x10, mqttStr("MQIsdp"), raw(3, 2), u16(10), mqttStr("c")))}}, "mqtt"},
		{"CONNECT as text is not MQTT", Opening{First: []Message{send(string(connect311))}}, ""},
		{"other binary", Opening{First: []Message{binSend([]byte{0x10, 3, 0, 1, 'X'})}}, ""},
		{"another subprotocol", Opening{Subprotocol: "chat", First: []Message{binSend(connect311)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := Default().Detect(tt.o); p != nil {
				got = p.Name()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMQTTDescribe: a packet's type, topic (filters), packet id and QoS;
// pings are heartbeats; a piece of a packet is not read.
func TestMQTTDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"connect 3.1.1", binSend(connect311), Description{Kind: "CONNECT", Summary: `CONNECT MQTT 3.1.1 keepalive 60s client "js_1"`}},
		{"connect 5 with properties", binSend(connect5), Description{Kind: "CONNECT", Summary: `CONNECT MQTT 5 keepalive 30s client "js_5"`}},
		{"connack", binReceive(connack), Description{Kind: "CONNACK", Summary: "CONNACK code 0"}},
		{"subscribe 3.1.1", binSend(subscribe311), Description{Kind: "SUBSCRIBE", Channel: "room/1 news/#", ID: "4242",
			Summary: `SUBSCRIBE "room/1" "news/#" id 4242`}},
		{"subscribe 5 with a subscription identifier", binSend(subscribe5), Description{Kind: "SUBSCRIBE", Channel: "room/1", ID: "4242",
			Summary: `SUBSCRIBE "room/1" id 4242`}},
		{"suback", binReceive(suback311), Description{Kind: "SUBACK", ID: "4242", Summary: "SUBACK id 4242"}},
		{"unsubscribe 5", binSend(unsubscribe5), Description{Kind: "UNSUBSCRIBE", Channel: "room/1", ID: "9", Summary: `UNSUBSCRIBE "room/1" id 9`}},
		{"publish qos 0", binReceive(publishQ0), Description{Kind: "PUBLISH", Channel: "room/1",
			Summary: `PUBLISH "room/1" qos 0 5 bytes "hello"`}},
		{"publish qos 1", binSend(publishQ1), Description{Kind: "PUBLISH", Channel: "room/1", ID: "4243",
			Summary: `PUBLISH "room/1" qos 1 id 4243 2 bytes "hi"`}},
		{"puback 5 with reason", binReceive(puback5), Description{Kind: "PUBACK", ID: "4243", Summary: "PUBACK id 4243"}},
		{"pubrel", binSend(pubrel), Description{Kind: "PUBREL", ID: "4244", Summary: "PUBREL id 4244"}},
		{"pingreq", binSend(pingreq), Description{Kind: "PINGREQ", Heartbeat: true, Summary: "PINGREQ"}},
		{"pingresp", binReceive(pingresp), Description{Kind: "PINGRESP", Heartbeat: true, Summary: "PINGRESP"}},
		{"two packets", binReceive(append(bytes.Clone(suback311), puback...)), Description{Kind: "SUBACK", ID: "4242",
			Summary: "SUBACK id 4242 (+1 packets)"}},
		{"a ping beside a packet is no heartbeat", binReceive(append(bytes.Clone(pingresp), puback...)), Description{Kind: "PINGRESP",
			Summary: "PINGRESP (+1 packets)"}},
		{"two pings", binSend(append(bytes.Clone(pingreq), pingreq...)), Description{Kind: "PINGREQ", Heartbeat: true, Summary: "PINGREQ (+1 packets)"}},
		{"a piece of a packet", binSend(connect311[:5]), Description{}},
		{"text", send("hello"), Description{}},
		{"type 0", binSend([]byte{0x00, 0}), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (MQTT{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestMQTTHeartbeat: a client's PINGREQ gets a PINGRESP; nothing else
// gets a reply, and MQTT servers start no heartbeat.
func TestMQTTHeartbeat(t *testing.T) {
	r, ok := MQTT{}.ReplyHeartbeat(binSend(pingreq))
	if !ok || !bytes.Equal(r.Data, pingresp) || !r.Binary || r.Dir != format.Receive {
		t.Errorf("PINGREQ: got %+v, %v", r, ok)
	}
	for _, m := range []Message{binReceive(pingreq), binSend(publishQ0), binSend(pingreq[:1]), send("\xc0\x00")} {
		if r, ok := (MQTT{}).ReplyHeartbeat(m); ok {
			t.Errorf("%+v answered with %+v", m, r)
		}
	}
	if _, ok := Profile(MQTT{}).(HeartbeatSender); ok {
		t.Error("MQTT is a HeartbeatSender; its servers do not ping")
	}
}

// TestMQTTPairing: acknowledgements wait for the live packet they answer
// (by packet type and topic) and carry the live client's packet id, with
// every other byte as recorded, in 3.1.1 and in 5.
func TestMQTTPairing(t *testing.T) {
	withID := func(b []byte, at, id int) []byte {
		out := bytes.Clone(b)
		out[at], out[at+1] = byte(id>>8), byte(id)
		return out
	}
	p := NewPairing(MQTT{})
	check := func(step string, reply []byte, ready bool, want []byte) {
		t.Helper()
		m := binReceive(reply)
		if got := p.Ready(m); got != ready {
			t.Fatalf("%s: Ready = %v, want %v", step, got, ready)
		}
		if got := p.Rewrite(m); ready && !bytes.Equal(got, want) {
			t.Errorf("%s: Rewrite\n got % x\nwant % x", step, got, want)
		}
	}
	p.Recorded(binSend(subscribe5))
	check("suback before the live subscribe", suback5, false, nil)
	p.Live(binSend(withID(subscribe311, 2, 17))) // another packet, same filter: not the same request
	check("suback after another subscribe", suback5, false, nil)
	p.Live(binSend(withID(subscribe5, 2, 7)))
	check("suback", suback5, true, withID(suback5, 2, 7))

	p.Recorded(binSend(publishQ1))
	p.Recorded(binSend(publishQ2))
	p.Live(binSend(withID(publishQ2, 10, 8)))
	check("pubrec", pubrec, true, withID(pubrec, 2, 8))
	check("puback waits for its publish", puback5, false, nil)
	p.Live(binSend(withID(publishQ1, 10, 9)))
	check("puback 5 keeps its reason and properties", puback5, true, withID(puback5, 2, 9))

	p.Recorded(binSend(pubrel))
	check("pubcomp waits for the live pubrel", pubcomp, false, nil)
	p.Live(binSend(withID(pubrel, 2, 8)))
	check("pubcomp", pubcomp, true, withID(pubcomp, 2, 8))

	p.Recorded(binSend(unsubscribe5))
	p.Live(binSend(withID(unsubscribe5, 2, 65535)))
	check("unsuback", unsuback5, true, withID(unsuback5, 2, 65535))

	check("a server's publish is not an echo", publishQ1, true, publishQ1)
	check("several acks in one message", append(bytes.Clone(pubcomp), suback5...), true,
		append(withID(pubcomp, 2, 8), withID(suback5, 2, 7)...))
}

// TestMQTTRewriteKeepsBadValues: a learned value that is no packet id
// leaves the message as it was.
func TestMQTTRewriteKeepsBadValues(t *testing.T) {
	for _, v := range []string{"0", "65536", "-1", "x", ""} {
		got := MQTT{}.Rewrite(binReceive(puback), func(ID) (string, bool) { return v, true })
		if !bytes.Equal(got, puback) {
			t.Errorf("to %q: got % x", v, got)
		}
	}
}

// TestMQTTSplitter: a stream of WebSocket messages is cut into whole
// packets per direction: a CONNECT in 9 messages as mqtt.js sends it,
// several packets in one message, a packet's end with the next one's
// start; bytes that are no MQTT, or a packet over the budget, go through
// as they came.
func TestMQTTSplitter(t *testing.T) {
	s := MQTT{}.NewSplitter()
	cuts := []int{1, 2, 4, 8, 9, 10, 12, 14, len(connect311)} // header, length, name length, name, level, flags, keep alive, id length, id
	prev := 0
	for i, c := range cuts {
		got := s.Split(binSend(connect311[prev:c]))
		prev = c
		if i < len(cuts)-1 && len(got) != 0 {
			t.Fatalf("piece %d: got %d packets before the CONNECT is whole", i, len(got))
		}
		if i == len(cuts)-1 && (len(got) != 1 || !bytes.Equal(got[0].Data, connect311) || got[0].Dir != format.Send || !got[0].Binary) {
			t.Fatalf("last piece: got %+v, want the CONNECT", got)
		}
	}
	if got := s.Split(binReceive(append(bytes.Clone(connack), suback311[:3]...))); len(got) != 1 || !bytes.Equal(got[0].Data, connack) {
		t.Fatalf("connack and a piece: got %+v", got)
	}
	if got := s.Split(binSend(pingreq)); len(got) != 1 || !bytes.Equal(got[0].Data, pingreq) {
		t.Fatalf("the other direction is its own stream: got %+v", got)
	}
	got := s.Split(binReceive(append(bytes.Clone(suback311[3:]), append(bytes.Clone(puback), pingresp[:1]...)...)))
	if len(got) != 2 || !bytes.Equal(got[0].Data, suback311) || !bytes.Equal(got[1].Data, puback) {
		t.Fatalf("suback's end, a puback, a piece: got %+v", got)
	}
	if rest := s.Rest(); len(rest) != 1 || !bytes.Equal(rest[0].Data, pingresp[:1]) || rest[0].Dir != format.Receive {
		t.Fatalf("Rest = %+v", rest)
	}
	if rest := s.Rest(); len(rest) != 0 {
		t.Fatalf("Rest again = %+v", rest)
	}

	t.Run("no MQTT goes through", func(t *testing.T) {
		s := MQTT{}.NewSplitter()
		junk := []byte{0x00, 1, 2}
		if got := s.Split(binSend(junk)); len(got) != 1 || !bytes.Equal(got[0].Data, junk) {
			t.Fatalf("got %+v", got)
		}
		// Out of step, the stream cannot be cut again: a piece goes on as it is.
		if got := s.Split(binSend(connect311[:3])); len(got) != 1 || !bytes.Equal(got[0].Data, connect311[:3]) {
			t.Fatalf("after junk: got %+v", got)
		}
		if got := s.Split(binReceive(connack[:1])); len(got) != 0 {
			t.Fatalf("the other direction is still cut: got %+v", got)
		}
	})
	t.Run("over the budget goes through", func(t *testing.T) {
		s := MQTT{}.NewSplitter()
		big := []byte{0x30, 0xff, 0xff, 0xff, 0x7f, 0, 1, 'a'} // a PUBLISH that says it is 256 MiB
		if got := s.Split(binSend(big)); len(got) != 1 || !bytes.Equal(got[0].Data, big) {
			t.Fatalf("got %+v", got)
		}
		if rest := s.Rest(); len(rest) != 0 {
			t.Errorf("held %+v", rest)
		}
	})
	t.Run("text goes as it is", func(t *testing.T) {
		s := MQTT{}.NewSplitter()
		s.Split(binSend(connect311[:3]))
		if got := s.Split(send("hi")); len(got) != 1 || string(got[0].Data) != "hi" {
			t.Fatalf("got %+v", got)
		}
		if got := s.Split(binSend(connect311[3:])); len(got) != 1 || !bytes.Equal(got[0].Data, connect311) {
			t.Fatalf("the CONNECT after a text message: %+v", got)
		}
	})
}

// TestMQTTSplitterDoesNotKeepCallersBytes: what a splitter holds is its
// own copy, so a caller may reuse its read buffer.
func TestMQTTSplitterDoesNotKeepCallersBytes(t *testing.T) {
	s := MQTT{}.NewSplitter()
	buf := bytes.Clone(publishQ1[:6])
	s.Split(binSend(buf))
	copy(buf, strings.Repeat("\xee", len(buf)))
	got := s.Split(binSend(publishQ1[6:]))
	if len(got) != 1 || !bytes.Equal(got[0].Data, publishQ1) {
		t.Fatalf("got %+v, want the PUBLISH", got)
	}
}
