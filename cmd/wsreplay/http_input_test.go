package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// ls, cat and serve read a live record --admin-recordings over loopback:
// the listing as a directory, one file by its URL.
func TestAdminRecordingsReadByCommands(t *testing.T) {
	up := backend(t)
	dir := t.TempDir()
	proxy, admin := startRecordingsAdmin(t, "ws"+strings.TrimPrefix(up.URL, "http"), dir)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for _, path := range []string{"/feed?room=1", "/feed?room=2"} {
		c := nettest.Dial(t, proxy+path, &websocket.DialOptions{Subprotocols: []string{"v2"}})
		c.Read(ctx)
		c.Write(ctx, websocket.MessageText, []byte("ping "+path))
		c.Read(ctx)
		c.Close(1000, "")
	}
	nettest.WaitFor(t, "two finished recordings", func() bool { return len(listing(t, admin)) == 2 })
	// A running session's .partial is never read.
	running := nettest.Dial(t, proxy+"/feed?room=3", nil)
	defer running.CloseNow()
	running.Read(ctx)
	nettest.WaitFor(t, "the running session's file", func() bool {
		m, _ := filepath.Glob(filepath.Join(dir, "*.partial"))
		return len(m) == 1
	})

	out, errOut, code := wsreplay(t, "ls", "--json", admin+"/recordings/")
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errOut)
	}
	var rows []lsRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r lsRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("ls --json line %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	names := listing(t, admin)
	if len(rows) != 2 || rows[0].URL != "/feed?room=1" || rows[1].URL != "/feed?room=2" ||
		rows[0].File != admin+"/recordings/"+names[0].Name || rows[0].Ending != "1000 clean" {
		t.Errorf("ls rows %+v", rows)
	}

	one := admin + "/recordings/" + names[1].Name
	out, errOut, code = wsreplay(t, "cat", one)
	if code != 0 || !strings.Contains(out, "ping /feed?room=2") || strings.Contains(out, "room=1") {
		t.Errorf("cat %s: exit %d\n%s%s", one, code, out, errOut)
	}

	for _, src := range []string{admin + "/recordings/", one} {
		url, serr, stop := startCommand(t, "serve", src, "--listen", "127.0.0.1:0", "--speed", "max")
		c := nettest.Dial(t, url+"/feed?room=2", &websocket.DialOptions{Subprotocols: []string{"v2"}})
		// The client closed the recorded session: the replay waits for
		// this one to.
		var got []string
		for range 2 {
			_, data, err := c.Read(ctx)
			if err != nil {
				t.Logf("%v\n%s", err, serr)
				break
			}
			got = append(got, string(data))
		}
		c.Close(1000, "")
		if !slices.Equal(got, []string{"hello", "ping /feed?room=2"}) {
			t.Errorf("serve %s: replayed %q", src, got)
		}
		stop()
	}
}

// A URL that cannot be read is a one-line error naming it; a URL with
// credentials is refused without repeating its password.
func TestHTTPInputErrors(t *testing.T) {
	dir := t.TempDir()
	_, admin := startRecordingsAdmin(t, "ws://127.0.0.1:9", dir)
	one := admin + "/recordings/20261125T100000.000Z_s1.ndjson"
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_s1.ndjson"), []byte(twoSessions), 0o600)
	withPass := strings.Replace(admin, "http://", "http://user:s3cret@", 1)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cat", admin + "/recordings/nothere.ndjson"}, admin + "/recordings/nothere.ndjson: 404 Not Found"},
		{[]string{"ls", admin + "/"}, admin + "/: 404 Not Found"},
		{[]string{"ls", admin + "/metrics/"}, admin + "/metrics/: 404 Not Found"},
		{[]string{"serve", dead.URL + "/recordings/"}, dead.URL + "/recordings/: "},
		{[]string{"diff", dead.URL + "/recordings/a.ndjson", one}, dead.URL + "/recordings/a.ndjson: "},
		// export takes what ls takes (a listing too): its two sessions need --session or --out DIR.
		{[]string{"export", "--to", "playwright", admin + "/recordings/"}, admin + "/recordings/ holds 2 sessions; choose one with --session"},
		{[]string{"cat", withPass + "/recordings/"}, "a URL with credentials"},
		{[]string{"ls", withPass + "/recordings/"}, "a URL with credentials"},
		{[]string{"serve", withPass + "/recordings/"}, "a URL with credentials"},
		{[]string{"convert", withPass + "/recordings/", filepath.Join(t.TempDir(), "x.har")}, "a URL with credentials"},
		{[]string{"diff", one, strings.Replace(one, "http://", "http://user:s3cret@", 1)}, "user:xxxxx@"},
		{[]string{"export", "--to", "playwright", strings.Replace(one, "http://", "http://user:s3cret@", 1)}, "user:xxxxx@"},
	} {
		_, errOut, code := wsreplay(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Contains(errOut, "s3cret") || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: exit %d\n%s", c.args, code, errOut)
		}
	}
}

// serve's replay of a plain recording's later session seeks with a ranged
// GET; a server that ignores ranges is read up to the offset.
func TestHTTPFileSeeks(t *testing.T) {
	for _, ranges := range []bool{true, false} {
		var seen []string
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.Header.Get("Range"))
			if ranges {
				http.ServeContent(w, r, "x.ndjson", time.Time{}, strings.NewReader(twoSessions))
				return
			}
			io.WriteString(w, twoSessions)
		}))
		f := &httpFile{ctx: t.Context(), url: ts.URL + "/x.ndjson"}
		off := int64(strings.Index(twoSessions, `{"type":"session","v":1,"session":"s2"`))
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		ts.Close()
		if err != nil || string(b) != twoSessions[off:] {
			t.Errorf("ranges %v: read %q, %v", ranges, b, err)
		}
		if len(seen) != 1 || seen[0] != "bytes="+strconv.FormatInt(off, 10)+"-" {
			t.Errorf("ranges %v: requests with Range %q", ranges, seen)
		}
	}
}
