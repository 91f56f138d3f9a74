package engineio

import (
	"bytes"
	"net/url"
	"testing"
)

func TestDecodePayload(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name    string
		version int
		body    string
		binary  bool
		want    []Packet
	}{
		{"v4 one", 4, `0{"sid":"x"}`, false, []Packet{{Data: []byte(`0{"sid":"x"}`)}}},
		{"v4 several", 4, "2\x1e42[\"a\"]\x1ebAAEC", false, []Packet{{Data: []byte("2")}, {Data: []byte(`42["a"]`)}, {Data: []byte{0, 1, 2}, Binary: true}}},
		{"v3 string", 3, "2:40\x31:2", false, []Packet{{Data: []byte("40")}, {Data: []byte("2")}}},
		{"v3 utf16", 3, "5:4\"😀\"1:6", false, []Packet{{Data: []byte("4\"😀\"")}, {Data: []byte("6")}}},
		{"v3 base64", 3, "6:b4AAEC", false, []Packet{{Data: []byte{4, 0, 1, 2}, Binary: true}}},
		{"v3 binary", 3, "\x00\x02\xff40\x01\x04\xff\x04\x00\x01\x02", true, []Packet{{Data: []byte("40")}, {Data: []byte{4, 0, 1, 2}, Binary: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePayload(tt.version, []byte(tt.body), tt.binary)
			if err != nil {
				t.Fatal(err)
			}
			if !samePackets(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			b64 := !tt.binary
			body, ct := EncodePayload(tt.version, got, b64)
			if tt.version == 4 || tt.binary == (ct == "application/octet-stream") {
				again, err := DecodePayload(tt.version, body, ct == "application/octet-stream")
				if err != nil || !samePackets(again, tt.want) {
					t.Errorf("encoded %q, read back %v, %v", body, again, err)
				}
			}
		})
	}
}

func TestDecodePayloadMalformed(t *testing.T) {
	t.Parallel()

	for _, body := range []string{"x:1", "5:ab", "1", "b4@@"} {
		t.Run(body, func(t *testing.T) {
			if _, err := DecodePayload(3, []byte(body), false); err == nil {
				t.Errorf("%q: no error", body)
			}
		})
	}
}

func samePackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Binary != b[i].Binary || !bytes.Equal(a[i].Data, b[i].Data) {
			return false
		}
	}
	return true
}

func TestParseSocketIO(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in    string
		want  SocketIO
		event string
	}{
		{`40`, SocketIO{Type: SIOConnect, Namespace: "/", Data: []byte{}}, ""},
		{`40/admin,{"token":"x"}`, SocketIO{Type: SIOConnect, Namespace: "/admin", Data: []byte(`{"token":"x"}`)}, ""},
		{`40/admin,`, SocketIO{Type: SIOConnect, Namespace: "/admin", Data: []byte{}}, ""},
		{`42["ev",1]`, SocketIO{Type: SIOEvent, Namespace: "/", Data: []byte(`["ev",1]`)}, "ev"},
		{`42/chat,17["ev"]`, SocketIO{Type: SIOEvent, Namespace: "/chat", ID: 17, HasID: true, Data: []byte(`["ev"]`)}, "ev"},
		{`431[{"ok":true}]`, SocketIO{Type: SIOAck, Namespace: "/", ID: 1, HasID: true, Data: []byte(`[{"ok":true}]`)}, ""},
		{`451-["bin",{"_placeholder":true,"num":0}]`, SocketIO{Type: SIOBinaryEvent, Attachments: 1, Namespace: "/", Data: []byte(`["bin",{"_placeholder":true,"num":0}]`)}, "bin"},
		{`462-/a,9[{}]`, SocketIO{Type: SIOBinaryAck, Attachments: 2, Namespace: "/a", ID: 9, HasID: true, Data: []byte(`[{}]`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseSocketIO([]byte(tt.in))
			if !ok {
				t.Fatal("not parsed")
			}
			if got.Type != tt.want.Type || got.Attachments != tt.want.Attachments || got.Namespace != tt.want.Namespace ||
				got.ID != tt.want.ID || got.HasID != tt.want.HasID || !bytes.Equal(got.Data, tt.want.Data) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if ev, _ := got.Event(); ev != tt.event {
				t.Errorf("event %q, want %q", ev, tt.event)
			}
			if enc := got.Encode(); string(enc) != tt.in {
				t.Errorf("encoded %q, want %q", enc, tt.in)
			}
		})
	}
	for _, bad := range []string{"2", "4", "47", "45x-[]", "4-"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, ok := ParseSocketIO([]byte(bad)); ok {
				t.Errorf("%q parsed", bad)
			}
		})
	}
}

