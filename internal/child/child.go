// Package child runs wsreplay, and the test tool wstool, as processes of
// their own for tests that measure them: built without the race detector
// (which multiplies memory), watched through /proc.
package child

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Build builds the main package pkg (an import path of this module) into
// tb's temporary directory, without -race, and returns the binary's path.
// It skips the test if the go command is not there.
func Build(tb testing.TB, pkg string) string {
	tb.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("no go command to build", pkg)
	}
	out := filepath.Join(tb.TempDir(), filepath.Base(pkg))
	cmd := exec.Command(goCmd, "build", "-o", out, pkg)
	var flags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-race" {
			flags = append(flags, f)
		}
	}
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.Join(flags, " "))
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// Proc is a running child process. Its stderr is kept (see Stderr); its
// stdout is read line by line by Expect, or discarded.
type Proc struct {
	Cmd    *exec.Cmd
	Stdin  io.WriteCloser // the process's stdin; closing it ends wstool hold and flood
	stdout *bufio.Reader
	mu     sync.Mutex
	stderr bytes.Buffer
}

// Start starts bin with args; the test's cleanup kills it if it still runs.
func Start(tb testing.TB, bin string, args ...string) *Proc {
	tb.Helper()
	p := &Proc{Cmd: exec.Command(bin, args...)}
	p.Cmd.Stderr = lockedWriter{p}
	out, err := p.Cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p.stdout = bufio.NewReader(out)
	if p.Stdin, err = p.Cmd.StdinPipe(); err != nil {
		tb.Fatal(err)
	}
	if err := p.Cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.Cmd.Process.Kill()
		p.Cmd.Wait()
	})
	return p
}

type lockedWriter struct{ p *Proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.stderr.Write(b)
}

// Stderr returns what the process wrote to stderr so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// Expect reads stdout lines until one matches re and returns its
// submatches; it fails the test at the end of stdout.
func (p *Proc) Expect(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	for {
		line, err := p.stdout.ReadString('\n')
		if m := re.FindStringSubmatch(line); m != nil {
			return m
		}
		if err != nil {
			tb.Fatalf("%s: no line matching %s on stdout (%v); stderr:\n%s", p.Cmd.Path, re, err, p.Stderr())
		}
	}
}

// WaitStderr waits until stderr matches re, or fails the test after d.
func (p *Proc) WaitStderr(tb testing.TB, re *regexp.Regexp, d time.Duration) []string {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		if m := re.FindStringSubmatch(p.Stderr()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: stderr never matched %s:\n%s", p.Cmd.Path, re, p.Stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// DiscardStdout drains stdout from now on.
func (p *Proc) DiscardStdout() { go io.Copy(io.Discard, p.stdout) }

// PeakRSS returns the peak resident set size of a running process, in
// bytes: VmHWM in /proc/PID/status.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no VmHWM", pid)
}

// WatchRSS samples the peak RSS (VmHWM) of a running process every 5 ms
// until stop is called, and stop returns the highest value seen: for a
// process too short-lived to read once at the right moment. (wait4's
// ru_maxrss would not do: a child started with vfork, as os/exec does,
// inherits the parent's high-water mark at exec.)
func WatchRSS(pid int) (stop func() int64) {
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var max int64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if n, err := PeakRSS(pid); err == nil && n > max {
				max = n
			}
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

// MiB formats a byte count for test messages.
func MiB(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
