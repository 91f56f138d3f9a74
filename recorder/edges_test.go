package recorder

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// Close codes that RFC 6455 forbids on the wire (reserved for reporting, or
// outside every range) are protocol errors: both sides get 1002 from the
// proxy, and the session is recorded as closed by the proxy.
func TestForbiddenCloseCodes(t *testing.T) {
	for _, code := range []int{1005, 1015, 999, 5000, 1004, 2000} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			closed := make(chan error, 1)
			up := upstream(t, nil, echo(closed))
			p, ts, sink, dir := proxyFor(t, up, nil)
			conn, br := rawClient(t, ts.URL, nil)
			conn.Write(frame(true, opClose, binary.BigEndian.AppendUint16(nil, uint16(code))))
			if op, got := readFrame(t, br); op != opClose || binary.BigEndian.Uint16(got) != 1002 {
				t.Errorf("client got %d %q, want close 1002", op, got)
			}
			if err := <-closed; websocket.CloseStatus(err) != websocket.StatusProtocolError {
				t.Errorf("upstream saw %v, want 1002", err)
			}
			conn.Close()
			stopProxy(t, p, ts, sink)
			evs := onlySession(t, dir)
			if last := evs[len(evs)-1]; last.By != format.ByProxy || last.Code != 1002 || !strings.Contains(last.Reason, fmt.Sprint(code)) {
				t.Errorf("close line %+v, want 1002 by proxy naming %d", last, code)
			}
		})
	}
	for _, code := range []int{1000, 1012, 1014, 3000, 4999} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			if _, _, err := parseClose(binary.BigEndian.AppendUint16(nil, uint16(code))); err != nil {
				t.Errorf("code %d: %v, want accepted", code, err)
			}
		})
	}
}

// A path with an encoded slash reaches the upstream as the client wrote it,
// with or without a path prefix in Upstream.
func TestRawPathIsForwarded(t *testing.T) {
	got := make(chan string, 1)
	up := upstream(t, nil, func(c *websocket.Conn, r *http.Request) {
		got <- r.RequestURI
		c.Close(websocket.StatusNormalClosure, "")
	})
	for _, c := range []struct{ prefix, path, want string }{
		{"", "/files/a%2Fb?x=%2F", "/files/a%2Fb?x=%2F"},
		{"/api/", "/files/a%2Fb", "/api/files/a%2Fb"},
		{"/p%2Fq", "/files/a%2Fb", "/p%2Fq/files/a%2Fb"},
		{"/api", "/plain/path", "/api/plain/path"},
	} {
		t.Run(c.prefix+" "+c.path, func(t *testing.T) {
			_, ts, _, _ := proxyFor(t, up, func(p *Proxy) {
				u, _ := url.Parse(wsURL(up) + c.prefix)
				p.Upstream = u
			})
			conn := dial(t, ts, c.path, nil)
			conn.Read(context.Background())
			if uri := <-got; uri != c.want {
				t.Errorf("prefix %q, path %q: upstream got %q, want %q", c.prefix, c.path, uri, c.want)
			}
		})
	}
}

// An HTTP/1.0 request cannot upgrade (RFC 6455 section 4.1 asks for
// HTTP/1.1 or higher): the proxy answers 400 and never dials the upstream.
func TestHTTP10UpgradeRefused(t *testing.T) {
	dialed := make(chan struct{}, 1)
	up := upstream(t, nil, func(*websocket.Conn, *http.Request) { dialed <- struct{}{} })
	_, ts, _, _ := proxyFor(t, up, nil)
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(ts.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "GET /x HTTP/1.0\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
	if len(dialed) != 0 {
		t.Error("the upstream was dialed for an HTTP/1.0 upgrade")
	}
}

// An upstream that answers the handshake with endless headers gets the
// client a 502 as soon as the headers pass the cap, not when the handshake
// times out, and the proxy does not buffer them.
func TestUpstreamHeadersCapped(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
				line := []byte("X-Filler: " + strings.Repeat("a", 1000) + "\r\n")
				for { // until the proxy hangs up
					if _, err := c.Write(line); err != nil {
						return
					}
				}
			}()
		}
	}()
	u, _ := url.Parse("ws://" + l.Addr().String())
	sink, err := NewDirSink(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Upstream: u, Sink: sink, HandshakeTimeout: time.Minute}
	ts := newServer(p)
	defer stopProxy(t, p, ts, sink)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL(ts)+"/", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("got %v (%v), want HTTP 502", err, resp)
	}
}