func TestParseQueryAndOpen(t *testing.T) {
	t.Parallel()

	q, ok := ParseQuery(url.Values{"EIO": {"4"}, "transport": {"polling"}, "sid": {"abc"}})
	if !ok || q.Version != 4 || q.Transport != "polling" || q.SID != "abc" {
		t.Errorf("got %+v %v", q, ok)
	}
	if _, ok := ParseQuery(url.Values{"EIO": {"4"}}); ok {
		t.Error("a query without transport= is Engine.IO")
	}
	o := OpenParams{SID: "s", Upgrades: []string{"websocket"}, PingInterval: 300, PingTimeout: 200, MaxPayload: 1e6}
	got, ok := ParseOpen(OpenPacket(o))
	if !ok || got.SID != "s" || got.PingInterval != 300 || got.PingTimeout != 200 || got.MaxPayload != 1e6 || len(got.Upgrades) != 1 {
		t.Errorf("open round trip: %+v %v", got, ok)
	}
}

// FuzzPayload holds the decoders to the encoders: what decodes encodes
// to a body that decodes the same.
func FuzzPayload(f *testing.F) {
	f.Add(4, []byte("2\x1e42[\"a\"]\x1ebAAEC"), false)
	f.Add(3, []byte("2:401:2"), false)
	f.Add(3, []byte("\x00\x02\xff40\x01\x04\xff\x04\x00\x01\x02"), true)
	f.Fuzz(func(t *testing.T, version int, body []byte, binary bool) {
		version = 3 + version&1
		ps, err := DecodePayload(version, body, binary)
		if err != nil {
			return
		}
		for _, p := range ps {
			if version == 4 && !p.Binary && (bytes.IndexByte(p.Data, separator) >= 0 || len(p.Data) > 0 && p.Data[0] == 'b') {
				return
			}
			if version == 3 && p.Binary && len(p.Data) == 0 {
				return
			}
		}
		out, ct := EncodePayload(version, ps, false)
		again, err := DecodePayload(version, out, ct == "application/octet-stream")
		if err != nil || !samePackets(again, ps) {
			t.Fatalf("%q -> %q -> %v, %v", body, out, again, err)
		}
	})
}

func TestDescribe(t *testing.T) {
	t.Parallel()

	for in, want := range map[string]string{
		"2":                       "engine.io ping",
		"3probe":                  "engine.io pong probe",
		`40/admin,{"token":1}`:    `socket.io CONNECT /admin {"token":1}`,
		`42/chat,7["say","hi",2]`: `socket.io EVENT /chat "say" ["hi",2] ack 7`,
		`451-["up",{"a":1}]`:      `socket.io BINARY_EVENT / "up" [{"a":1}] +1 attachment`,
		`431[{"ok":true}]`:        `socket.io ACK / [{"ok":true}] ack 1`,
	} {
		t.Run(in, func(t *testing.T) {
			if got := Describe([]byte(in)); got != want {
				t.Errorf("Describe(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// TestPacketsRefuseEmpty: engine.io-parser's decodePayload ends a payload
// at an empty packet or an unknown type (an "error" packet, and the server
// closes with "parse error"); so does Packets, keeping the packets before.
func TestPacketsRefuseEmpty(t *testing.T) {
	tests := []struct {
		name    string
		version int
		body    string
		binary  bool
		kept    int
	}{
		{"v4 separators only", 4, "\x1e\x1e\x1e", false, 0},
		{"v4 empty in the middle", 4, "2\x1e\x1e3", false, 1},
		{"v4 trailing separator", 4, "2\x1e3\x1e", false, 2},
		{"v4 unknown type", 4, "2\x1ex", false, 1},
		{"v3 unknown type", 3, "1:2\x31:x", false, 1},
		{"v3 binary empty packet", 3, "\x00\x01\xff2\x00\x00\xff", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePayload(tt.version, []byte(tt.body), tt.binary)
			if err != ErrPayload || len(got) != tt.kept {
				t.Errorf("got %d packets, %v; want %d, ErrPayload", len(got), err, tt.kept)
			}
		})
	}
	t.Run("v3 empty packets passed over", func(t *testing.T) {
		got, err := DecodePayload(3, []byte("0:0:1:2"), false)
		if err != nil || len(got) != 1 || string(got[0].Data) != "2" {
			t.Errorf("got %v, %v; want [2]", got, err)
		}
	})
	t.Run("v4 empty body", func(t *testing.T) {
		if got, err := DecodePayload(4, nil, false); err != nil || len(got) != 0 {
			t.Errorf("got %v, %v; want no packet", got, err)
		}
	})
}

// TestPacketsHoldNothing: yielding the packets of a body of many small
// ones allocates nothing per packet, whatever the body's length.
func TestPacketsHoldNothing(t *testing.T) {
	body := bytes.Repeat([]byte("6\x1e"), 100_000)
	body = body[:len(body)-1]
	n := 0
	allocs := testing.AllocsPerRun(3, func() {
		n = 0
		for _, err := range Packets(4, body, false) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
	})
	if n != 100_000 || allocs > 10 {
		t.Errorf("got %d packets in %.0f allocations; want 100000 in at most 10", n, allocs)
	}
}
