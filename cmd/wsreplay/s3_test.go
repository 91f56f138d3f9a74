package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
	"github.com/wsreplay/wsreplay/internal/s3test"
)

// s3Store starts a versitygw with the bucket "rec", its credentials and
// endpoint in the environment (AWS_ENDPOINT_URL), as a user would set them.
func s3Store(t *testing.T) *s3test.Server {
	t.Helper()
	srv := s3test.Start(t)
	srv.Setenv(t)
	srv.Bucket(t, "rec").Close()
	return srv
}

// echoSession runs one session through the proxy at url: it reads the
// backend's hello, sends msg (echoed) and "close" (the backend closes with
// 4000).
func echoSession(ctx context.Context, url, msg string) error {
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	defer c.CloseNow()
	for _, want := range []string{"hello", msg} {
		if want == msg {
			if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
				return err
			}
		}
		if _, got, err := c.Read(ctx); err != nil || string(got) != want {
			return fmt.Errorf("read %q, %v; want %q", got, err, want)
		}
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("close")); err != nil {
		return err
	}
	_, _, err = c.Read(ctx)
	if websocket.CloseStatus(err) != 4000 {
		return fmt.Errorf("ended with %v, want 4000", err)
	}
	return nil
}

// Record into a bucket, then read it back with every command: ls (from
// metadata, and narrowed by time), cat, convert and serve.
func TestS3RecordThenRead(t *testing.T) {
	s3Store(t)
	up := backend(t)
	spool := t.TempDir()
	url, recErr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"),
		"--listen", "127.0.0.1:0", "--out", "s3://rec/staging", "--spool", spool, "--admin", "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for i := range 3 {
		if err := echoSession(ctx, url+fmt.Sprintf("/live/%d", i), fmt.Sprintf("msg-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// The uploads are counted, within a second or so of each session's end.
	admin := adminRE.FindStringSubmatch(recErr.String())[1]
	var m map[string]float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m = scrape(t, admin); m[`wsreplay_record_uploads_total{what="finished"}`] == 3 {
			break
		}
	}
	if m[`wsreplay_record_uploads_total{what="finished"}`] != 3 || m["wsreplay_record_upload_bytes_total"] == 0 ||
		m["wsreplay_record_upload_failures_total"] != 0 || m["wsreplay_record_spool_files"] != 0 {
		t.Errorf("upload metrics after 3 sessions: uploads %v, bytes %v, failures %v, spool files %v",
			m[`wsreplay_record_uploads_total{what="finished"}`], m["wsreplay_record_upload_bytes_total"],
			m["wsreplay_record_upload_failures_total"], m["wsreplay_record_spool_files"])
	}
	if code := stop(); code != 0 {
		t.Fatalf("record exited %d: %s", code, recErr)
	}
	if left, _ := filepath.Glob(filepath.Join(spool, "*.ndjson*")); len(left) != 0 {
		t.Errorf("spool holds %v after a clean exit, want nothing", left)
	}

	out, errOut, code := wsreplay(t, "ls", "--json", "s3://rec/staging")
	if code != 0 {
		t.Fatalf("ls exited %d: %s", code, errOut)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 {
		t.Fatalf("ls listed %d sessions, want 3:\n%s", len(rows), out)
	}
	// Sessions that began in the same millisecond sort by their random
	// ids: find the first one by its path, not by its place.
	var row lsRow
	for _, r := range rows {
		if err := json.Unmarshal([]byte(r), &row); err != nil {
			t.Fatal(err)
		}
		if row.URL == "/live/0" {
			break
		}
	}
	if row.URL != "/live/0" || row.Sent != 2 || row.Received != 2 || row.Ending != "4000 clean" ||
		!strings.HasPrefix(row.File, "s3://rec/staging/"+row.Start.UTC().Format("2006/01/02/15/")) {
		t.Errorf("first row %+v", row)
	}
	if out, _, _ := wsreplay(t, "ls", "s3://rec/staging", "--since", "1h"); strings.Count(out, "/live/") != 3 {
		t.Errorf("ls --since 1h:\n%s\nwant the 3 sessions", out)
	}
	if _, errOut, code := wsreplay(t, "ls", "s3://rec/staging", "--until", "1h"); code == 0 || !strings.Contains(errOut, "no recordings in this time window") {
		t.Errorf("ls --until 1h: exit %d, %q; want none in the window", code, errOut)
	}
	if out, errOut, _ := wsreplay(t, "cat", row.File); !strings.Contains(out, "msg-0") {
		t.Errorf("cat %s:\n%s%s", row.File, out, errOut)
	}
	har := filepath.Join(t.TempDir(), "all.har")
	if _, errOut, code := wsreplay(t, "convert", "s3://rec/staging/", har); code != 0 || !strings.Contains(errOut, "wrote 3 sessions") {
		t.Errorf("convert: exit %d: %s", code, errOut)
	}

	surl, serveErr, _ := startCommand(t, "serve", "s3://rec/staging", "--listen", "127.0.0.1:0", "--speed", "max")
	c := nettest.Dial(t, surl+"/live/1", nil)
	defer c.CloseNow()
	if _, got, err := c.Read(ctx); err != nil || string(got) != "hello" {
		t.Errorf("replay sent %q, %v; want hello (%s)", got, err, serveErr)
	}
}

// Bad S3 input: one line naming the URL, a non-zero exit.
func TestS3BadInput(t *testing.T) {
	srv := s3Store(t)
	srv.Put(t, "rec", "junk/notes.ndjson", []byte("this is not a recording\n"))
	up := backend(t)
	upstream := "ws" + strings.TrimPrefix(up.URL, "http")
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"missing bucket", nil, []string{"ls", "s3://nobucket/x"}, "s3://nobucket/x: no such bucket"},
		{"wrong secret", []string{"AWS_SECRET_ACCESS_KEY=wrong"}, []string{"cat", "s3://rec/x"}, "s3://rec/x: the store refused the credentials"},
		{"unknown key", []string{"AWS_ACCESS_KEY_ID=nobody"}, []string{"ls", "s3://rec/"}, "s3://rec/: the store does not know this access key"},
		{"bad endpoint", nil, []string{"ls", "--s3-endpoint", "foo", "s3://rec/x"}, `--s3-endpoint: "foo" is not an http:// or https:// URL`},
		{"unreachable", nil, []string{"ls", "--s3-endpoint", "http://127.0.0.1:1", "s3://rec/x"}, "s3://rec/x: cannot reach the store"},
		{"not a recording", nil, []string{"cat", "s3://rec/junk/"}, "s3://rec/junk/notes.ndjson:1: not a wsreplay recording"},
		{"no object", nil, []string{"cat", "s3://rec/none.ndjson.zst"}, "s3://rec/none.ndjson.zst: no such object"},
		{"empty prefix", nil, []string{"serve", "s3://rec/nothing/here"}, "s3://rec/nothing/here: no recordings under this prefix"},
		{"record, missing bucket", nil, []string{"record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--out", "s3://nobucket/p"},
			"--out: cannot write to the bucket: s3://nobucket/p: no such bucket"},
		{"record, bad URL", nil, []string{"record", "--upstream", upstream, "--out", "s3:///p"}, `"s3:///p" has no bucket`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, kv := range tt.env {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			if tt.args[0] == "record" {
				tt.args = append(tt.args, "--spool", t.TempDir())
			}
			_, errOut, code := wsreplay(t, tt.args...)
			first, _, _ := strings.Cut(errOut, "\n")
			if code == 0 || !strings.Contains(first, tt.want) {
				t.Errorf("exit %d, stderr %q; want non-zero and a first line with %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "RequestID") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr has the SDK's or Go's innards: %q", errOut)
			}
		})
	}
}

