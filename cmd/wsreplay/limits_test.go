package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/child"
)

const (
	wsreplayPkg = "github.com/wsreplay/wsreplay/cmd/wsreplay"
	wstoolPkg   = "github.com/wsreplay/wsreplay/internal/child/wstool"
)

var (
	listeningLine = regexp.MustCompile(`listening on (ws://[0-9.:]+)`)
	lostRE        = regexp.MustCompile(`(?:not_queued|lines_lost)=([1-9][0-9]*)`)
)

// startRecorder runs "wsreplay record" in a process of its own in front of a
// wstool upstream, and returns it with the URL to connect to.
func startRecorder(t *testing.T, bin, tool string, args ...string) (*child.Proc, string) {
	t.Helper()
	up := child.Start(t, tool, "upstream")
	upURL := up.Expect(t, listeningLine)[1]
	rec := child.Start(t, bin, append([]string{"record", "--upstream", upURL, "--listen", "127.0.0.1:0"}, args...)...)
	rec.DiscardStdout()
	return rec, rec.WaitStderr(t, listeningLine, 20*time.Second)[1]
}

// runChild runs a command to its end and returns its stdout.
func runChild(t *testing.T, bin string, args ...string) string {
	t.Helper()
	defer func(start time.Time) {
		t.Logf("%s %.40s: %v", filepath.Base(bin), strings.Join(args, " "), time.Since(start))
	}(time.Now())
	var out, errw bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errw
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, errw.String())
	}
	return out.String()
}

// stopChild sends SIGINT and waits for a clean exit.
func stopChild(t *testing.T, p *child.Proc) {
	t.Helper()
	p.Cmd.Process.Signal(syscall.SIGINT)
	if err := p.Cmd.Wait(); err != nil {
		t.Fatalf("%s: %v\n%s", p.Cmd.Path, err, p.Stderr())
	}
}

// Every message the recorder accepts makes a line every command reads: with
// --max-message-size 32MiB, a message of that size of each worst case
// (control bytes, which escaped six-fold made a 192 MiB line, over every
// reader's limit; quotes; invalid UTF-8; binary) is recorded, then read back
// by ls, cat, convert and serve, and a later session in the same file is
// still there. format's TestLongestLine and the compile-time check beside
// DefaultMaxLineSize carry the bound to the flag's ceiling,
// format.MaxMessageSize. The processes are built without -race, which would
// multiply their memory several times.
func TestLineLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("records 128 MiB through processes of their own")
	}
	bin, tool := child.Build(t, wsreplayPkg), child.Build(t, wstoolPkg)
	dir := t.TempDir()
	file := filepath.Join(dir, "rec.ndjson")
	const n = 32 << 20 // control bytes escaped: 192 MiB, over DefaultMaxLineSize
	rec, url := startRecorder(t, bin, tool, "--out", file, "--max-message-size", "32MiB")
	// One session per worst case, each sent by the upstream, so that the
	// client gets it through the proxy. The next one starts when the line
	// is on disk: the queue then never holds two of them, and no line is
	// lost to it, however slow the machine (a loss would be true, and
	// logged and counted as such, but this test is about line limits).
	cases := []struct{ kind, want string }{
		{"ctl", "MessageText %d 01"}, {"quote", "MessageText %d 22"},
		{"badutf8", "MessageText %d ff"}, {"binary", "MessageBinary %d 00"},
	}
	for i, c := range cases {
		want := fmt.Sprintf(c.want, n) + "\n"
		if got := runChild(t, tool, "recv", fmt.Sprintf("%s/%s?send=%s:%d", url, c.kind, c.kind, n), "1"); got != want {
			t.Fatalf("through the proxy, the client got %q, want %q", got, want)
		}
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
			if fi, err := os.Stat(file); err == nil && fi.Size() >= int64(i+1)*(n+2)/3*4 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the recorder has not written the %s message in 2 minutes", c.kind)
			}
		}
	}
	runChild(t, tool, "recv", url+"/after?send=ctl:10", "1")
	rss, _ := child.PeakRSS(rec.Cmd.Process.Pid)
	stopChild(t, rec)
	if m := lostRE.FindStringSubmatch(rec.Stderr()); m != nil {
		t.Fatalf("the recorder lost lines:\n%s", rec.Stderr())
	}
	t.Logf("recorder peak RSS %s for four %s messages", child.MiB(rss), child.MiB(int64(n)))

	// ls: every session, whole.
	out := runChild(t, bin, "ls", file)
	for _, c := range cases {
		if !regexp.MustCompile(`websocket\s+\S+\s+/` + c.kind + `\S*\s+\S+\s+0\s+1\s+32 MiB\s+1000 clean`).MatchString(out) {
			t.Errorf("ls has no whole row for %s:\n%s", c.kind, out)
		}
	}
	if !strings.Contains(out, "/after") {
		t.Errorf("ls lost the later session:\n%s", out)
	}
	// cat, and cat --json: every line.
	if out := runChild(t, bin, "cat", file); strings.Count(out, "== session") != 5 {
		t.Errorf("cat shows %d sessions:\n%.2000s", strings.Count(out, "== session"), out)
	}
	cmd := exec.Command(bin, "cat", "--json", file)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := 0
	br := bufio.NewReaderSize(stdout, 1<<20)
	for {
		chunk, err := br.ReadSlice('\n')
		lines += bytes.Count(chunk, []byte{'\n'})
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil || lines != 15 {
		t.Errorf("cat --json: %d lines, %v; want 15", lines, err)
	}
	// convert, and the copy lists the same.
	conv := filepath.Join(dir, "copy.ndjson.zst")
	runChild(t, bin, "convert", file, conv)
	if out := runChild(t, bin, "ls", conv); strings.Count(out, "32 MiB") != 4 || !strings.Contains(out, "/after") {
		t.Errorf("ls of the converted copy:\n%s", out)
	}
	// serve: the same messages, then the later session.
	srv := child.Start(t, bin, "serve", "--listen", "127.0.0.1:0", "--speed", "max", file)
	srv.DiscardStdout()
	surl := srv.WaitStderr(t, listeningLine, 20*time.Second)[1]
	for _, c := range cases {
		if got, want := runChild(t, tool, "recv", surl+"/"+c.kind, "1"), fmt.Sprintf(c.want, n)+"\n"; got != want {
			t.Errorf("serve /%s gave %q, want %q", c.kind, got, want)
		}
	}
	if got := runChild(t, tool, "recv", surl+"/after", "1"); !strings.HasPrefix(got, "MessageText 10 01\n") {
		t.Errorf("serve /after gave:\n%s", got)
	}
	stopChild(t, srv)
}

