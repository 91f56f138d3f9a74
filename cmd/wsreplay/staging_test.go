package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

var adminRE = regexp.MustCompile(`(?:admin on |"msg":"admin listening","url":")(http://[^\s"]+)`)

// scrape reads /metrics into "name{labels}" -> value.
func scrape(t *testing.T, admin string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// The metrics of a scripted run match its traffic exactly; health and
// readiness answer on the admin listener, never on the proxied one.
func TestRecordMetricsMatchTraffic(t *testing.T) {
	up := backend(t)
	dir := t.TempDir()
	url, stderr, stop := startCommand(t, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"), "--listen", "127.0.0.1:0",
		"--out", dir, "--admin", "127.0.0.1:0", "--record-path", "/rec/*", "--log-format", "json", "--status-interval", "20ms")
	m := adminRE.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no admin line:\n%s", stderr)
	}
	admin := m[1]
	if code, body := nettest.Get(t, admin+"/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	// The backend answers any plain request with 426 (it only speaks
	// WebSocket): that is who must answer /healthz on the proxied port.
	if code, _ := nettest.Get(t, "http"+strings.TrimPrefix(url, "ws")+"/healthz"); code != http.StatusUpgradeRequired {
		t.Errorf("/healthz on the proxied listener answered %d, not the upstream's 426: it belongs to the upstream", code)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	// Three sessions, two recorded; each gets "hello" and echoes 2 messages.
	for _, path := range []string{"/rec/a", "/rec/b", "/other"} {
		c := nettest.Dial(t, url+path, &websocket.DialOptions{Subprotocols: []string{"v2"}})
		c.Read(ctx)
		for _, msg := range []string{"12345", "abc"} {
			c.Write(ctx, websocket.MessageText, []byte(msg))
			c.Read(ctx)
		}
		c.Close(1000, "")
	}
	var got map[string]float64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// The writer writes and flushes on its own goroutine, after the
		// sessions have ended.
		got = scrape(t, admin)
		if got[`wsreplay_record_sessions_ended_total{ending="clean"}`] == 3 &&
			got["wsreplay_record_lines_written_total"] >= 2*(2+5) && got["wsreplay_record_flush_seconds_count"] > 0 {
			break
		}
	}
	for name, want := range map[string]float64{
		`wsreplay_record_sessions_ended_total{ending="clean"}`:       3,
		`wsreplay_record_sessions_open`:                              0,
		`wsreplay_record_sessions_unrecorded_total{reason="filter"}`: 1,
		`wsreplay_record_messages_total{dir="send"}`:                 6,
		`wsreplay_record_messages_total{dir="receive"}`:              9,
		`wsreplay_record_message_bytes_total{dir="send"}`:            3 * 8,
		`wsreplay_record_message_bytes_total{dir="receive"}`:         3 * (5 + 8),
		`wsreplay_record_lines_lost_total`:                           0,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	if got["wsreplay_record_lines_written_total"] < 2*(2+5) || got["wsreplay_record_flush_seconds_count"] == 0 {
		t.Errorf("lines written %v, flushes %v", got["wsreplay_record_lines_written_total"], got["wsreplay_record_flush_seconds_count"])
	}
	stop()
	logs := stderr.String()
	if !strings.Contains(logs, `"msg":"status"`) || !regexp.MustCompile(`"time":"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)"`).MatchString(logs) {
		t.Errorf("want JSON log lines with dated times and a status line:\n%s", logs)
	}
}

func TestServeAdmin(t *testing.T) {
	url, stderr, stop := startCommand(t, "serve", "--listen", "127.0.0.1:0", "--speed", "max", "--admin", "127.0.0.1:0")
	admin := adminRE.FindStringSubmatch(stderr.String())[1]
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c := nettest.Dial(t, url+"/", nil)
	n := 0
	for ; ; n++ {
		if _, _, err := c.Read(ctx); err != nil {
			break
		}
	}
	if code, _ := nettest.Get(t, admin+"/healthz"); code != 200 {
		t.Errorf("/healthz %d", code)
	}
	var got map[string]float64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got = scrape(t, admin); got["wsreplay_serve_messages_sent_total"] == float64(n) && n > 0 {
			break
		}
	}
	if got["wsreplay_serve_messages_sent_total"] != float64(n) || n == 0 {
		t.Errorf("sent %v, the client read %d", got["wsreplay_serve_messages_sent_total"], n)
	}
	stop()
}

// Every flag of record and serve can come from WSREPLAY_<FLAG>; a flag on
// the command line wins.
func TestEveryFlagFromEnvironment(t *testing.T) {
	for _, cmd := range newApp(io.Discard, io.Discard).Commands {
		if cmd.Name != "record" && cmd.Name != "serve" {
			continue
		}
		for _, f := range cmd.Flags {
			name := f.Names()[0]
			if name == "help" {
				continue
			}
			t.Run(cmd.Name+" --"+name, func(t *testing.T) {
				value := "from-env"
				switch f.(type) {
				case *cli.BoolFlag:
					value = "true"
				case *cli.IntFlag:
					value = "7"
				}
				t.Setenv(envName(name), value)
				got := captureFlag(t, cmd.Name, name, nil)
				if got != value && got != "["+value+"]" {
					t.Errorf("%s=%s gave --%s %q", envName(name), value, name, got)
				}
				if _, ok := f.(*cli.StringFlag); ok {
					if got := captureFlag(t, cmd.Name, name, []string{"--" + name, "from-flag"}); got != "from-flag" {
						t.Errorf("the flag should win over the environment: got %q", got)
					}
				}
			})
		}
	}
}

// captureFlag runs a command with its action replaced, and returns the
// value the action sees for a flag.
func captureFlag(t *testing.T, command, flag string, args []string) string {
	t.Helper()
	app := newApp(io.Discard, io.Discard)
	var got string
	for _, c := range app.Commands {
		if c.Name == command {
			c.Action = func(c *cli.Context) error {
				if v := c.StringSlice(flag); len(v) > 0 {
					got = "[" + strings.Join(v, ",") + "]"
				} else {
					got = fmt.Sprint(c.Value(flag))
				}
				return nil
			}
		}
	}
	if err := app.Run(append([]string{"wsreplay", command}, args...)); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReadiness(t *testing.T) {
	r := &readiness{}
	if r.ready() == nil {
		t.Error("ready before listening")
	}
	r.listening.Store(true)
	if err := r.ready(); err != nil {
		t.Errorf("listening: %v", err)
	}
	r.check = func() error { return io.ErrShortWrite }
	if r.ready() == nil {
		t.Error("ready with an output that cannot be written")
	}
	r.check = nil
	r.stopping.Store(true)
	if r.ready() == nil {
		t.Error("ready while shutting down")
	}
}
