package recorder

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

func TestMask(t *testing.T) {
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	for n := range 40 {
		for pos := range int64(8) {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 7)
			}
			want := bytes.Clone(b)
			for i := range want {
				want[i] ^= key[(pos+int64(i))%4]
			}
			mask(b, key, pos)
			if !bytes.Equal(b, want) {
				t.Fatalf("mask of %d bytes at %d: got %x, want %x", n, pos, b, want)
			}
		}
	}
}

func TestParseHeader(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		ok   bool
		err  string
		len  int64
	}{
		{"short", []byte{0x81}, false, "", 0},
		{"text 5", []byte{0x81, 0x05}, true, "", 5},
		{"16-bit length, cut", []byte{0x82, 126, 1}, false, "", 0},
		{"16-bit length", []byte{0x82, 126, 1, 0}, true, "", 256},
		{"64-bit length", []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}, true, "", 65536},
		{"64-bit top bit", []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, true, "top bit", 0},
		{"masked, key cut", []byte{0x81, 0x85, 1, 2}, false, "", 0},
		{"rsv1", []byte{0xc1, 0x00}, true, "reserved bits", 0},
		{"opcode 3", []byte{0x83, 0x00}, true, "unknown opcode", 0},
		{"fragmented ping", []byte{0x09, 0x00}, true, "fragmented control", 0},
		{"long close", []byte{0x88, 126, 0, 200}, true, "longer than 125", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, ok, err := parseHeader(c.in)
			if ok != c.ok || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: ok %v err %v, want ok %v err %q", c.name, ok, err, c.ok, c.err)
			}
			if ok && err == nil && h.length != c.len {
				t.Errorf("%s: length %d, want %d", c.name, h.length, c.len)
			}
		})
	}
}

func TestCloseFrame(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes: cut to 123, on a rune boundary
	f := closeFrame(4001, long, true)
	h, ok, err := parseHeader(f)
	if !ok || err != nil || !h.masked {
		t.Fatalf("header %+v %v %v", h, ok, err)
	}
	payload := appendUnmasked(nil, f[h.size:], h.key, 0)
	code, reason, err := parseClose(payload)
	if err != nil || code != 4001 || len(reason) > 123 || !strings.HasPrefix(long, reason) {
		t.Errorf("got %d %q %v", code, reason, err)
	}
	if _, _, err := parseClose([]byte{3}); err == nil {
		t.Error("a 1-byte close payload was accepted")
	}
	if code, _, _ := parseClose(nil); code != 1005 {
		t.Errorf("empty close payload: code %d, want 1005", code)
	}
}

// TestFrameParser feeds a stream of frames to a frameParser cut at every
// chunk size, as reads cut it, carrying an incomplete header over to the
// next chunk as the pump does: every frame comes out whole, with its
// payload unmasked, and no more than a header is ever carried.
func TestFrameParser(t *testing.T) {
	type parsed struct {
		fin     bool
		op      byte
		payload string
	}
	long := strings.Repeat("0123456789", 30) // a 16-bit length
	frames := []parsed{
		{true, opText, "hello"},
		{false, opBinary, ""},
		{true, opPing, "ping"},
		{true, opContinuation, long},
		{true, opClose, "\x03\xe8bye"},
	}
	var stream []byte
	for i, f := range frames {
		b := frame(f.fin, f.op, []byte(f.payload))
		if i%2 == 1 { // a server's frame: unmasked
			h, _, _ := parseHeader(b)
			b = slices.Concat(b[:h.size-4], []byte(f.payload)) // no key
			b[1] &^= 0x80
		}
		stream = append(stream, b...)
	}
	for chunk := 1; chunk <= len(stream); chunk++ {
		var fp frameParser
		var got []parsed
		var payload, carry []byte
		for i := 0; i < len(stream); i += chunk {
			b := append(carry, stream[i:min(i+chunk, len(stream))]...)
			j := 0
			for j < len(b) {
				if !fp.inFrame {
					h, ok, err := parseHeader(b[j:])
					if err != nil {
						t.Fatalf("chunk %d: %v", chunk, err)
					}
					if !ok {
						break
					}
					fp.start(h)
					j += h.size
				}
				c, pos := fp.payload(b[j:])
				if pos != int64(len(payload)) {
					t.Fatalf("chunk %d: payload at %d, want %d", chunk, pos, len(payload))
				}
				payload = appendUnmasked(payload, c, fp.h.key, pos)
				j += len(c)
				if !fp.end() {
					break
				}
				got = append(got, parsed{fp.h.fin, fp.h.opcode, string(payload)})
				payload = payload[:0]
			}
			carry = slices.Clone(b[j:])
			if len(carry) >= maxHeaderSize {
				t.Fatalf("chunk %d: carried %d bytes", chunk, len(carry))
			}
		}
		if !slices.Equal(got, frames) || len(carry) != 0 || fp.inFrame {
			t.Fatalf("chunk %d: got %+v (carry %d, in a frame %v), want %+v", chunk, got, len(carry), fp.inFrame, frames)
		}
	}
}

