package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// convert and import write their outputs 0600 whatever the umask: a copy of
// a recording is never easier to read than the recording.
func TestOutputsArePrivate(t *testing.T) {
	setUmask(t, 0o022)
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"convert ndjson", []string{"convert", "../../testdata/demo.ndjson", filepath.Join(dir, "a.ndjson.zst")}},
		{"convert har", []string{"convert", "../../testdata/demo.ndjson", filepath.Join(dir, "a.har")}},
		{"import", []string{"import", "../../testdata/import/pushes.jsonl", "--time", "ts", "--data", "payload", "--out", filepath.Join(dir, "i.ndjson")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, errOut, code := wsreplay(t, tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			out := tt.args[len(tt.args)-1]
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("%s: mode %v, want 0600", out, got)
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"/live?room=1":              "/live?room=1",
		"héllo ✓":                   "héllo ✓",
		"a\x1b[2Jb":                 `a\x1b[2Jb`,
		"\x1b]0;title\x07":          `\x1b]0;title\x07`,
		"csi\u009b31m":              `csi\u009b31m`,
		"del\x7f":                   `del\x7f`,
		"rtl\u202eevil":             `rtl\u202eevil`,
		"bad\xffutf8":               `bad\xffutf8`,
		"real \uFFFD is kept":       "real \uFFFD is kept",
		"ls\u2028ps\u2029bom\ufeff": `ls\u2028ps\u2029bom\ufeff`,
	} {
		t.Run(in, func(t *testing.T) {
			if got := printable(in); got != want {
				t.Errorf("printable(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// A shared recording cannot drive the terminal of whoever lists it: ids,
// URLs, subprotocols and payloads reach ls, cat and serve with their control
// characters escaped.
func TestControlCharactersEscaped(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "evil.ndjson")
	const lines = `{"type":"session","v":1,"session":"id\u001b]0;pwned\u0007","time":"2026-11-25T10:00:00Z","url":"/x\u001b[2J\u009b31m","subprotocol":"p\u001b[5m"}
{"type":"message","session":"id\u001b]0;pwned\u0007","time":"2026-11-25T10:00:01Z","dir":"receive","text":"{\"a\":\"\u009b2J\u001b[1m\"}"}
{"type":"close","session":"id\u001b]0;pwned\u0007","time":"2026-11-25T10:00:02Z","by":"server\u001b[0m","code":1000,"reason":"r\u001b[0m","clean":true}
`
	if err := os.WriteFile(rec, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"ls", rec}, {"cat", rec}, {"cat", "--pretty", rec}, {"ls", "--json", rec}, {"cat", "--json", rec}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := wsreplay(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			if strings.ContainsAny(out+errOut, "\x1b\x07\u009b") {
				t.Errorf("%v printed control characters:\n%q", args, out+errOut)
			}
			if !strings.Contains(out, `\x1b`) && !strings.Contains(out, `\u001b`) {
				t.Errorf("%v: the escaped form is missing:\n%s", args, out)
			}
		})
	}
	_, stderr, stop := startCommand(t, "serve", rec, "--listen", "127.0.0.1:0")
	stop()
	if strings.ContainsAny(stderr.String(), "\x1b\x07\u009b") || !strings.Contains(stderr.String(), `\x1b`) {
		t.Errorf("serve printed:\n%q", stderr.String())
	}
}

// Secrets sent through record appear nowhere afterwards: not in its log,
// the files, ls, cat, serve's output or its page.
func TestSecretsStayRedacted(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Auth-Token", "RSECRET")
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"base64url.bearer.authorization.k8s.io.SUBSECRETX"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, data, err := c.Read(context.Background())
			if err != nil {
				return
			}
			c.Write(context.Background(), typ, data)
		}
	}))
	defer up.Close()
	dir := t.TempDir()
	url, recLog, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"), "--listen", "127.0.0.1:0",
		"--out", dir, "--redact-json", "password", "--redact-path", "^/ws/([^/]+)")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url+"/ws/PATHSECRET/live?room=1&jwt=JSECRET&ticket=TSECRET", &websocket.DialOptions{
		Subprotocols: []string{"base64url.bearer.authorization.k8s.io.SUBSECRETX"},
		HTTPHeader:   http.Header{"X-Api-Key": {"HSECRET"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`42["login",{"password":"PSECRET"}]`, `{"data":"{\"password\":\"DSECRET\"}"}`} {
		c.Write(ctx, websocket.MessageText, []byte(m))
		c.Read(ctx)
	}
	c.Close(1000, "")
	if code := stop(); code != 0 {
		t.Fatalf("record exited %d:\n%s", code, recLog)
	}

	seen := map[string]string{"record's log": recLog.String()}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		seen[f] = string(b)
	}
	for _, args := range [][]string{{"ls", dir}, {"ls", "--json", dir}, {"cat", dir}, {"cat", "--json", dir}, {"cat", "--pretty", dir}} {
		out, errOut, _ := wsreplay(t, args...)
		seen[strings.Join(args[:len(args)-1], " ")] = out + errOut
	}
	serveURL, serveLog, stopServe := startCommand(t, "serve", files[0], "--listen", "127.0.0.1:0")
	resp, err := http.Get("http" + strings.TrimPrefix(serveURL, "ws") + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c2 := nettest.Dial(t, serveURL+"/ws/x/live", &websocket.DialOptions{Subprotocols: []string{"base64url.bearer.authorization.k8s.io.MINE"}})
	if c2.Subprotocol() != "base64url.bearer.authorization.k8s.io.MINE" {
		t.Errorf("replay accepted %q, want the client's own token offer", c2.Subprotocol())
	}
	c2.CloseNow()
	stopServe()
	seen["serve's page"], seen["serve's output"] = string(page), serveLog.String()

	for where, text := range seen {
		for _, s := range []string{"PATHSECRET", "JSECRET", "TSECRET", "SUBSECRETX", "HSECRET", "RSECRET", "PSECRET", "DSECRET"} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %s", where, s)
			}
		}
	}
}

