package replayer

import (
	"bytes"
	"fmt"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/internal/child"
)

// The client log keeps a bounded summary of what --wait has not matched
// yet, never whole messages: 10,000 messages of 1 KiB ahead of the replay
// leave at most maxAhead entries of at most clientHead bytes each; those
// past the bound are counted, answered unchecked, and indexing stays right
// once the replay has caught up.
func TestClientLogBounded(t *testing.T) {
	l := newClientLog()
	msg := func(i int) []byte { return fmt.Appendf(bytes.Repeat([]byte{'x'}, 1024), "%d", i) }
	for i := 1; i <= 10000; i++ {
		l.add(msg(i))
	}
	if len(l.msgs) > maxAhead {
		t.Errorf("%d messages kept, want at most %d", len(l.msgs), maxAhead)
	}
	for _, m := range l.msgs {
		if len(m.head) > clientHead {
			t.Fatalf("a kept message has %d bytes, want at most %d", len(m.head), clientHead)
		}
	}
	if m, ok, _ := l.get(1); !ok || !m.checked || !m.same(msg(1)) || m.same(msg(2)) {
		t.Errorf("message 1: %+v %v", m, ok)
	}
	l.forget(1)
	if m, ok, _ := l.get(2); !ok || !m.same(msg(2)) {
		t.Errorf("message 2 after forgetting 1: %+v %v", m, ok)
	}
	if m, ok, _ := l.get(maxAhead + 10); !ok || m.checked {
		t.Errorf("message past the bound: checked %v ok %v, want unchecked and there", m.checked, ok)
	}
	if _, ok, next := l.get(10001); ok || next == nil {
		t.Error("message 10001 is there before it was sent")
	}
	l.forget(10000)
	l.add(msg(10001))
	if m, ok, _ := l.get(10001); !ok || !m.checked || !m.same(msg(10001)) {
		t.Errorf("message 10001 after catching up: %+v %v", m, ok)
	}
}

// A client sending 300 messages of 1 MiB to the replay server, with and
// without --wait, leaves the server's peak RSS far below what it sent: the
// messages are read and let go (it kept every one: 2,000 raised it to
// 2.55 GB).
func TestClientMessagesRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := child.Build(t, "github.com/wsreplay/wsreplay/cmd/wsreplay")
	tool := child.Build(t, "github.com/wsreplay/wsreplay/internal/child/wstool")
	listening := regexp.MustCompile(`listening on (ws://[0-9.:]+)`)
	for _, wait := range []bool{false, true} {
		t.Run(fmt.Sprintf("wait=%v", wait), func(t *testing.T) {
			args := []string{"serve", "--listen", "127.0.0.1:0"} // the demo lasts 30 s
			if wait {
				args = append(args, "--wait")
			}
			srv := child.Start(t, bin, args...) // the built-in demo
			srv.DiscardStdout()
			url := srv.WaitStderr(t, listening, 20*time.Second)[1]
			flood := child.Start(t, tool, "flood", url+"/live?room=lobby", "300", fmt.Sprint(1<<20))
			flood.Expect(t, regexp.MustCompile(`^sent`))
			rss, err := child.PeakRSS(srv.Cmd.Process.Pid)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("serve peak RSS %s after 300 MiB of client messages", child.MiB(rss))
			if rss > 100<<20 {
				t.Errorf("serve peak RSS %s, want at most 100 MiB", child.MiB(rss))
			}
			flood.Stdin.Close()
			flood.Cmd.Wait()
			srv.Cmd.Process.Signal(syscall.SIGINT)
			srv.Cmd.Wait()
		})
	}
}
