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
	kinds := []string{"ctl", "quote", "badutf8", "binary"}
	var send []string
	for _, k := range kinds {
		send = append(send, fmt.Sprintf("%s:%d", k, n))
	}
	// The upstream sends them: the client gets them through the proxy.
	want := fmt.Sprintf("MessageText %d 01\nMessageText %d 22\nMessageText %d ff\nMessageBinary %d 00\n", n, n, n, n)
	if got := runChild(t, tool, "recv", url+"/big?send="+strings.Join(send, ","), "4"); got != want {
		t.Fatalf("through the proxy, the client got:\n%s", got)
	}
	// Let the writer catch up, so that the next session's line is not
	// lost to a full queue (which would be true, and logged as such).
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if fi, err := os.Stat(file); err == nil && fi.Size() >= int64(len(kinds))*(n+2)/3*4 || time.Now().After(deadline) {
			break
		}
	}
	runChild(t, tool, "recv", url+"/after?send=ctl:10", "1")
	rss, _ := child.PeakRSS(rec.Cmd.Process.Pid)
	stopChild(t, rec)
	if m := lostRE.FindStringSubmatch(rec.Stderr()); m != nil {
		t.Fatalf("the recorder lost lines:\n%s", rec.Stderr())
	}
	t.Logf("recorder peak RSS %s for four %s messages", child.MiB(rss), child.MiB(int64(n)))

	// ls: both sessions, whole.
	out := runChild(t, bin, "ls", file)
	if !regexp.MustCompile(`/big\S*\s+\S+\s+0\s+4\s+128 MiB\s+1000 clean`).MatchString(out) || !strings.Contains(out, "/after") {
		t.Errorf("ls:\n%s", out)
	}
	// cat, and cat --json: every line.
	if out := runChild(t, bin, "cat", file); strings.Count(out, "== session") != 2 {
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
	if err := cmd.Wait(); err != nil || lines != 9 {
		t.Errorf("cat --json: %d lines, %v; want 9", lines, err)
	}
	// convert, and the copy lists the same.
	conv := filepath.Join(dir, "copy.ndjson.zst")
	runChild(t, bin, "convert", file, conv)
	if out := runChild(t, bin, "ls", conv); !strings.Contains(out, "128 MiB") || !strings.Contains(out, "/after") {
		t.Errorf("ls of the converted copy:\n%s", out)
	}
	// serve: the same messages, then the later session.
	srv := child.Start(t, bin, "serve", "--listen", "127.0.0.1:0", "--speed", "max", file)
	srv.DiscardStdout()
	surl := srv.WaitStderr(t, listeningLine, 20*time.Second)[1]
	if got := runChild(t, tool, "recv", surl+"/big", "4"); got != want {
		t.Errorf("serve /big gave:\n%s", got)
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
