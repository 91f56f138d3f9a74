package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
	"github.com/wsreplay/wsreplay/recorder"
)

// backend is a test upstream: on connect it sends "hello", then echoes
// every message; "close" makes it close with 4000 "bye".
func backend(tb testing.TB) *httptest.Server {
	tb.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"v2"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		c.Write(ctx, websocket.MessageText, []byte("hello"))
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				return
			}
			if string(data) == "close" {
				c.Close(4000, "bye")
				return
			}
			c.Write(ctx, typ, data)
		}
	}))
	tb.Cleanup(ts.Close)
	return ts
}

// Record a session through the proxy, then replay it: the client sees the
// same messages and the same ending.
func TestRecordThenServe(t *testing.T) {
	up := backend(t)
	dir := t.TempDir()
	url, recErr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"), "--listen", "127.0.0.1:0", "--out", dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/feed?room=7", &websocket.DialOptions{Subprotocols: []string{"v2"}})
	var live []string
	read := func(c *websocket.Conn) (string, error) {
		_, data, err := c.Read(ctx)
		return string(data), err
	}
	msg, _ := read(c)
	live = append(live, msg)
	for _, m := range []string{"one", "twö", ""} {
		c.Write(ctx, websocket.MessageText, []byte(m))
		msg, _ = read(c)
		live = append(live, msg)
	}
	c.Write(ctx, websocket.MessageText, []byte("close"))
	if _, err := read(c); websocket.CloseStatus(err) != 4000 {
		t.Fatalf("live: got %v, want close 4000", err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("record exited %d", code)
	}
	if !strings.Contains(recErr.String(), "recorded 1 of 1 sessions\n") {
		t.Errorf("record's report at exit:\n%s", recErr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson.zst"))
	if len(files) != 1 {
		t.Fatalf("recorded files %v, want one finished .ndjson.zst", files)
	}
	out, errOut, code := wsreplay(t, "ls", dir)
	if code != 0 || !strings.Contains(out, "/feed?room=7") || !strings.Contains(out, "4000 clean") {
		t.Errorf("ls: exit %d\n%s%s", code, out, errOut)
	}

	url, _, _ = startCommand(t, "serve", files[0], "--listen", "127.0.0.1:0", "--speed", "max")
	c2 := nettest.Dial(t, url+"/feed?room=7", &websocket.DialOptions{Subprotocols: []string{"v2"}})
	defer c2.CloseNow()
	if c2.Subprotocol() != "v2" {
		t.Errorf("replay subprotocol %q", c2.Subprotocol())
	}
	var replayed []string
	for {
		msg, err := read(c2)
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
				t.Errorf("replay ended with %v, want close 4000 bye", err)
			}
			break
		}
		replayed = append(replayed, msg)
	}
	if fmt.Sprint(replayed) != fmt.Sprint(live) {
		t.Errorf("replayed %q, live %q", replayed, live)
	}
}

func TestRecordErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "--upstream is required"},
		{[]string{"--upstream", "localhost:3000"}, 2, `--upstream: "localhost:3000" is not a ws:// or wss:// URL`},
		{[]string{"--upstream", "ws://x", "--max-message-size", "big"}, 2, `--max-message-size: "big" is not a size`},
		{[]string{"--upstream", "ws://x", "--flush-interval", "often"}, 2, `--flush-interval: "often" is not a duration`},
		{[]string{"--upstream", "ws://x", "--compress", "lz4"}, 2, `--compress: unknown compression "lz4"`},
		{[]string{"--upstream", "ws://x", "--tls-cert", "c.pem"}, 2, "--tls-cert and --tls-key go together"},
		{[]string{"--upstream", "ws://x", "--out", "/proc/nope/x"}, 1, "--out: cannot create directory /proc/nope/x"},
		{[]string{"--upstream", "ws://x", "stray"}, 2, "record takes no arguments"},
		{[]string{"--upstream", "ws://x", "--idle-timeout", "0"}, 2, "--idle-timeout: must be more than 0"},
		{[]string{"--upstream", "ws://x", "--max-message-size", "129MiB"}, 2, "--max-message-size: 129MiB is over 128MiB"},
		{[]string{"--upstream", "ws://x", "--protocol", "graphql"}, 2, `--protocol: "graphql" is no protocol wsreplay knows`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"record"}, tt.args...)...)
			if code != tt.code || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line with %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

