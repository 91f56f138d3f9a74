package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	_ "github.com/wsreplay/wsreplay/recorder/browser"
)

// browserApp is browser-app-server.mjs running: its port, and the lines
// it prints after "listening" ("page done", "hold open").
type browserApp struct {
	port  string
	lines chan string
}

func startBrowserApp(t *testing.T) *browserApp {
	t.Helper()
	cmd := exec.Command("node", "browser-app-server.mjs")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	app := &browserApp{lines: make(chan string, 64)}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || !nodeListening.MatchString(sc.Text()) {
		t.Fatalf("browser-app-server.mjs did not start: %q", sc.Text())
	}
	app.port = nodeListening.FindStringSubmatch(sc.Text())[1]
	go func() {
		for sc.Scan() {
			app.lines <- sc.Text()
		}
	}()
	return app
}

// wait waits for the app to print line.
func (a *browserApp) wait(t *testing.T, line string) {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for {
		select {
		case l := <-a.lines:
			if l == line {
				return
			}
		case <-deadline:
			t.Fatalf("the app never printed %q", line)
		}
	}
}

func (a *browserApp) url(query string) string { return "http://127.0.0.1:" + a.port + "/" + query }

// The flags both recordings of the app take: a query parameter and a JSON
// field of the page's own to redact.
var browserRedaction = []string{"--compress", "none", "--redact-query", "ticket2", "--redact-json", "password"}

// The page's secrets, which no recording may hold.
var browserSecrets = []string{"SECRETQ", "hunter2SECRET"}

var browserRecording = regexp.MustCompile(`recording from the browser to (\S+)`)

// lsRow is a row of ls --json.
type lsRow struct {
	Session, Kind, URL, Ending, By, File string
	Code                                 int
	Clean                                bool
}

func lsJSON(t *testing.T, dir string) []lsRow {
	t.Helper()
	out, err := exec.Command(wsreplayBin, "ls", "--json", dir).Output()
	if err != nil {
		t.Fatalf("ls %s: %v", dir, err)
	}
	var rows []lsRow
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r lsRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ls --json: %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// waitEnded waits until dir holds n sessions that have ended: the
// browser's events may come after the page says it is done.
func waitEnded(t *testing.T, dir string, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ended := 0
		if out, err := exec.Command(wsreplayBin, "ls", "--json", dir).Output(); err == nil {
			ended = strings.Count(string(out), `"ending":"`) - strings.Count(string(out), `"ending":"open"`)
		}
		if ended >= n {
			return
		}
	}
	t.Fatalf("%s: %d sessions never all ended", dir, n)
}

// proxyRecording records the app's page through the proxy and returns
// the directory and what the page showed.
func proxyRecording(t *testing.T, app *browserApp) (string, map[string]any) {
	t.Helper()
	proxyURL, stop := record(t, app.port, browserRedaction...)
	var live map[string]any
	runNode(t, &live, "browser-page.mjs", httpURL(proxyURL)+"/")
	app.wait(t, "page done")
	if live["error"] != nil {
		t.Fatalf("live page: %v", live)
	}
	return stop(), live
}

// checkBrowserRecording checks what record --browser or --attach wrote
// in dir: the sessions of proxyDir (diff: equal up to timing), each saying
// it came from the browser and which page opened it, no secret anywhere.
func checkBrowserRecording(t *testing.T, proxyDir, dir, page string) {
	t.Helper()
	if out, err := exec.Command(wsreplayBin, "diff", proxyDir, dir).CombinedOutput(); err != nil {
		t.Errorf("diff of the proxy's and the browser's recordings: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range browserSecrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds the secret %q", f, s)
			}
		}
		r := format.NewReader(strings.NewReader(string(b)), nil)
		ev, err := r.Next()
		want := page // the worker's socket: the worker's URL
		if err == nil && ev.URL == "/ws/worker" {
			want = strings.TrimSuffix(page, "/"+strings.SplitN(page, "/", 4)[3]) + "/worker.js?ws="
			if strings.HasPrefix(ev.Page, want) {
				want = ev.Page
			}
		}
		if err != nil || ev.Type != format.TypeSession || ev.Via != format.ViaBrowser || ev.Page != want {
			t.Errorf("%s: session line %+v (%v), want via browser and page %s", f, ev, err, want)
		}
	}
}

