package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// driveRecording is a session with an echo server: two requests, each
// answered with itself, and the client's close.
const driveRecording = `{"type":"session","v":1,"session":"d1","time":"2026-11-25T10:00:00Z","url":"/echo?room=1","request_headers":{"Cookie":["[redacted]"]}}
{"type":"message","session":"d1","time":"2026-11-25T10:00:00.010Z","dir":"send","text":"{\"n\":1}"}
{"type":"message","session":"d1","time":"2026-11-25T10:00:00.011Z","dir":"receive","text":"{\"n\":1}"}
{"type":"message","session":"d1","time":"2026-11-25T10:00:00.020Z","dir":"send","text":"{\"n\":2}"}
{"type":"message","session":"d1","time":"2026-11-25T10:00:00.021Z","dir":"receive","text":"{\"n\":2}"}
{"type":"close","session":"d1","time":"2026-11-25T10:00:00.030Z","by":"client","code":1000,"reason":"bye","clean":true}
`

// echoTarget is a WebSocket server that answers each message with
// change(message), and keeps the Cookie headers it was sent: cookies
// returns them so far (connections come at once under --concurrency).
func echoTarget(t *testing.T, change func([]byte) []byte) (url string, cookies func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Cookie"))
		mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			c.Write(r.Context(), typ, change(data))
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
}

func writeDriveRecording(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "echo.ndjson")
	if err := os.WriteFile(path, []byte(driveRecording), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDriveCommand(t *testing.T) {
	rec := writeDriveRecording(t)
	t.Run("equal", func(t *testing.T) {
		target, cookies := echoTarget(t, func(b []byte) []byte { return b })
		out := filepath.Join(t.TempDir(), "answers.ndjson")
		stdout, stderr, code := wsreplay(t, "drive", rec, "--target", target, "--header", "Cookie: sid=live", "--out", out)
		if code != 0 || !strings.Contains(stdout, "1 run: equal") {
			t.Fatalf("exit %d, want 0 and equal:\n%s%s", code, stdout, stderr)
		}
		if got := cookies(); len(got) != 1 || got[0] != "sid=live" {
			t.Errorf("the target got Cookie %q, want the --header value", got)
		}
		ls, lsErr, _ := wsreplay(t, "ls", "--json", out)
		if strings.Count(ls, "\n") != 1 || !strings.Contains(ls, `"/echo?room=1"`) || strings.Contains(ls, "sid=live") {
			t.Errorf("--out holds %s%s; want the one session, the cookie redacted", ls, lsErr)
		}
		if b, _ := os.ReadFile(out); strings.Contains(string(b), "sid=live") {
			t.Errorf("--out holds the --header's secret:\n%s", b)
		}
	})
	t.Run("different", func(t *testing.T) {
		target, _ := echoTarget(t, func(b []byte) []byte { return []byte(strings.Replace(string(b), `"n"`, `"m"`, 1)) })
		stdout, stderr, code := wsreplay(t, "drive", "--target", target, rec, "--json")
		var res struct {
			Sessions []struct {
				Changed int `json:"changed"`
			} `json:"sessions"`
			Report struct {
				Different int `json:"different"`
				Sent      int `json:"sent"`
			} `json:"report"`
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("--json: %v\n%s", err, stdout)
		}
		if code != 1 || res.Report.Different != 1 || res.Sessions[0].Changed != 2 || res.Report.Sent != 2 {
			t.Errorf("exit %d, %+v; want 1, one run different with 2 changed:\n%s%s", code, res, stdout, stderr)
		}
	})
	t.Run("repeat", func(t *testing.T) {
		target, cookies := echoTarget(t, func(b []byte) []byte { return b })
		stdout, _, code := wsreplay(t, "drive", "--target", target, rec, "--repeat", "5", "--concurrency", "3")
		if n := len(cookies()); code != 0 || !strings.Contains(stdout, "runs 5: 5 equal") || n != 5 {
			t.Errorf("exit %d, %d connections; want 0 and 5:\n%s", code, n, stdout)
		}
	})
}

func TestDriveErrors(t *testing.T) {
	rec := writeDriveRecording(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{rec}, "wsreplay: --target: name the server to play against"},
		{"bad target", []string{rec, "--target", "localhost:3000"}, `wsreplay: --target: "localhost:3000" is not a ws://`},
		{"no recording", []string{"--target", "ws://127.0.0.1:1"}, "wsreplay: drive: name the recordings to play"},
		{"missing file", []string{"--target", "ws://127.0.0.1:1", "nope.ndjson"}, "wsreplay: nope.ndjson: no such file or directory"},
		{"bad header", []string{rec, "--target", "ws://127.0.0.1:1", "--header", "Cookie"}, `wsreplay: --header: "Cookie" is not NAME: VALUE`},
		{"bad concurrency", []string{rec, "--target", "ws://127.0.0.1:1", "--concurrency", "0"}, "wsreplay: --concurrency: 0 is not between 1 and 100000"},
		{"bad max", []string{rec, "--target", "ws://127.0.0.1:1", "--max", "0"}, "wsreplay: --max: 0 is not between 1 and 100000"},
		{"bad ignore", []string{rec, "--target", "ws://127.0.0.1:1", "--ignore", "ts"}, `wsreplay: --ignore: "ts" does not start with $`},
		{"duration and repeat", []string{rec, "--target", "ws://127.0.0.1:1", "--duration", "1s", "--repeat", "2"}, "wsreplay: --duration and --repeat: give one of them"},
		{"unknown session", []string{rec, "--target", "ws://127.0.0.1:1", "--session", "zz"}, "wsreplay: --session: no such session"},
		{"target with a query", []string{rec, "--target", "ws://127.0.0.1:1/prefix?token=QSECRET"},
			`wsreplay: --target: "ws://127.0.0.1:1/prefix?token=%5Bredacted%5D" has a query or a fragment`},
		{"target with a fragment", []string{rec, "--target", "ws://127.0.0.1:1/prefix#x"}, `wsreplay: --target: "ws://127.0.0.1:1/prefix" has a query or a fragment`},
		{"out to s3", []string{rec, "--target", "ws://127.0.0.1:1", "--out", "s3://bucket/answers"}, `wsreplay: --out: "s3://bucket/answers": drive records to a file or a directory`},
		{"unreachable", []string{rec, "--target", "ws://127.0.0.1:1", "--timeout", "2s"}, "wsreplay: some sessions could not be played"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := wsreplay(t, append([]string{"drive"}, tc.args...)...)
			if code != 2 || !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line %q...\n%s", code, stderr, tc.want, stdout)
			}
		})
	}
}

