package recorder

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// A client that stops reading holds up its own upstream (back-pressure),
// not the proxy's memory, and not the other sessions.
func TestSlowConsumer(t *testing.T) {
	var flooded atomic.Int64
	up := upstream(t, nil, func(c *websocket.Conn, r *http.Request) {
		if r.URL.Path != "/flood" {
			echo(nil)(c, r)
			return
		}
		msg := bytes.Repeat([]byte("x"), 4096)
		for c.Write(context.Background(), websocket.MessageBinary, msg) == nil {
			flooded.Add(int64(len(msg)))
		}
	})
	p, ts, sink, _ := proxyFor(t, up, nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	stalled := dial(t, ts, "/flood", nil) // never reads
	_ = stalled
	time.Sleep(time.Second)
	var s1 int64
	deadline := time.Now().Add(20 * time.Second)
	for { // wait until the flood has stopped growing
		s1 = flooded.Load()
		time.Sleep(300 * time.Millisecond)
		if flooded.Load() == s1 || time.Now().After(deadline) {
			break
		}
	}
	// Another session works normally meanwhile.
	other := dial(t, ts, "/echo", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 100 {
		msg := fmt.Sprint(i)
		other.Write(ctx, websocket.MessageText, []byte(msg))
		if _, data, err := other.Read(ctx); err != nil || string(data) != msg {
			t.Fatalf("the other session is stuck: %q, %v", data, err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	s2 := flooded.Load()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if s2 != s1 {
		t.Errorf("the upstream kept writing (%d then %d bytes): no back-pressure", s1, s2)
	}
	if s1 > 256<<20 {
		t.Errorf("%d MB went out before the upstream was held up", s1>>20)
	}
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 64<<20 {
		t.Errorf("heap grew by %d MB while a client did not read", grew>>20)
	}
	t.Logf("upstream held up after %d MB (socket buffers); heap %+d MB", s1>>20, (int64(after.HeapInuse)-int64(before.HeapInuse))>>20)
	stalled.CloseNow()
	stopProxy(t, p, ts, sink)
}

// A disk that is full: the traffic flows on, and the failure is logged.
func TestDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	var logs nettest.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	sink, err := NewFileSink("/dev/full", &QueueOptions{Logger: log, FlushInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	up := upstream(t, nil, echo(nil))
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink, Logger: log}
	ts := httptest.NewServer(p)
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 200 {
		msg := strings.Repeat("y", 1000) + fmt.Sprint(i)
		c.Write(ctx, websocket.MessageText, []byte(msg))
		if _, data, err := c.Read(ctx); err != nil || string(data) != msg {
			t.Fatalf("traffic broken by a full disk: %v", err)
		}
		if i == 100 {
			time.Sleep(100 * time.Millisecond) // let a flush fail mid-session
		}
	}
	c.Close(1000, "")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	p.Shutdown(ctx2)
	ts.Close()
	if err := sink.Close(); err == nil {
		t.Error("closing a sink on a full disk reported no error")
	}
	if n := strings.Count(logs.String(), "writing recordings failed"); n != 1 {
		t.Errorf("want the failure logged once (%d times):\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "session recorded incompletely") || !strings.Contains(logs.String(), "lines_lost=") {
		t.Errorf("the session does not say what it lost:\n%s", logs.String())
	}
}

// The directory disappears under a running recorder: sessions are relayed
// all the same, and each says once that it could not be recorded.
func TestDirectoryGone(t *testing.T) {
	var logs nettest.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	dir := filepath.Join(t.TempDir(), "rec")
	sink, err := NewDirSink(dir, &QueueOptions{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	up := upstream(t, nil, echo(nil))
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink, Logger: log}
	ts := httptest.NewServer(p)
	for range 3 {
		c := dial(t, ts, "/", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for i := range 20 {
			c.Write(ctx, websocket.MessageText, []byte{byte('a' + i)})
			if _, _, err := c.Read(ctx); err != nil {
				t.Fatalf("traffic broken: %v", err)
			}
		}
		c.Close(1000, "")
		cancel()
	}
	stopProxy(t, p, ts, sink)
	if n := strings.Count(logs.String(), "cannot record session"); n != 3 {
		t.Errorf("want one 'cannot record session' per session (3), got %d:\n%s", n, logs.String())
	}
}

// 10,000 connect/disconnect cycles and 1,000 concurrent sessions leave no
// goroutine and no file descriptor behind.
func TestChurn(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	u, _ := url.Parse(wsURL(up))
	sink, err := NewDirSink(t.TempDir(), &QueueOptions{Compression: format.None})
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Upstream: u, Sink: sink}
	ts := httptest.NewServer(p)
	ts.Config.SetKeepAlivesEnabled(false)
	warm := dial(t, ts, "/", nil)
	warm.Close(1000, "")
	settle := func() (int, int) {
		time.Sleep(100 * time.Millisecond)
		return runtime.NumGoroutine(), openFDs()
	}
	g0, fd0 := settle()

	cycles := 10000
	if testing.Short() {
		cycles = 1000
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < cycles; i += 4 {
				c, _, err := websocket.Dial(ctx, wsURL(ts)+"/", nil)
				if err != nil {
					failed.Add(1)
					continue
				}
				if i%2 == 0 {
					c.Close(1000, "")
				} else {
					c.CloseNow()
				}
			}
		})
	}
	wg.Wait()

	conns := make([]*websocket.Conn, 0, 1000)
	for range 1000 {
		c, _, err := websocket.Dial(ctx, wsURL(ts)+"/", nil)
		if err != nil {
			t.Fatalf("concurrent session %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Write(ctx, websocket.MessageText, []byte("hi"))
	}
	for _, c := range conns {
		if _, data, err := c.Read(ctx); err != nil || string(data) != "hi" {
			t.Fatalf("concurrent session: %q, %v", data, err)
		}
	}
	for _, c := range conns {
		c.CloseNow()
	}
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d connections failed", n, cycles)
	}

	deadline := time.Now().Add(30 * time.Second)
	g, fd := settle()
	for (g > g0+5 || fd > fd0+5) && time.Now().Before(deadline) {
		g, fd = settle()
	}
	if g > g0+5 || fd > fd0+5 {
		t.Errorf("after %d cycles and 1,000 concurrent sessions: %d goroutines (%d before), %d open files (%d before)", cycles, g, g0, fd, fd0)
	}
	stopProxy(t, p, ts, sink)
}

// openFDs counts this process's open file descriptors.
func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(entries)
}