// kill -9 of the recorder while 20 connections stream: every message older
// than the flush interval is in the files, and every file is readable.
func TestRecordSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	var mu sync.Mutex
	sent := map[string]time.Time{} // message -> when the backend sent it
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(context.Background())
		tick := time.NewTicker(10 * time.Millisecond) // 100 msgs/s per connection, 2,000 in all
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			msg := fmt.Sprintf("%s-%d", r.URL.Path, i)
			mu.Lock()
			sent[msg] = time.Now()
			mu.Unlock()
			if c.Write(ctx, websocket.MessageText, []byte(msg)) != nil {
				return
			}
		}
	}))
	defer up.Close()

	dir := t.TempDir()
	const flush = 200 * time.Millisecond
	cmd := exec.Command(os.Args[0], "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", dir, "--flush-interval", flush.String())
	cmd.Env = append(os.Environ(), "WSREPLAY_TEST_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stderr)
	var url string
	for sc.Scan() {
		if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if url == "" {
		t.Fatal("recorder printed no listening line")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 20 {
		c := nettest.Dial(t, fmt.Sprintf("%s/c%d", url, i), nil)
		defer c.CloseNow()
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	cmd.Wait()

	recorded := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 20 {
		t.Errorf("%d files, want 20", len(files))
	}
	for _, name := range files {
		if !strings.HasSuffix(name, ".partial") {
			t.Errorf("%s: a killed session's file should keep its .partial name", name)
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r := format.NewReader(f, &format.ReaderOptions{Name: name})
		for {
			e, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, format.ErrTruncated) {
					t.Errorf("%s: %v", name, err)
				}
				break
			}
			if e.Type == format.TypeMessage {
				recorded[string(e.Data)] = true
			}
		}
		r.Close()
		f.Close()
	}
	// The proxy may hold a message briefly before the backend's write
	// returns: allow a margin on top of the flush interval.
	old, missing := 0, 0
	mu.Lock()
	for msg, at := range sent {
		if killed.Sub(at) > flush+300*time.Millisecond {
			old++
			if !recorded[msg] {
				missing++
			}
		}
	}
	mu.Unlock()
	if old < 1000 || missing > 0 {
		t.Errorf("%d of %d messages older than the flush interval are missing from the files", missing, old)
	}
	t.Logf("%d messages recorded, %d older than flush interval + margin, none missing", len(recorded), old)

	// A recorder started on the directory finishes what the killed one
	// left: every session compressed to its final name, and ls lists each
	// once.
	_, _, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", dir)
	if code := stop(); code != 0 {
		t.Fatalf("restarted recorder exited %d", code)
	}
	finished, _ := filepath.Glob(filepath.Join(dir, "*.ndjson.zst"))
	left, _ := filepath.Glob(filepath.Join(dir, "*.partial"))
	if len(finished) != 20 || len(left) != 0 {
		t.Errorf("after a restart: %d finished files, %d .partial; want 20 and 0", len(finished), len(left))
	}
	out, errOut, code := wsreplay(t, "ls", dir)
	if rows := strings.Count(out, "\n") - 1; code != 0 || rows != 20 {
		t.Errorf("ls after a restart: exit %d, %d rows, want 20:\n%s%s", code, rows, out, errOut)
	}
}

// ls lists what a directory's recordings hold, each session once: not the
// temporary files of a compression, nor a .partial beside its finished file.
func TestLsSkipsTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile("../../testdata/format/valid.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"20261125T100000.000Z_s1.ndjson.zst":          valid,
		"20261125T100000.000Z_s1.ndjson.partial":      valid,
		".20261125T100000.000Z_s1.ndjson.zst.tmp-123": valid[:40],
		"20261125T100000.000Z_s2.ndjson.zst.tmp":      valid[:40],
		".wsreplay-probe-1":                           nil,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := wsreplay(t, "ls", dir)
	if rows := strings.Count(out, "\n") - 1; code != 0 || rows != 1 || errOut != "" {
		t.Errorf("ls: exit %d, %d rows, want one:\n%s%s", code, rows, out, errOut)
	}
}

// A keep-alive connection left idle after a plain HTTP request is closed by
// the recorder after --idle-timeout (75 s by default, as nginx).
func TestRecordClosesIdleKeepAlive(t *testing.T) {
	if f := recordCommand().Flags; !slices.ContainsFunc(f, func(fl cli.Flag) bool {
		sf, ok := fl.(*cli.StringFlag)
		return ok && sf.Name == "idle-timeout" && sf.Value == "75s"
	}) {
		t.Error("no --idle-timeout flag with a default of 75s")
	}
	up := backend(t)
	url, _, _ := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", t.TempDir(), "--idle-timeout", "200ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "ws://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second)) // far beyond 200ms: only a failure waits for it
	io.WriteString(conn, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("the server closed after the response already; nothing tested")
	}
	if n, err := br.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read %d bytes, %v; want the server to close it (EOF)", n, err)
	}
}

// The summary at exit says why sessions went unrecorded: files that could
// not be created, or --max-open-files.
func TestReportCounts(t *testing.T) {
	for _, c := range []struct {
		name      string
		st        recorder.SessionCounts
		want, not string
	}{
		{"none", recorder.SessionCounts{Sessions: 3}, "recorded 3 of 3 sessions", "relayed"},
		{"could not create", recorder.SessionCounts{Sessions: 3, Unrecorded: 1}, "1 relayed but not recorded: their files could not be created", "max-open-files"},
		{"over the limit", recorder.SessionCounts{Sessions: 4, Unrecorded: 2, OverLimit: 2}, "2 relayed but not recorded: the files open for recording held --max-open-files", "could not be created"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			reportCounts(&b, c.st, recorder.ProxyStats{})
			if !strings.Contains(b.String(), c.want) || strings.Contains(b.String(), c.not) {
				t.Errorf("%q: want %q and no %q", b.String(), c.want, c.not)
			}
		})
	}
}