// negotiateRecording is a SignalR negotiate as record records it: the
// connectionToken and the cookie hidden.
const negotiateRecording = `{"type":"session","v":1,"session":"n1","time":"2026-11-25T10:00:00Z","url":"/hub/negotiate?negotiateVersion=1","request_headers":{},"kind":"poll","protocol":"signalr"}
{"type":"message","session":"n1","time":"2026-11-25T10:00:00.001Z","dir":"send","text":"","http":{"method":"POST","url":"/hub/negotiate?negotiateVersion=1","headers":{}}}
{"type":"message","session":"n1","time":"2026-11-25T10:00:00.002Z","dir":"receive","text":"{\"availableTransports\":[{\"transport\":\"WebSockets\",\"transferFormats\":[\"Text\"]}],\"connectionId\":\"cid-1\",\"connectionToken\":\"[redacted]\",\"negotiateVersion\":1}","http":{"status":200,"headers":{"Content-Type":["application/json"],"Set-Cookie":["[redacted]"],"X-Trace":["[redacted]"]}}}
{"type":"close","session":"n1","time":"2026-11-25T10:00:00.003Z","by":"server","code":1000,"reason":"bootstrap answered","clean":true}
`

// negotiateTarget answers SignalR's negotiate with a live connection
// token, a session cookie and a trace header; version is the
// negotiateVersion it answers with.
func negotiateTarget(t *testing.T, version int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "s=COOKIESECRET")
		w.Header().Set("X-Trace", "TRACESECRET")
		fmt.Fprintf(w, `{"negotiateVersion":%d,"connectionId":"cid-1","connectionToken":"CONNTOKSECRET123","availableTransports":[{"transport":"WebSockets","transferFormats":["Text"]}]}`, version)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// TestDriveRedacts: what drive writes (--out) and prints (the
