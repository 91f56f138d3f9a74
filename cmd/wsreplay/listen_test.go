package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// A listener on every interface is printed as an address a client on this
// machine can use, for record as for serve.
func TestClientAddr(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
		note bool
	}{
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 41431}, "127.0.0.1:41431", true},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "127.0.0.1:8080", true},
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8765}, "127.0.0.1:8765", false},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8765}, "[::1]:8765", false},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 5), Port: 80}, "192.168.1.5:80", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.addr), func(t *testing.T) {
			got, note := clientAddr(tt.addr)
			if got != tt.want || (note != "") != tt.note {
				t.Errorf("clientAddr(%v) = %q, %q; want %q, note %v", tt.addr, got, note, tt.want, tt.note)
			}
		})
	}
	url, stderr, _ := startCommand(t, "record", "--upstream", "ws://127.0.0.1:1", "--listen", "0.0.0.0:0", "--out", t.TempDir())
	if !strings.HasPrefix(url, "ws://127.0.0.1:") || strings.Contains(stderr.String(), "[::]") {
		t.Errorf("record on every interface printed %s:\n%s", url, stderr)
	}
}