// A store that cannot be reached at start is a warning, not an error: a
// recorder restarted during an outage still relays (and records to its
// spool).
func TestS3RecordStartsWhileStoreDown(t *testing.T) {
	s3Store(t)
	up := backend(t)
	spool := t.TempDir()
	url, recErr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"), "--listen", "127.0.0.1:0",
		"--out", "s3://rec/down", "--spool", spool, "--s3-endpoint", "http://127.0.0.1:1")
	if !strings.Contains(recErr.String(), "the store cannot be written now") {
		t.Errorf("no warning at start: %s", recErr)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := echoSession(ctx, url+"/live", "relayed"); err != nil {
		t.Fatalf("the traffic failed with the store down: %v", err)
	}
	if code := stop(); code != 0 || !strings.Contains(recErr.String(), "left in "+spool) {
		t.Errorf("exit %d: %s; want 0, and a warning that the session stays in the spool", code, recErr)
	}
	if left, _ := filepath.Glob(filepath.Join(spool, "*.ndjson.zst")); len(left) != 1 {
		t.Errorf("spool holds %v, want the session", left)
	}
}

// A directory of recordings is never taken for a spool (its files would
// be uploaded and removed), nor the spool of one bucket for another's.
func TestS3SpoolRefused(t *testing.T) {
	s3Store(t)
	up := backend(t)
	upstream := "ws" + strings.TrimPrefix(up.URL, "http")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "20261127T100000.000Z_a.ndjson.zst"), []byte("x"), 0o600)
	_, errOut, code := wsreplay(t, "record", "--upstream", upstream, "--out", "s3://rec/a", "--spool", dir)
	if code == 0 || !strings.Contains(errOut, "holds recordings and is no spool") {
		t.Errorf("record into a directory of recordings: exit %d, %q", code, errOut)
	}
	spool := t.TempDir()
	os.WriteFile(filepath.Join(spool, ".wsreplay-spool"), []byte("s3://other/b\n"), 0o600)
	_, errOut, code = wsreplay(t, "record", "--upstream", upstream, "--out", "s3://rec/a", "--spool", spool)
	if code == 0 || !strings.Contains(errOut, "is the spool of s3://other/b") {
		t.Errorf("record into another destination's spool: exit %d, %q", code, errOut)
	}
}

// --since and --until narrow ls by start time on files too; a bad value is
// a usage error.
func TestLsWindow(t *testing.T) {
	tests := []struct {
		args []string
		rows int
		code int
	}{
		{[]string{"--since", "2026-11-25T00:00:00Z", "--until", "2026-11-26T00:00:00Z"}, 1, 0},
		{[]string{"--since", "2026-11-25T10:00:01Z"}, 0, 0},
		{[]string{"--until", "2026-11-25T10:00:00Z"}, 0, 0},
		{[]string{"--since", "yesterday"}, 0, 2},
		{[]string{"--since", "2026-11-26T00:00:00Z", "--until", "2026-11-25T00:00:00Z"}, 0, 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := wsreplay(t, append([]string{"ls", "../../testdata/demo.ndjson"}, tt.args...)...)
			if rows := strings.Count(out, "demo-1"); code != tt.code || rows != tt.rows {
				t.Errorf("ls %v: exit %d, %d rows (%s); want exit %d, %d rows", tt.args, code, rows, errOut, tt.code, tt.rows)
			}
		})
	}
}