// differences, as text and JSON) is redacted as record's recordings are:
// the live target's SignalR connectionToken, its cookie, and what the
// --redact-* flags name; and since the answers are redacted before they
// are compared, a run against the same app is equal although every
// secret differs from the recorded one.
func TestDriveRedacts(t *testing.T) {
	dir := t.TempDir()
	negotiate := filepath.Join(dir, "negotiate.ndjson")
	echo := filepath.Join(dir, "echo.ndjson")
	os.WriteFile(negotiate, []byte(negotiateRecording), 0o644)
	echoRec := strings.Replace(driveRecording, `"dir":"receive","text":"{\"n\":1}"`, `"dir":"receive","text":"{\"n\":1,\"password\":\"[redacted]\"}"`, 1)
	os.WriteFile(echo, []byte(echoRec), 0o644)
	withPassword := func(b []byte) []byte {
		if string(b) == `{"n":1}` {
			return []byte(`{"n":1,"password":"PWSECRET"}`)
		}
		return b
	}
	secrets := []string{"CONNTOKSECRET", "COOKIESECRET", "TRACESECRET", "PWSECRET", "room=1"}
	unparsed := []string{"CONNTOKSECRET", "COOKIESECRET", "TRACESECRET"} // PWSECRET kept whole, as record keeps it
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"negotiate", []string{negotiate, "--target", negotiateTarget(t, 1), "--redact-header", "X-Trace"}, 0, "1 run: equal"},
		{"negotiate changed", []string{negotiate, "--target", negotiateTarget(t, 2), "--redact-header", "X-Trace"}, 1, "+        #2"},
		{"negotiate changed json", []string{negotiate, "--target", negotiateTarget(t, 2), "--redact-header", "X-Trace", "--json"}, 1, `\"negotiateVersion\":2`},
		{"redact-json", []string{echo, "--target", echoURL(t, withPassword), "--redact-json", "password", "--redact-query", "room"}, 0, "1 run: equal"},
		{"redact-json unparsed", []string{echo, "--target", echoURL(t, func([]byte) []byte { return []byte(`"password": {PWSECRET`) }),
			"--redact-json", "password"}, 1, "wsreplay: warning: 2 messages named a --redact-json field but could not be parsed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "answers")
			stdout, stderr, code := wsreplay(t, append([]string{"drive", "--out", out}, tc.args...)...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("exit %d, want %d and %s:\n%s%s", code, tc.code, tc.want, stdout, stderr)
			}
			files, _ := filepath.Glob(filepath.Join(out, "*"))
			if len(files) != 1 {
				t.Fatalf("--out holds %v, want one session file", files)
			}
			written := recordedLines(t, files[0])
			hidden := secrets
			if strings.HasSuffix(tc.name, "unparsed") {
				hidden = unparsed
			}
			for _, s := range hidden {
				for what, text := range map[string]string{"stdout": stdout, "stderr": stderr, "--out": written} {
					if strings.Contains(text, s) {
						t.Errorf("%s holds %s:\n%s", what, s, text)
					}
				}
			}
		})
	}
}

func echoURL(t *testing.T, change func([]byte) []byte) string {
	t.Helper()
	u, _ := echoTarget(t, change)
	return u
}

// recordedLines returns the lines of a recording, uncompressed.
func recordedLines(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := format.NewReader(f, nil)
	var b []byte
	for {
		e, err := r.Next()
		if err == io.EOF {
			return string(b)
		}
		if err != nil {
			t.Fatal(err)
		}
		if b, err = format.AppendLine(b, e); err != nil {
			t.Fatal(err)
		}
	}
}
