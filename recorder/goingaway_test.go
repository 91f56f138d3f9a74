package recorder

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t testing.TB) (near, far net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	far, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if near, err = l.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { near.Close(); far.Close() })
	return near, far
}

// A side that dropped before the proxy shuts down is a drop, not the
// proxy's 1001: goingAway sends no close frames when a leg's end of stream
// already waits in its socket (its pump is about to read it and drop the
// other side), so the session ends as it would have without the shutdown,
// at once, instead of waiting closeTimeout for a handshake that cannot
// come. This was TestUpstreamVanishes failing 6 runs in 150 under -race
// (go test -race ./recorder -run TestUpstreamVanishes -count=150), the
// shutdown racing the pump to the upstream's end.
func TestGoingAwaySeesVanishedSide(t *testing.T) {
	if !canWaitReadable {
		t.Skip("no raw connections here: a vanished side is seen only by its pump")
	}
	for _, tt := range []struct {
		name      string
		gone      string // the side that closes its connection
		unread    string // what it sends before, not yet read by the proxy
		wantClose bool   // the proxy sends its close frames (1001)
	}{
		{"both open", "", "", true},
		{"upstream gone", "upstream", "", false},
		{"client gone", "client", "", false},
		{"upstream gone after unread bytes", "upstream", "\x81\x02hi", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clientNear, clientFar := tcpPair(t)
			upNear, upFar := tcpPair(t)
			s := &session{p: &Proxy{}, id: "s", start: time.Now()}
			s.client = newLeg(clientNear, bufio.NewReader(clientNear), false)
			s.upstream = newLeg(upNear, bufio.NewReader(upNear), true)
			if far := map[string]net.Conn{"client": clientFar, "upstream": upFar}[tt.gone]; far != nil {
				far.Write([]byte(tt.unread))
				far.Close()
				near := map[string]*leg{"client": s.client, "upstream": s.upstream}[tt.gone]
				waitUntil(t, "the end of stream reaches the proxy's socket", func() bool {
					return tt.unread != "" || near.peerGone()
				})
			}
			s.goingAway()
			s.closing.Wait()
			if s.timer == nil {
				t.Error("no timer bounds the end of the session")
			} else {
				s.timer.Stop()
			}
			if got := s.proxyClosing.Load(); got != tt.wantClose {
				t.Errorf("the proxy sent close frames: %v, want %v (ending decided: %+v)", got, tt.wantClose, s.end)
			}
			if !tt.wantClose && s.end.Type == format.TypeClose {
				t.Errorf("goingAway decided the ending %+v; the pump reading the end must", s.end)
			}
		})
	}
}

// waitUntil polls cond until it holds, for up to 10 s.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}
