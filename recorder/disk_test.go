package recorder

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// A message larger than the whole queue is recorded when nothing else
// waits: with a 1 MiB queue and an 8 MiB message limit, a 4 MiB message on
// an idle recorder is not lost, and "cannot keep up" is not said.
func TestQueueTakesALoneLargeLine(t *testing.T) {
	var logs nettest.Buffer
	got := make(chan int, 1)
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		_, data, err := c.Read(context.Background())
		got <- len(data)
		if err == nil {
			c.Read(context.Background())
		}
	})
	u, _ := url.Parse(wsURL(up))
	dir := t.TempDir()
	sink, err := NewDirSink(dir, &QueueOptions{MaxQueueBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Upstream: u, Sink: sink, MaxMessageSize: 8 << 20, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ts := newServer(p)
	c := dial(t, ts, "/big", nil)
	msg := bytes.Repeat([]byte("m"), 4<<20)
	if err := c.Write(context.Background(), websocket.MessageBinary, msg); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n != len(msg) {
		t.Fatalf("upstream got %d bytes", n)
	}
	c.Close(websocket.StatusNormalClosure, "")
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	if len(evs) != 3 || !bytes.Equal(evs[1].Data, msg) || evs[2].Lost != 0 {
		t.Errorf("recorded %d lines, lost %d; want the message whole and nothing lost", len(evs), evs[len(evs)-1].Lost)
	}
	if strings.Contains(logs.String(), "cannot keep up") {
		t.Errorf("an idle recorder said it cannot keep up:\n%s", logs.String())
	}
}

// fullDisk wraps a session file: while full is set, a write puts half its
// bytes on disk and fails with ENOSPC, as a disk filling up does.
type fullDisk struct {
	full     *atomic.Bool
	failures *atomic.Int64
	f        *os.File
}

func (d fullDisk) Write(b []byte) (int, error) {
	if d.full.Load() {
		d.failures.Add(1)
		n, _ := d.f.Write(b[:len(b)/2])
		return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	return d.f.Write(b)
}
func (d fullDisk) Truncate(n int64) error { return d.f.Truncate(n) }
func (d fullDisk) Close() error           { return d.f.Close() }

// A disk that fills up in the middle of a session: the traffic flows on;
// the lines that could not be written are cut out whole (no torn line); the
// close line waits until there is room again, then is written with a "lost"
// that counts them, so the session has its true ending.
func TestDiskFullThenRoom(t *testing.T) {
	var full atomic.Bool
	var failures atomic.Int64
	var logs nettest.Buffer
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	st := sink.store.(*dirStore)
	st.log = p.Logger
	st.create = func(path string) (writeFile, error) {
		f, err := createSessionFile(path)
		if err != nil {
			return nil, err
		}
		return fullDisk{&full, &failures, f.(*os.File)}, nil
	}
	ctx := context.Background()
	c := dial(t, ts, "/disk", nil)
	roundTrip := func(msg string) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.Read(ctx); err != nil || string(got) != msg {
			t.Fatalf("traffic broken: %q %v", got, err)
		}
	}
	roundTrip("before")
	nettest.WaitFor(t, "the first lines on disk", func() bool { return fileHas(dir, `"before"`) })
	full.Store(true)
	for _, m := range []string{"b1", "b2", "b3"} {
		roundTrip(m)
	}
	nettest.WaitFor(t, "a failed write", func() bool { return failures.Load() > 0 })
	c.Close(websocket.StatusNormalClosure, "done")
	n := failures.Load()
	nettest.WaitFor(t, "the close line to fail", func() bool { return failures.Load() > n })
	if fileHas(dir, `"type":"close"`) {
		t.Fatal("a close line is on a full disk")
	}
	full.Store(false)
	nettest.WaitFor(t, "the close line once there is room", func() bool { return fileHas(dir, `"type":"close"`) })
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir) // fails on a torn line
	var texts []string
	for _, e := range evs {
		if e.Type == format.TypeMessage {
			texts = append(texts, string(e.Data))
		}
	}
	last := evs[len(evs)-1]
	if strings.Join(texts, " ") != "before before" || last.Type != format.TypeClose || last.Code != 1000 || last.Lost != 6 {
		t.Errorf("recorded %q, ending %+v; want the two lines before the disk filled, and a close line counting 6 lost", texts, last)
	}
	if !strings.Contains(logs.String(), "lines_lost=6") {
		t.Errorf("the log does not say what the session lost:\n%s", logs.String())
	}
}

// A session whose file cannot be created (no file descriptor left) is
// relayed, logged, and counted in the sink's counts.
func TestUnrecordedSessionsCounted(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	p, ts, sink, _ := proxyFor(t, up, nil)
	var calls atomic.Int64
	sink.store.(*dirStore).create = func(path string) (writeFile, error) {
		if calls.Add(1) == 2 {
			return nil, &os.PathError{Op: "open", Path: path, Err: syscall.EMFILE}
		}
		return createSessionFile(path)
	}
	for range 3 {
		c := dial(t, ts, "/", nil)
		c.Write(context.Background(), websocket.MessageText, []byte("x"))
		if _, _, err := c.Read(context.Background()); err != nil {
			t.Fatalf("traffic broken: %v", err)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
	stopProxy(t, p, ts, sink)
	if got := sink.Counts(); got.Sessions != 3 || got.Unrecorded != 1 {
		t.Errorf("stats %+v, want 3 sessions, 1 unrecorded", got)
	}
}

// fileHas reports whether a line in a file in dir, decompressed, contains s.
func fileHas(dir, s string) bool {
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			continue
		}
		r := format.NewReader(f, nil)
		var e format.Event
		for r.Decode(&e) == nil {
			if bytes.Contains(r.Raw(), []byte(s)) {
				r.Close()
				f.Close()
				return true
			}
		}
		r.Close()
		f.Close()
	}
	return false
}
