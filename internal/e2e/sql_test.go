package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/internal/s3test"
)

// sqlQueries are the queries docs/sql.md documents, as files the page
// quotes, in the order it gives them: rec.sql makes the view the three
// worked queries read.
var sqlQueries = []string{"first-look.sql", "rec.sql", "endings.sql", "matching.sql", "latency.sql"}

// recordApps records, through "wsreplay record" with the given --out
// flags, a real application: Node's ws in front of two recorders (one
// server that answers and closes with 4001, twice, on /chat?room=1 and
// /chat?room=2; one that drops the connection, on /feed).
func recordApps(t *testing.T, out ...string) {
	t.Helper()
	var stops []func()
	for _, app := range []struct {
		mode  string
		paths []string
	}{{"content", []string{"/chat?room=1", "/chat?room=2"}}, {"drop", []string{"/feed"}}} {
		_, port := startNode(t, "ws-server.mjs", app.mode, "0")
		args := append([]string{"record", "--upstream", "ws://127.0.0.1:" + port, "--listen", "127.0.0.1:0"}, out...)
		p, url := start(t, wsreplayListening, wsreplayBin, args...)
		for _, path := range app.paths {
			var seen wsClientResult
			runNode(t, &seen, "ws-client.mjs", url+path)
			if seen.Error != "" || seen.Close == nil {
				t.Fatalf("%s%s: %+v", url, path, seen)
			}
		}
		stops = append(stops, func() {
			p.stop(syscall.SIGINT)
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("record exited %d:\n%s", code, p.stderr.String())
			}
		})
	}
	for _, stop := range stops {
		stop()
	}
}

// sqlRun is what sql-duckdb.mjs printed: each query's rows.
type sqlRun struct {
	Results map[string][]map[string]any `json:"results"`
	Error   string                      `json:"error"`
}

// runSQL runs the documented queries on source with DuckDB.
func runSQL(t *testing.T, source, setup string) sqlRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := []string{"sql-duckdb.mjs", source}
	for _, q := range sqlQueries {
		args = append(args, filepath.Join("testdata", "sql", q))
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Env = append(os.Environ(), "DUCKDB_SETUP="+setup)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var run sqlRun
	if err != nil || json.Unmarshal(out, &run) != nil {
		t.Fatalf("node sql-duckdb.mjs %s: %v\n%s%s", source, err, out, stderr.String())
	}
	return run
}

// sqlWant is what the documented queries must answer, worked out from
// the recordings with the format package.
type sqlWant map[string][]map[string]any

// wantSQL reads the recordings in files and works out each query's rows.
func wantSQL(t *testing.T, files []string) sqlWant {
	t.Helper()
	var evs []*format.Event
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r := format.NewReader(f, nil)
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			evs = append(evs, e)
		}
		f.Close()
	}
	return sqlWant{"first-look.sql": wantFirstLook(evs), "endings.sql": wantEndings(evs),
		"matching.sql": wantMatching(evs, "wörld"), "latency.sql": wantLatency(evs)}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999999") }

func left(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func wantFirstLook(evs []*format.Event) []map[string]any {
	lines, sessions := map[string]int{}, map[string]map[string]bool{}
	for _, e := range evs {
		ty := string(e.Type)
		lines[ty]++
		if sessions[ty] == nil {
			sessions[ty] = map[string]bool{}
		}
		sessions[ty][e.Session] = true
	}
	var rows []map[string]any
	for ty, n := range lines {
		rows = append(rows, map[string]any{"type": ty, "lines": fmt.Sprint(n), "sessions": fmt.Sprint(len(sessions[ty]))})
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i]["type"].(string), rows[j]["type"].(string)
		return lines[a] > lines[b] || lines[a] == lines[b] && a < b
	})
	return rows
}

