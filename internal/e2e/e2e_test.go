package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	// The tests run a wsreplay binary built from these packages; importing
	// them makes go test's cache see when they change.
	_ "github.com/wsreplay/wsreplay/format"
	_ "github.com/wsreplay/wsreplay/recorder"
	_ "github.com/wsreplay/wsreplay/replayer"
)

// wsreplayBin is the wsreplay binary built for these tests.
var wsreplayBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if missing := missingTools(); missing != "" && os.Getenv("CI") != "true" {
		// go test prints a passing package's output only with -v, so a
		// skip inside each test would show as a plain "ok". Running no
		// test at all makes it "ok ... [no tests to run]" in every run.
		fmt.Fprintf(os.Stderr, "e2e: no interoperability test runs: %s\n", missing)
		flag.Set("test.run", "^$")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "wsreplay-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wsreplayBin = filepath.Join(dir, "wsreplay")
	build := exec.Command("go", "build", "-o", wsreplayBin, "../../cmd/wsreplay")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build wsreplay:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// missingTools says what every one of these tests needs and is not
// installed, "" when nothing is. Chromium is not among them: the tests that
// drive it say so with need(t, true) and are skipped alone, so the Node-only
// tests still run on a machine without it.
func missingTools() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	if _, err := os.Stat("node_modules/ws"); err != nil {
		return "the Node packages are not installed (npm ci --prefix internal/e2e)"
	}
	return ""
}

// need skips the test when a tool is missing, or fails it under CI.
func need(t *testing.T, chromium bool) {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat("node_modules/ws"); err != nil {
		missing = "the Node packages are not installed (npm ci --prefix internal/e2e)"
	} else if chromium {
		if _, err := os.Stat(chromiumPath()); err != nil {
			missing = chromiumPath() + " is not installed (apt-get install chromium)"
		}
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("under CI every interoperability test must run, but %s", missing)
	}
	t.Skip(missing)
}

func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// proc is a background process started by a test.
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{}
	stderr strings.Builder
}

// start runs a command in the background and waits for it to print a line
// matching re (on stdout or stderr), returning the first submatch.
func start(t *testing.T, re *regexp.Regexp, name string, args ...string) (*proc, string) {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...), done: make(chan struct{})}
	stdout, _ := p.cmd.StdoutPipe()
	stderr, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	scan := func(r io.Reader, keep bool) {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if keep {
				p.stderr.WriteString(sc.Text() + "\n")
			}
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}
	go scan(stdout, false)
	go func() { scan(stderr, true); p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop(syscall.SIGKILL)
		if t.Failed() && name == wsreplayBin {
			t.Logf("wsreplay %s said:\n%s", args[0], p.stderr.String())
		}
	})
	select {
	case s := <-found:
		return p, s
	case <-p.done:
		t.Fatalf("%s exited before it was ready:\n%s", name, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: not ready after 60s", name)
	}
	return nil, ""
}

// stop signals the process and waits for it to end.
func (p *proc) stop(sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

var (
	nodeListening     = regexp.MustCompile(`^listening (\d+)$`)
	wsreplayListening = regexp.MustCompile(`listening on (ws://\S+)`)
)

func startNode(t *testing.T, script string, args ...string) (*proc, string) {
	t.Helper()
	return start(t, nodeListening, "node", append([]string{script}, args...)...)
}

// runNode runs a script to its end and decodes the JSON it prints into v.
func runNode(t *testing.T, v any, script string, args ...string) {
	t.Helper()
	if err := nodeJSON(v, script, args...); err != nil {
		t.Fatalf("%s %s: %v", script, strings.Join(args, " "), err)
	}
}

// nodeJSON is runNode for any goroutine.
func nodeJSON(v any, script string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	if _, err := os.Stat(chromiumPath()); err == nil {
		cmd.Env = append(os.Environ(), "CHROMIUM="+chromiumPath())
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node %s: %v\nstdout: %s\nstderr: %s", script, err, out, stderr.String())
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("node %s printed %q: %v", script, out, err)
	}
	return nil
}

// record starts "wsreplay record" in front of the upstream port (with the
// extra flags) and returns its URL and a function that stops it gracefully
// and returns the recordings' directory.
func record(t *testing.T, port string, extra ...string) (string, func() string) {
	t.Helper()
	dir := t.TempDir()
	args := append([]string{"record", "--upstream", "ws://127.0.0.1:" + port,
		"--listen", "127.0.0.1:0", "--out", dir, "--compress", "none"}, extra...)
	p, url := start(t, wsreplayListening, wsreplayBin, args...)
	return url, func() string {
		p.stop(syscall.SIGINT)
		if p.cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("record exited %d:\n%s", p.cmd.ProcessState.ExitCode(), p.stderr.String())
		}
		return dir
	}
}

