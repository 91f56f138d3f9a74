package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/internal/nettest"
)

// Outputs that used to look like success are errors naming what went wrong,
// and leave nothing behind.
func TestNothingLooksLikeSuccess(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"convert window past the end", []string{"convert", "../../testdata/format/valid.ndjson", filepath.Join(dir, "cut.ndjson"), "--from", "10s"},
			1, "--from 10s selects nothing in ../../testdata/format/valid.ndjson (1 session, 2 messages, the longest lasting 1s); nothing written"},
		{"convert direction with no message", []string{"convert", "../../testdata/har/playwright.har", filepath.Join(dir, "cut.har"), "--to", "1ms", "--dir", "send"},
			1, "--to 1ms --dir send selects nothing"},
		{"convert unknown session", []string{"convert", "../../testdata/demo.ndjson", filepath.Join(dir, "cut.ndjson"), "--session", "nope"},
			1, "no session [nope]"},
		{"record to a HAR name", []string{"record", "--upstream", "ws://localhost:1", "--out", filepath.Join(dir, "bug.har")},
			2, "bug.har\" is neither a recording file (.ndjson, .ndjson.gz or .ndjson.zst) nor a directory\nhint: record writes wsreplay NDJSON"},
		{"record to a name with another extension", []string{"record", "--upstream", "ws://localhost:1", "--out", filepath.Join(dir, "x.json")},
			2, "is neither a recording file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := wsreplay(t, tt.args...)
			if code != tt.code || !strings.HasPrefix(errOut, "wsreplay: ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}

// record --out FILE with no connection writes no file; ls says "no
// sessions" of a readable recording without any (an empty gzip stream, as
// older releases left).
func TestRecordNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "none.ndjson.gz")
	_, stderr, stop := startCommand(t, "record", "--upstream", "ws://127.0.0.1:1", "--listen", "127.0.0.1:0", "--out", path)
	if code := stop(); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("record with no connection left %s (stat: %v)", path, err)
	}
	if !strings.Contains(stderr.String(), "no session recorded; nothing written") {
		t.Errorf("record does not say it wrote nothing:\n%s", stderr)
	}

	var buf bytes.Buffer
	gzip.NewWriter(&buf).Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := wsreplay(t, "ls", path)
	if code != 0 || errOut != "wsreplay: "+path+": no sessions\n" || strings.Count(out, "\n") != 1 {
		t.Errorf("ls of an empty recording: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Ctrl-C during convert and import stops them at once: exit 130, no
// message, no temporary file left.
func TestInterruptLeavesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a named pipe")
	}
	demo, err := os.ReadFile("../../testdata/demo.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	pushes, err := os.ReadFile("../../testdata/import/pushes.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input []byte
		args  func(in, out string) []string
		temp  bool // a temporary file exists while the input is read
	}{
		{"convert to HAR", demo, func(in, out string) []string { return []string{"convert", in, out + ".har"} }, true},
		{"convert to zstd", demo, func(in, out string) []string { return []string{"convert", in, out + ".ndjson.zst"} }, true},
		{"import", pushes, func(in, out string) []string {
			return []string{"import", in, "--time", "ts", "--data", "payload", "--out", out + ".ndjson"}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(t.TempDir(), "in")
			if err := mkfifo(fifo); err != nil {
				t.Skip("no named pipes here:", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, append([]string{"wsreplay"}, tt.args(fifo, filepath.Join(dir, "out"))...), &bytes.Buffer{}, &stderr)
			}()
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			half := len(tt.input) / 2
			w.Write(tt.input[:half])
			if tt.temp {
				nettest.WaitFor(t, "the temporary file", func() bool { names, _ := filepath.Glob(filepath.Join(dir, ".out*.tmp-*")); return len(names) == 1 })
			}
			cancel() // Ctrl-C while the command waits for the rest
			w.Write(tt.input[half:])
			w.Close()
			select {
			case code := <-done:
				if code != exitInterrupted || stderr.Len() != 0 {
					t.Errorf("exit %d, stderr %q; want %d and nothing", code, stderr.String(), exitInterrupted)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the command did not stop")
			}
			if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 0 {
				t.Errorf("left behind: %v", names)
			}
			hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(hidden) != 0 {
				t.Errorf("left behind: %v", hidden)
			}
		})
	}

	// ls and cat stop quietly too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, cmd := range []string{"ls", "cat"} {
		t.Run(cmd, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(ctx, []string{"wsreplay", cmd, "../../testdata/demo.ndjson"}, &out, &errOut)
			if code != exitInterrupted || errOut.Len() != 0 {
				t.Errorf("%s after Ctrl-C: exit %d, stderr %q", cmd, code, errOut.String())
			}
		})
	}
}

// The real thing: the first SIGINT to a wsreplay process converting to HAR
// stops it with 130 and no temporary file.
func TestCtrlCStopsConvertProcess(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("starts a subprocess; uses a named pipe")
	}
	demo, err := os.ReadFile("../../testdata/demo.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "in")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no named pipes here:", err)
	}
	cmd := exec.Command(os.Args[0], "convert", fifo, filepath.Join(dir, "out.har"))
	cmd.Env = append(os.Environ(), "WSREPLAY_TEST_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(demo[:len(demo)/2])
	nettest.WaitFor(t, "the temporary file", func() bool { names, _ := filepath.Glob(filepath.Join(dir, ".out.har.tmp-*")); return len(names) == 1 })
	cmd.Process.Signal(os.Interrupt)
	// The process waits in a read of the pipe. Feed it lines until it
	// stops: each read after its signal handler has run ends it.
	go func() {
		defer w.Close()
		rest := demo[len(demo)/2:]
		for {
			for i := 0; i < len(rest); i += 512 {
				if _, err := w.Write(rest[i:min(i+512, len(rest))]); err != nil {
					return // the process has gone
				}
				time.Sleep(5 * time.Millisecond)
			}
			rest = demo
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted || stderr.Len() != 0 {
		t.Errorf("after Ctrl-C: %v, stderr %q; want exit %d and nothing", err, stderr.String(), exitInterrupted)
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
}
