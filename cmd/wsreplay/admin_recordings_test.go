package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/internal/nettest"
)

// twoSessions is a plain recording of two sessions, the second one at
// /b: serving it over HTTP, a replay of /b starts at its offset.
const twoSessions = `{"type":"session","v":1,"session":"s1","time":"2026-11-25T10:00:00Z","url":"/a"}
{"type":"message","session":"s1","time":"2026-11-25T10:00:00.1Z","dir":"receive","text":"first"}
{"type":"close","session":"s1","time":"2026-11-25T10:00:01Z","by":"server","code":1000,"reason":"bye","clean":true}
{"type":"session","v":1,"session":"s2","time":"2026-11-25T10:00:02Z","url":"/b"}
{"type":"message","session":"s2","time":"2026-11-25T10:00:02.1Z","dir":"receive","text":"second"}
{"type":"close","session":"s2","time":"2026-11-25T10:00:03Z","by":"server","code":1000,"reason":"bye","clean":true}
`

// startRecordingsAdmin starts record with --admin-recordings on dir and
// returns the admin URL.
func startRecordingsAdmin(t *testing.T, upstream, dir string, extra ...string) (proxy, admin string) {
	t.Helper()
	args := append([]string{"record", "--upstream", upstream, "--listen", "127.0.0.1:0", "--out", dir,
		"--admin", "127.0.0.1:0", "--admin-recordings"}, extra...)
	url, stderr, _ := startCommand(t, args...)
	m := adminRE.FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "/recordings/") {
		t.Fatalf("no admin line naming /recordings/:\n%s", stderr)
	}
	return url, m[1]
}