// A page with a WebSocket (text, binary, a server close 4001), a dropped
// WebSocket, a dedicated worker's WebSocket, the default Socket.IO client
// and an EventSource: recorded
// through the proxy, then from the browser with record --browser URL; the
// two recordings are the same up to timing (wsreplay diff), and serve
// replays the browser's to the same page, which shows the same messages.
func TestRecordBrowser(t *testing.T) {
	need(t, true)
	app := startBrowserApp(t)
	proxyDir, live := proxyRecording(t, app)

	dir := t.TempDir()
	// The page's fragment never reaches a server, and an OAuth implicit
	// flow puts its token there: the session lines' page and the log
	// leave it out.
	const fragSecret = "FRAGSECRET"
	args := append([]string{"record", "--browser", app.url("#access_token=" + fragSecret), "--headless", "--chromium", chromiumPath(), "--out", dir}, browserRedaction...)
	p, _ := start(t, browserRecording, wsreplayBin, args...)
	app.wait(t, "page done")
	waitEnded(t, dir, 5)
	p.stop(syscall.SIGINT)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("record --browser exited %d:\n%s", code, p.stderr.String())
	}
	checkBrowserRecording(t, proxyDir, dir, app.url(""))
	for _, s := range append(browserSecrets, fragSecret) {
		if strings.Contains(p.stderr.String(), s) {
			t.Errorf("record --browser's log holds the secret %q:\n%s", s, p.stderr.String())
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if b, _ := os.ReadFile(f); strings.Contains(string(b), fragSecret) {
			t.Errorf("%s holds the page's fragment token", f)
		}
	}

	// --wait: without it the cleanness of the replayed 4001 depends on how
	// the page's 'done' and the replay's clock cross (a WebSocket of no
	// protocol keeps the recorded clock), for the proxy's recording as
	// much as for the browser's.
	var replay map[string]any
	runNode(t, &replay, "browser-page.mjs", app.url("?target="+serve(t, dir, "--wait")))
	// What was redacted is replayed redacted.
	want := strings.ReplaceAll(mustJSON(t, live), "hunter2SECRET", "[redacted]")
	sameJSON(t, "the page replayed from the browser's recording", want, mustJSON(t, replay))

	// No flag, and the Socket.IO client a second later with its emit of
	// "join" than recorded: the ack answer waits for the emit, and the
	// ticks recorded after it wait behind it (else the page, which
	// disconnects at the third tick, never sees the ack).
	var late map[string]any
	runNode(t, &late, "browser-page.mjs", app.url("?target="+serve(t, dir)+"&late=1000"))
	sameJSON(t, "Socket.IO replayed with no flag to a client that emits late", mustJSON(t, live["sio"]), mustJSON(t, late["sio"]))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// record --attach to a Chromium the test started with a debugging port:
// the page, opened after the recorder attached, is recorded as through the
// proxy; then the browser is killed with a WebSocket open, and the
// recorder ends by itself, leaving readable files, the open session ended
// as a drop.
func TestRecordBrowserAttach(t *testing.T) {
	need(t, true)
	app := startBrowserApp(t)
	proxyDir, _ := proxyRecording(t, app)

	port := freePort(t)
	profile, err := os.MkdirTemp("", "wsreplay-attach-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	chrome := exec.Command(chromiumPath(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--remote-debugging-port="+port, "--user-data-dir="+profile, "about:blank")
	if err := chrome.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { chrome.Process.Kill(); chrome.Wait() }()
	debug := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(debug + "/json/version"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Chromium's debugging port never answered")
		}
	}

	dir := t.TempDir()
	p, _ := start(t, browserRecording, wsreplayBin, append([]string{"record", "--attach", "ws://127.0.0.1:" + port, "--out", dir}, browserRedaction...)...)
	page := app.url("?hold=1")
	req, _ := http.NewRequest(http.MethodPut, debug+"/json/new?"+page, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	app.wait(t, "page done")
	app.wait(t, "hold open")
	waitEnded(t, dir, 5)

	chrome.Process.Kill() // mid-session: /ws/hold is open
	chrome.Wait()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("record --attach still runs after the browser was killed:\n%s", p.stderr.String())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("record --attach exited %d:\n%s", code, p.stderr.String())
	}
	var held *lsRow
	rows := lsJSON(t, dir)
	for i, r := range rows {
		if strings.HasPrefix(r.URL, "/ws/hold") {
			held = &rows[i]
		}
	}
	if len(rows) != 6 || held == nil || held.Clean || held.Code != format.CodeAbnormal || strings.HasSuffix(held.File, ".partial") {
		t.Fatalf("after the browser was killed: %+v, want 6 finished sessions, /ws/hold a drop", rows)
	}
	os.Remove(held.File) // the proxy's recording has no held socket
	checkBrowserRecording(t, proxyDir, dir, page)
}

// The capture's cost to the page: messages per second a page receives
// (N at once on one WebSocket) in headless Chromium alone, recorded by
// record --browser, and through the recording proxy; three runs each, the
// median logged. Run with E2E_BENCH=1 (and E2E_BENCH_N, default
// 20000):
//
//	E2E_BENCH=1 go test ./internal/e2e -run TestRecordBrowserOverhead -v
func TestRecordBrowserOverhead(t *testing.T) {
	if os.Getenv("E2E_BENCH") == "" {
		t.Skip("a measurement: E2E_BENCH=1 runs it")
	}
	need(t, true)
	n := "20000"
	if v := os.Getenv("E2E_BENCH_N"); v != "" {
		n = v
	}
	app := startBrowserApp(t)
	rate := func() string {
		t.Helper()
		deadline := time.After(120 * time.Second)
		for {
			select {
			case l := <-app.lines:
				if r, ok := strings.CutPrefix(l, "bench "); ok {
					return r
				}
			case <-deadline:
				t.Fatal("no bench rate")
			}
		}
	}
	var plain, captured, proxied []string
	for range 3 {
		var out any
		runNode(t, &out, "browser-page.mjs", app.url("?bench="+n))
		plain = append(plain, rate())

		dir := t.TempDir()
		p, _ := start(t, browserRecording, wsreplayBin, "record", "--browser", app.url("?bench="+n), "--headless",
			"--chromium", chromiumPath(), "--out", dir, "--compress", "none")
		captured = append(captured, rate())
		waitRecorded(t, dir, n)
		p.stop(syscall.SIGINT)

		proxyURL, stop := record(t, app.port)
		runNode(t, &out, "browser-page.mjs", httpURL(proxyURL)+"/?bench="+n)
		proxied = append(proxied, rate())
		stop()
	}
	t.Logf("messages/s received by the page, %s messages, three runs: Chromium alone %v, record --browser %v, through the proxy %v",
		n, plain, captured, proxied)
}

// waitRecorded waits until dir's one session has received n messages.
func waitRecorded(t *testing.T, dir, n string) {
	t.Helper()
	for deadline := time.Now().Add(120 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out, _ := exec.Command(wsreplayBin, "ls", "--json", dir).Output()
		if strings.Contains(string(out), `"received":`+n+`,`) {
			return
		}
	}
	t.Fatalf("%s: the capture never recorded %s messages", dir, n)
}