// ls of a file of many short sessions: its memory follows the sessions open
// at a time, not the sessions of the file. 300,000 sessions (3,000,000 took
// 2.3 GB when every summary was kept to the end).
func TestLsManySessionsRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin, tool := child.Build(t, wsreplayPkg), child.Build(t, wstoolPkg)
	file := filepath.Join(t.TempDir(), "many.ndjson")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	gen := exec.Command(tool, "sessions", "300000")
	gen.Stdout = f
	if err := gen.Run(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, args := range [][]string{{"ls", file}, {"ls", "--json", file}} {
		cmd := exec.Command(bin, args...)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stopWatch := child.WatchRSS(cmd.Process.Pid)
		var rows int
		buf := make([]byte, 1<<20)
		for {
			n, err := stdout.Read(buf)
			rows += bytes.Count(buf[:n], []byte{'\n'})
			if err != nil {
				break
			}
		}
		rss := stopWatch() // before the process is reaped: its stdout has ended
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		t.Logf("%v: %d lines, peak RSS %s", args, rows, child.MiB(rss))
		if rows < 300000 || rss > 64<<20 {
			t.Errorf("%v: %d lines, peak RSS %s; want every session and at most 64 MiB", args, rows, child.MiB(rss))
		}
	}
}

// A HAR holding a message larger than a recording holds is refused by
// convert with one line naming the file and the entry, and nothing is
// written: converted, it made a file that ls refused ("line longer
// than ...").
func TestConvertRefusesHARMessageOverLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a HAR with a message of 128 MiB")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "big.har"), filepath.Join(dir, "big.ndjson.zst")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"log":{"version":"1.2","entries":[{"startedDateTime":"2026-11-25T10:00:00Z","request":{"url":"wss://a.example/ws"},` +
		`"response":{},"_resourceType":"websocket","_webSocketMessages":[{"type":"receive","time":1767000000,"opcode":1,"data":"`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range format.MaxMessageSize >> 20 {
		w.Write(chunk)
	}
	w.WriteString(`a"}]}]}}`)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, stderr, code := wsreplay(t, "convert", in, out)
	if code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, in+": entries[0]._webSocketMessages[0]: a message of 134217729 bytes") {
		t.Errorf("exit %d, stderr %q: want one line naming the file, entry and message", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s written", out)
	}
}