// Raw C1 controls and bidi overrides inside a recording's JSON strings, and
// control characters in a file's name, reach no output raw: not --json, not
// the error that names the file.
func TestRawControlsInJSONAndNames(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "raw.ndjson")
	line := "{\"type\":\"session\",\"v\":1,\"session\":\"s\u009b\u202e1\",\"time\":\"2026-11-25T10:00:00Z\",\"url\":\"/x\u009b\"}\n"
	if err := os.WriteFile(rec, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "evil\x1b]0;T\a.ndjson"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"ls", "--json", rec}, {"cat", "--json", rec}, {"ls", dir}, {"cat", dir}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, _ := wsreplay(t, args...)
			if strings.ContainsAny(out+errOut, "\x1b\a\u009b\u202e") {
				t.Errorf("%v printed raw controls:\n%q", args, out+errOut)
			}
		})
	}
}

// diff --json escapes raw C1 controls and bidi overrides as ls --json does,
// and the previews of cat and diff escape line and paragraph separators
// and byte order marks.
func TestDiffJSONAndPreviewsEscape(t *testing.T) {
	dir := t.TempDir()
	const raw = "\u009b31m\u202eevil\u2028line\u2029para\ufeffbom"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		lines := "{\"type\":\"session\",\"v\":1,\"session\":\"s\",\"time\":\"2026-11-25T10:00:00Z\",\"url\":\"/x\"}\n" +
			"{\"type\":\"message\",\"session\":\"s\",\"time\":\"2026-11-25T10:00:01Z\",\"dir\":\"receive\",\"text\":\"" + text + "\"}\n"
		if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.ndjson", raw), write("b.ndjson", "other "+raw)
	for _, args := range [][]string{{"diff", "--json", a, b}, {"diff", a, b}, {"cat", a}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, _ := wsreplay(t, args...)
			if strings.ContainsAny(out+errOut, "\u009b\u202e\u2028\u2029\ufeff") {
				t.Errorf("%v printed raw:\n%q", args, out+errOut)
			}
			if !strings.Contains(out, `\u202e`) {
				t.Errorf("%v: the escaped form is missing:\n%s", args, out)
			}
		})
	}
}