func wantEndings(evs []*format.Event) []map[string]any {
	type ending struct {
		by    string
		code  int
		clean bool
	}
	start, url, ends := map[string]time.Time{}, map[string]string{}, map[string]ending{}
	for _, e := range evs {
		switch e.Type {
		case format.TypeSession:
			start[e.Session], url[e.Session] = e.Time, e.URL
		case format.TypeClose:
			ends[e.Session] = ending{e.By, e.Code, e.Clean}
		}
	}
	groups := map[ending][]string{}
	for id := range start {
		groups[ends[id]] = append(groups[ends[id]], id)
	}
	var rows []map[string]any
	for end, ids := range groups {
		sort.Slice(ids, func(i, j int) bool { return start[ids[i]].Before(start[ids[j]]) })
		urls := []any{}
		for _, id := range ids[:min(5, len(ids))] {
			urls = append(urls, url[id])
		}
		rows = append(rows, map[string]any{"by": end.by, "code": float64(end.code), "clean": end.clean, "sessions": fmt.Sprint(len(ids)), "some_urls": urls, "key": end})
	}
	sort.Slice(rows, func(i, j int) bool {
		if a, b := len(groups[rows[i]["key"].(ending)]), len(groups[rows[j]["key"].(ending)]); a != b {
			return a > b
		}
		return rows[i]["code"].(float64) < rows[j]["code"].(float64)
	})
	for _, r := range rows {
		delete(r, "key")
	}
	return rows
}

func wantMatching(evs []*format.Event, needle string) []map[string]any {
	url := map[string]string{}
	for _, e := range evs {
		if e.Type == format.TypeSession {
			url[e.Session] = e.URL
		}
	}
	var rows []map[string]any
	for _, e := range evs {
		if e.Type == format.TypeMessage && e.Opcode == format.Text && utf8.Valid(e.Data) && strings.Contains(string(e.Data), needle) {
			rows = append(rows, map[string]any{"url": url[e.Session], "session": e.Session, "time": stamp(e.Time), "dir": string(e.Dir), "message": left(string(e.Data), 80)})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i]["time"].(string) < rows[j]["time"].(string) })
	return rows
}

func wantLatency(evs []*format.Event) []map[string]any {
	type row struct {
		m       map[string]any
		latency float64
		answer  bool
	}
	var rows []row
	for i, e := range evs {
		if e.Type != format.TypeMessage || e.Dir != format.Send {
			continue
		}
		r := row{m: map[string]any{"session": e.Session, "sent": stamp(e.Time), "client_message": left(body(e), 60), "answer": nil, "latency_ms": nil}}
		for _, a := range evs[i+1:] {
			if a.Session == e.Session && a.Type == format.TypeMessage && a.Dir == format.Receive {
				r.latency, r.answer = float64(a.Time.Sub(e.Time).Nanoseconds())/1e6, true
				r.m["answer"], r.m["latency_ms"] = left(body(a), 60), r.latency
				break
			}
		}
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].answer != rows[j].answer {
			return rows[i].answer
		}
		if rows[i].latency != rows[j].latency {
			return rows[i].latency > rows[j].latency
		}
		return rows[i].m["sent"].(string) < rows[j].m["sent"].(string)
	})
	var out []map[string]any
	for _, r := range rows {
		out = append(out, r.m)
	}
	return out
}

// body is a message as latency.sql shows it.
func body(e *format.Event) string {
	if e.Opcode == format.Text && utf8.Valid(e.Data) {
		return string(e.Data)
	}
	return fmt.Sprintf("(%d bytes)", len(e.Data))
}

// checkSQL compares what DuckDB answered with what the recordings say.
func checkSQL(t *testing.T, got sqlRun, want sqlWant) {
	t.Helper()
	if got.Error != "" {
		t.Fatalf("DuckDB: %s", got.Error)
	}
	for name, rows := range want {
		g, _ := json.Marshal(got.Results[name])
		w, _ := json.Marshal(rows)
		var gv, wv any
		json.Unmarshal(g, &gv)
		json.Unmarshal(w, &wv)
		if len(rows) == 0 || !reflect.DeepEqual(gv, wv) {
			t.Errorf("%s answered\n%s\nthe recordings say\n%s", name, g, w)
		}
	}
}