// serve starts "wsreplay serve" on the recordings in dir.
func serve(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if len(files) == 0 {
		t.Fatalf("no finished recording in %s", dir)
	}
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--verbose"}, extra...)
	_, url := start(t, wsreplayListening, wsreplayBin, append(args, files...)...)
	return url
}

func sameJSON(t *testing.T, what string, live, replay any) {
	t.Helper()
	if !reflect.DeepEqual(live, replay) {
		l, _ := json.MarshalIndent(live, "", " ")
		r, _ := json.MarshalIndent(replay, "", " ")
		t.Errorf("%s: replay differs from live\nlive:   %s\nreplay: %s", what, l, r)
	}
}

type wsClientResult struct {
	Protocol string `json:"protocol"`
	Messages []struct {
		Binary  bool    `json:"binary"`
		Length  int     `json:"length"`
		SHA256  string  `json:"sha256"`
		Preview *string `json:"preview"`
	} `json:"messages"`
	Close *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"close"`
	Error string `json:"error"`
}

// Node's ws as upstream and client: live through the proxy, then the
// recording through the replay server.
func TestNodeWS(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "ws-server.mjs", "content", "0")
	proxyURL, stopRecord := record(t, port)
	var live wsClientResult
	runNode(t, &live, "ws-client.mjs", proxyURL+"/e2e?case=content")
	dir := stopRecord()

	if live.Error != "" || live.Protocol != "chat.v1" || len(live.Messages) != 6 || live.Close == nil || live.Close.Code != 4001 {
		t.Fatalf("live run: %+v", live)
	}
	wantLengths := []int{len("hello ✓"), len("héllo wörld ✓ 👋 — 日本語"), 0, 3 << 20, 3 << 20, len(`{"type":"last"}`)}
	for i, m := range live.Messages {
		if m.Length != wantLengths[i] || m.Binary != (i == 4) {
			t.Errorf("live message %d: %d bytes (binary %v), want %d", i, m.Length, m.Binary, wantLengths[i])
		}
	}

	url := serve(t, dir, "--speed", "max")
	var replay wsClientResult
	runNode(t, &replay, "ws-client.mjs", url+"/e2e?case=content")
	sameJSON(t, "node ws client", live, replay)
}

type pageEvent struct {
	Ev       string `json:"ev"`
	Data     string `json:"data,omitempty"`
	Code     int    `json:"code,omitempty"`
	Reason   string `json:"reason,omitempty"`
	WasClean *bool  `json:"wasClean,omitempty"`
}

// A page in Chromium sees the same messages and the same ending, live and
// replayed: a clean close with a 4xxx code, and a drop (1006, not clean).
func TestChromiumEndings(t *testing.T) {
	need(t, true)
	tests := []struct {
		mode      string
		wantCode  int
		wantClean bool
	}{
		{"clean", 4002, true},
		{"drop", 1006, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			_, port := startNode(t, "ws-server.mjs", tt.mode, "0")
			proxyURL, stopRecord := record(t, port)
			var live []pageEvent
			runNode(t, &live, "browser.mjs", proxyURL+"/live", "1")
			dir := stopRecord()
			last := live[len(live)-1]
			if last.Ev != "close" || last.Code != tt.wantCode || last.WasClean == nil || *last.WasClean != tt.wantClean {
				t.Fatalf("live: %+v", live)
			}
			var replay []pageEvent
			runNode(t, &replay, "browser.mjs", serve(t, dir)+"/live", "1")
			sameJSON(t, "Chromium page", live, replay)
		})
	}
}

// The upstream dies mid-stream while the page's reconnect logic opens new
// WebSockets, until a restarted upstream answers. In replay the page sees the
// same drop, reconnects, and gets the second recorded session.
func TestChromiumReconnect(t *testing.T) {
	need(t, true)
	first, port := startNode(t, "ws-server.mjs", "die", "0")
	proxyURL, stopRecord := record(t, port)

	type result struct {
		events []pageEvent
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = nodeJSON(&r.events, "browser.mjs", proxyURL+"/live", "2")
		done <- r
	}()
	select {
	case <-first.done: // the upstream crashed, as planned
	case <-time.After(60 * time.Second):
		t.Fatal("the first upstream did not exit")
	}
	startNode(t, "ws-server.mjs", "restarted", port)
	var live []pageEvent
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		live = r.events
	case <-time.After(120 * time.Second):
		t.Fatal("the page did not finish")
	}
	dir := stopRecord()
	want := []string{"open", "message", "message", "close", "open", "message", "message", "close"}
	var got []string
	for _, e := range live {
		got = append(got, e.Ev)
	}
	if !reflect.DeepEqual(got, want) || live[3].Code != 1006 || live[7].Code != 1000 {
		t.Fatalf("live: %+v", live)
	}
	var replay []pageEvent
	runNode(t, &replay, "browser.mjs", serve(t, dir)+"/live", "2")
	sameJSON(t, "Chromium page reconnecting", live, replay)
}

// A socket.io client (websocket transport) gets the same events, in the same
// order, live and replayed.
func TestSocketIO(t *testing.T) {
	need(t, false)
	_, port := startNode(t, "sio-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live, replay any
	runNode(t, &live, "sio-client.mjs", "http"+strings.TrimPrefix(proxyURL, "ws"))
	dir := stopRecord()
	if events, ok := live.([]any); !ok || len(events) != 6 {
		t.Fatalf("live: %v", live)
	}
	runNode(t, &replay, "sio-client.mjs", "http"+strings.TrimPrefix(serve(t, dir, "--speed", "max"), "ws"))
	sameJSON(t, "socket.io client", live, replay)
}

// When Node is missing, go test's summary line for this package says that
// no test ran, in its default output: a plain "ok" would hide it.
func TestMissingToolsShowInSummary(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir() // a PATH with go on it and no node
	if err := os.Symlink(goBin, filepath.Join(bin, "go")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", ".")
	cmd.Env = append(os.Environ(), "PATH="+bin, "CI=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "internal/e2e") || !strings.Contains(string(out), "[no tests to run]") {
		t.Errorf("go test with node missing: %v\n%s", err, out)
	}
}

// When only Chromium is missing, the Node-only tests still run and the
// Chromium tests are skipped, each saying why.
func TestChromiumMissingSkipsOnlyItsTests(t *testing.T) {
	need(t, false)
	cmd := exec.Command("go", "test", "-count=1", "-v", "-run", "^(TestNodeWS|TestChromiumEndings)$", ".")
	cmd.Env = append(os.Environ(), "CHROMIUM=/nonexistent/chromium", "CI=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test with Chromium missing: %v\n%s", err, out)
	}
	for _, want := range []string{"--- PASS: TestNodeWS", "--- SKIP: TestChromiumEndings", "/nonexistent/chromium is not installed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go test with Chromium missing: no %q in\n%s", want, out)
		}
	}
}

// controlOf returns the base URL of the control listener of the serve
// whose replay port is base: where its GET /_wsreplay/ is sent.
func controlOf(t *testing.T, base string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/_wsreplay/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || u.Host == "" {
		t.Fatalf("GET %s/_wsreplay/: %d to %q, want a redirect to the control listener", base, resp.StatusCode, resp.Header.Get("Location"))
	}
	return u.Scheme + "://" + u.Host
}