// frame builds a client frame, masked.
func frame(fin bool, op byte, payload []byte) []byte {
	b := []byte{op, 0x80}
	if fin {
		b[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b[1] |= byte(n)
	case n < 1<<16:
		b[1] |= 126
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b[1] |= 127
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	key := [4]byte{9, 8, 7, 6}
	b = append(b, key[:]...)
	start := len(b)
	b = append(b, payload...)
	mask(b[start:], key, 0)
	return b
}

// rawClient opens a WebSocket connection to ts by hand, sending extra in
// the same write as the handshake, and returns the connection and a reader
// past the 101.
func rawClient(t *testing.T, url string, extra []byte) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), extra...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake answer %s %v", resp.Status, resp.Header)
	}
	return conn, br
}

// readFrame reads one unmasked frame from the proxy.
func readFrame(t *testing.T, br *bufio.Reader) (byte, []byte) {
	t.Helper()
	head := make([]byte, 2, maxHeaderSize)
	if _, err := io.ReadFull(br, head); err != nil {
		t.Fatal(err)
	}
	switch head[1] & 0x7f {
	case 126:
		head = head[:4]
	case 127:
		head = head[:10]
	}
	if _, err := io.ReadFull(br, head[2:]); err != nil {
		t.Fatal(err)
	}
	h, ok, err := parseHeader(head)
	if !ok || err != nil || h.masked {
		t.Fatalf("frame header %x: %v", head, err)
	}
	payload := make([]byte, h.length)
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	return h.opcode, payload
}