func listing(t *testing.T, admin string) []recordingEntry {
	t.Helper()
	req, _ := http.NewRequest("GET", admin+"/recordings/", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l recordingsListing
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil || resp.StatusCode != 200 {
		t.Fatalf("listing: %d %v", resp.StatusCode, err)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("listing headers %v", resp.Header)
	}
	return l.Recordings
}

// The listing and the downloads show finished recordings only: never a
// .partial, a hidden file, a directory, a symbolic link (to a file outside
// the directory or inside it), nor anything reached by a traversal; the
// admin listener's Host rule applies.
func TestAdminRecordingsServesFinishedOnly(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	_, admin := startRecordingsAdmin(t, "ws://127.0.0.1:9", dir)
	const finished = "20261125T100000.000Z_s1.ndjson"
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Planted after record started: at its start it finishes leftovers.
	write(filepath.Join(dir, finished), twoSessions)
	write(filepath.Join(dir, "20261125T100001.000Z_s2.ndjson.zst.partial"), "PARTIAL")
	write(filepath.Join(dir, "20261125T100002.000Z_s3.ndjson.partial"), "PARTIAL")
	write(filepath.Join(dir, ".20261125T100003.000Z_s4.ndjson"), "HIDDEN")
	write(filepath.Join(dir, "notes.txt"), "NOTES")
	write(filepath.Join(parent, "20261125T100004.000Z_outside.ndjson"), "OUTSIDE")
	os.Mkdir(filepath.Join(dir, "20261125T100005.000Z_dir.ndjson"), 0o700)
	for link, target := range map[string]string{
		"20261125T100006.000Z_out.ndjson": filepath.Join(parent, "20261125T100004.000Z_outside.ndjson"),
		"20261125T100007.000Z_in.ndjson":  finished,
		"20261125T100008.000Z_up.ndjson":  "../20261125T100004.000Z_outside.ndjson",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}

	got := listing(t, admin)
	if len(got) != 1 || got[0].Name != finished || got[0].Size != int64(len(twoSessions)) || got[0].Modified.IsZero() {
		t.Errorf("listing %+v, want only %s with its size and time", got, finished)
	}
	code, page := nettest.Get(t, admin+"/recordings/")
	if code != 200 || !strings.Contains(page, `href="`+finished+`"`) || strings.Contains(page, "partial") || strings.Contains(page, "_out.") {
		t.Errorf("page %d:\n%s", code, page)
	}

	resp, err := http.Get(admin + "/recordings/" + finished)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != twoSessions || resp.Header.Get("Content-Type") != "application/x-ndjson" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("download: %q %v", body, resp.Header)
	}
	req, _ := http.NewRequest("GET", admin+"/recordings/"+finished, nil)
	req.Header.Set("Range", "bytes=10-19")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 206 {
		t.Errorf("range request: %v %v", resp, err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != twoSessions[10:20] {
			t.Errorf("range: %q", b)
		}
	}

	for _, path := range []string{
		"20261125T100001.000Z_s2.ndjson.zst.partial", "20261125T100002.000Z_s3.ndjson.partial",
		".20261125T100003.000Z_s4.ndjson", "notes.txt", "20261125T100005.000Z_dir.ndjson",
		"20261125T100006.000Z_out.ndjson", "20261125T100007.000Z_in.ndjson", "20261125T100008.000Z_up.ndjson",
		"../20261125T100004.000Z_outside.ndjson", "..%2f20261125T100004.000Z_outside.ndjson",
		"%2e%2e%2F20261125T100004.000Z_outside.ndjson", "x/..%2f..%2f20261125T100004.000Z_outside.ndjson",
		"..%5c20261125T100004.000Z_outside.ndjson", "%2fetc%2fpasswd", "nothere.ndjson",
		// A name IsRecordingName accepts that a filepath.Join would clean
		// to the parent directory's file.
		"20261125T100009.000Z_x%2f..%2f..%2f20261125T100004.000Z_outside.ndjson",
		"20261125T100009.000Z_x%5c..%5c..%5c20261125T100004.000Z_outside.ndjson",
	} {
		code, body := nettest.Get(t, admin+"/recordings/"+path)
		if code != 404 || strings.Contains(body, "PARTIAL") || strings.Contains(body, "OUTSIDE") || strings.Contains(body, "session") {
			t.Errorf("GET /recordings/%s: %d %q, want 404", path, code, body)
		}
	}

	for _, path := range []string{"/recordings/", "/recordings/" + finished} {
		req, _ := http.NewRequest("GET", admin+path, nil)
		req.Host = "rebind.example"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || strings.Contains(string(b), "session") {
			t.Errorf("GET %s with Host rebind.example: %d %q, want 403", path, resp.StatusCode, b)
		}
	}
}

// The recordings answer connections from this machine only (kubectl
// port-forward connects to localhost inside the pod); the cluster network,
// which reaches /metrics, gets 403.
func TestAdminRecordingsLoopbackPeersOnly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_s1.ndjson"), []byte(twoSessions), 0o600)
	mux := http.NewServeMux()
	(&recordingsHandler{Dir: dir, Log: slog.New(slog.DiscardHandler)}).register(mux)
	for remote, want := range map[string]int{"127.0.0.1:5000": 200, "[::1]:5000": 200, "[::ffff:127.0.0.1]:5000": 200,
		"10.1.2.3:5000": 403, "[fd00::1]:5000": 403, "192.168.1.9:80": 403} {
		for _, path := range []string{"/recordings/", "/recordings/20261125T100000.000Z_s1.ndjson"} {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = remote
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != want || want == 403 && strings.Contains(w.Body.String(), "s1") {
				t.Errorf("GET %s from %s: %d %q, want %d", path, remote, w.Code, w.Body, want)
			}
		}
	}
}

// Without --admin-recordings (the default) nothing is served; with it, it
// needs --admin and --out DIR.
func TestAdminRecordingsOffAndFlags(t *testing.T) {
	dir := t.TempDir()
	_, stderr, _ := startCommand(t, "record", "--upstream", "ws://127.0.0.1:9", "--listen", "127.0.0.1:0", "--out", dir, "--admin", "127.0.0.1:0")
	admin := adminRE.FindStringSubmatch(stderr.String())[1]
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_s1.ndjson"), []byte(twoSessions), 0o600)
	for _, path := range []string{"/recordings/", "/recordings/20261125T100000.000Z_s1.ndjson"} {
		if code, _ := nettest.Get(t, admin+path); code != 404 {
			t.Errorf("GET %s without --admin-recordings: %d, want 404", path, code)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", dir}, "--admin-recordings needs --admin HOST:PORT"},
		{[]string{"--out", filepath.Join(dir, "all.ndjson"), "--admin", "127.0.0.1:0"}, "--admin-recordings needs --out DIR"},
	} {
		args := append([]string{"record", "--upstream", "ws://127.0.0.1:9", "--listen", "127.0.0.1:0", "--admin-recordings"}, c.args...)
		_, errOut, code := wsreplay(t, args...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: exit %d\n%s", c.args, code, errOut)
		}
	}
}