// The documented queries, run by DuckDB on a directory recorded by
// "wsreplay record --out DIR" (zstd), answer what the recordings hold.
func TestDuckDBDirectory(t *testing.T) {
	need(t, false)
	needPackage(t, "@duckdb/node-api")
	dir := t.TempDir()
	recordApps(t, "--out", dir, "--compress", "zstd")
	writeControlText(t, filepath.Join(dir, "20261125T100000.000Z_c0ffee0000000001.ndjson.zst"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson.zst"))
	if len(files) != 4 {
		t.Fatalf("recorded %v, want 3 session files and the one written", files)
	}
	checkSQL(t, runSQL(t, filepath.Join(dir, "*.ndjson.zst"), ""), wantSQL(t, files))
}

// writeControlText writes, as two zstd frames (two writers, one after the
// other, as a recording appended to), a session whose text messages the
// format keeps as base64 ("binary" with "opcode":"text"): valid UTF-8 that
// control bytes would more than double if escaped, and text that is not
// UTF-8. matching.sql finds the first by its text, and not the second.
func writeControlText(t *testing.T, name string) {
	t.Helper()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	msg := func(ms int, dir format.Dir, data string) *format.Event {
		return &format.Event{Type: format.TypeMessage, Session: "c0ffee0000000001", Time: at.Add(time.Duration(ms) * time.Millisecond),
			Dir: dir, Opcode: format.Text, Data: []byte(data)}
	}
	for _, evs := range [][]*format.Event{
		{{Type: format.TypeSession, Version: 1, Session: "c0ffee0000000001", Time: at, URL: "/bytes"}, msg(5, format.Send, "ping")},
		{msg(12, format.Receive, strings.Repeat("\x01", 40)+"wörld"), msg(20, format.Receive, "\xffwörld"), msg(30, format.Send, "bye"),
			{Type: format.TypeClose, Session: "c0ffee0000000001", Time: at.Add(40 * time.Millisecond), By: format.ByClient, Code: 1000, Clean: true}},
	} {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		w := format.NewWriter(f, &format.WriterOptions{Compression: format.Zstd})
		for _, e := range evs {
			w.Write(e)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// The documented queries on recordings that "wsreplay record --out
// s3://..." uploaded to versitygw. Through DuckDB's httpfs straight from
// the bucket where DuckDB can load the extension: it is not part of
// @duckdb/node-api and is downloaded at run time, which a machine without
// the internet (CI's) cannot do, so that subtest skips there with
// DuckDB's error ($WSREPLAY_DUCKDB_EXTENSIONS may name a directory that
// holds it). Always: on the bucket's objects as any S3 client gets them
// (GET, into a directory laid out as their keys), with the same queries
// and the same glob.
func TestDuckDBS3(t *testing.T) {
	need(t, false)
	needPackage(t, "@duckdb/node-api")
	srv := s3test.Start(t)
	srv.Setenv(t)
	client := srv.Bucket(t, "rec")
	defer client.Close()
	recordApps(t, "--out", "s3://rec/staging", "--spool", t.TempDir())
	mirror := t.TempDir()
	var files []string
	err := client.List(t.Context(), s3store.Location{Bucket: "rec", Key: "staging"}, s3store.Window{}, func(loc s3store.Location) error {
		name := filepath.Join(mirror, filepath.FromSlash(strings.TrimPrefix(loc.Key, "staging/")))
		files = append(files, name)
		return download(t.Context(), client, loc, name)
	})
	if err != nil || len(files) != 3 {
		t.Fatalf("the bucket holds %d recordings (%v), want 3: %v", len(files), files, err)
	}
	want := wantSQL(t, files)
	t.Run("objects", func(t *testing.T) {
		checkSQL(t, runSQL(t, filepath.Join(mirror, "**", "*.ndjson.zst"), ""), want)
	})
	t.Run("httpfs", func(t *testing.T) {
		setup := fmt.Sprintf(`LOAD httpfs;
CREATE SECRET (TYPE s3, KEY_ID '%s', SECRET '%s', REGION 'us-east-1', ENDPOINT '%s', URL_STYLE 'path', USE_SSL false);`,
			s3test.AccessKey, s3test.SecretKey, strings.TrimPrefix(srv.Endpoint, "http://"))
		if dir := os.Getenv("WSREPLAY_DUCKDB_EXTENSIONS"); dir != "" {
			setup = fmt.Sprintf("SET extension_directory = '%s';\n%s", dir, setup)
		}
		got := runSQL(t, "s3://rec/staging/**/*.ndjson.zst", setup)
		if strings.Contains(got.Error, "httpfs") && strings.Contains(got.Error, "not found") {
			t.Skipf("DuckDB cannot load httpfs on this machine: %s", got.Error)
		}
		checkSQL(t, got, want)
	})
}

// download copies the object at loc to the file name.
func download(ctx context.Context, c *s3store.Client, loc s3store.Location, name string) error {
	obj, err := c.Open(ctx, loc)
	if err != nil {
		return err
	}
	defer obj.Close()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, obj); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