// Frames sent with the handshake, split into single bytes, fragmented, and
// with a ping between fragments, all relay and record as the messages they
// make up; the ping reaches the backend, whose pong reaches the client.
func TestFramesOnTheWire(t *testing.T) {
	pinged := make(chan struct{})
	up := upstream(t, nil, func(c *websocket.Conn, r *http.Request) {
		ctx := context.Background()
		for range 2 {
			typ, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			c.Write(ctx, typ, data)
		}
		<-pinged
		c.Read(ctx)
	})
	p, ts, sink, dir := proxyFor(t, up, nil)
	first := frame(true, opText, []byte("sent with the handshake"))
	conn, br := rawClient(t, ts.URL, first)
	if op, got := readFrame(t, br); op != opText || string(got) != "sent with the handshake" {
		t.Fatalf("echo %d %q", op, got)
	}
	var msg []byte
	msg = append(msg, frame(false, opBinary, []byte("frag-1 "))...)
	msg = append(msg, frame(true, opPing, []byte("are you there"))...)
	msg = append(msg, frame(true, opContinuation, []byte("frag-2"))...)
	for i := range msg { // one byte per write
		if _, err := conn.Write(msg[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	var pong, echoed []byte
	for pong == nil || echoed == nil {
		switch op, got := readFrame(t, br); op {
		case opPong:
			pong = got
		case opBinary:
			echoed = got
		default:
			t.Fatalf("unexpected frame %d %q", op, got)
		}
	}
	if string(pong) != "are you there" || string(echoed) != "frag-1 frag-2" {
		t.Errorf("pong %q, echo %q", pong, echoed)
	}
	close(pinged)
	conn.Write(frame(true, opClose, append([]byte{0x0f, 0xa1}, "done"...))) // 4001
	if op, got := readFrame(t, br); op != opClose || binary.BigEndian.Uint16(got) != 4001 {
		t.Errorf("close echo %d %x", op, got)
	}
	conn.Close()
	stopProxy(t, p, ts, sink)
	var lines []string
	for _, e := range onlySession(t, dir)[1:] {
		lines = append(lines, string(e.Type)+" "+string(e.Dir)+" "+string(e.Data)+e.Reason)
	}
	want := []string{"message send sent with the handshake", "message receive sent with the handshake",
		"ping send are you there", "pong receive are you there", "message send frag-1 frag-2",
		"message receive frag-1 frag-2", "close  done"}
	// The pong and the end of the fragmented message race each other.
	slices.Sort(lines)
	slices.Sort(want)
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("recorded:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// A frame that breaks the protocol ends the session with 1002 on both
// sides, from the proxy.
func TestProtocolError(t *testing.T) {
	closed := make(chan error, 1)
	up := upstream(t, nil, echo(closed))
	p, ts, sink, dir := proxyFor(t, up, nil)
	conn, br := rawClient(t, ts.URL, nil)
	conn.Write([]byte{0x81, 0x02, 'h', 'i'}) // unmasked, from a client
	if op, got := readFrame(t, br); op != opClose || binary.BigEndian.Uint16(got) != 1002 {
		t.Errorf("client got %d %q, want close 1002", op, got)
	}
	if err := <-closed; websocket.CloseStatus(err) != websocket.StatusProtocolError {
		t.Errorf("upstream saw %v, want 1002", err)
	}
	conn.Close()
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if last := evs[len(evs)-1]; last.By != format.ByProxy || last.Code != 1002 || !strings.Contains(last.Reason, "unmasked") {
		t.Errorf("close line %+v", last)
	}
}

// A request that is no valid WebSocket handshake is answered by the proxy,
// and the upstream never hears of it.
func TestBadClientHandshake(t *testing.T) {
	dialed := make(chan struct{}, 10)
	up := upstream(t, nil, func(*websocket.Conn, *http.Request) { dialed <- struct{}{} })
	_, ts, _, _ := proxyFor(t, up, nil)
	for _, c := range []struct {
		version, key string
		status       int
	}{
		{"8", "dGhlIHNhbXBsZSBub25jZQ==", http.StatusUpgradeRequired},
		{"13", "short", http.StatusBadRequest},
	} {
		t.Run("version "+c.version, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+"/x", nil)
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Sec-WebSocket-Version", c.version)
			req.Header.Set("Sec-WebSocket-Key", c.key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("version %s key %s: status %d, want %d", c.version, c.key, resp.StatusCode, c.status)
			}
		})
	}
	if len(dialed) != 0 {
		t.Error("the upstream was dialed for a bad handshake")
	}
}

// FuzzRelay feeds arbitrary client bytes to a pump: it never panics, and
// what it relays is always a prefix of what it got.
func FuzzRelay(f *testing.F) {
	f.Add(frame(true, opText, []byte("hello")), 3)
	f.Add(append(frame(false, opText, []byte("a")), frame(true, opContinuation, []byte("b"))...), 1)
	f.Add(frame(true, opClose, []byte{3, 232, 'x'}), 2)
	f.Add([]byte{0x81, 0xfe, 0xff, 0xff, 1, 2, 3, 4}, 5)
	f.Fuzz(func(t *testing.T, in []byte, chunk int) {
		if chunk <= 0 || chunk > len(in) {
			chunk = len(in) + 1
		}
		var out bytes.Buffer
		s := &session{p: &Proxy{Sink: discardSink{}}, id: "s", start: time.Now(), limit: 1 << 16,
			log: (&Proxy{}).logger()}
		s.lines = socketRecord{r: &sessionRecord{p: s.p, id: s.id, start: s.start, log: s.log}, sent: &s.sent, received: &s.received}
		s.client = &leg{conn: nopConn{}}
		s.upstream = &leg{conn: writerConn{w: &out, closing: &s.proxyClosing}}
		p := &pump{s: s, src: s.client, dst: s.upstream, dir: format.Send, by: format.ByClient, count: &s.sent}
		var carry []byte
		for i := 0; i < len(in); i += chunk {
			b := append(carry, in[i:min(i+chunk, len(in))]...)
			done, err := p.process(b)
			if err != nil {
				break
			}
			carry = append([]byte(nil), b[done:]...)
			if len(carry) >= maxHeaderSize {
				t.Fatalf("kept %d bytes back", len(carry))
			}
		}
		if !bytes.HasPrefix(in, out.Bytes()) {
			t.Fatalf("relayed bytes that are not a prefix of the input")
		}
		s.closing.Wait()
		if s.timer != nil {
			s.timer.Stop()
		}
	})
}

type discardSink struct{}

func (discardSink) Add(*format.Event) bool { return true }

type nopConn struct{ net.Conn }

func (nopConn) Close() error                     { return nil }
func (nopConn) Write(b []byte) (int, error)      { return len(b), nil }
func (nopConn) SetWriteDeadline(time.Time) error { return nil }
func (nopConn) CloseWrite() error                { return nil }

// writerConn keeps what the pump relays, not the proxy's own close frame.
func (c writerConn) Write(b []byte) (int, error) {
	if c.closing.Load() {
		return len(b), nil
	}
	return c.w.Write(b)
}
func (writerConn) Close() error                     { return nil }
func (writerConn) SetWriteDeadline(time.Time) error { return nil }

type writerConn struct {
	w       io.Writer
	closing *atomic.Bool
	net.Conn
}
