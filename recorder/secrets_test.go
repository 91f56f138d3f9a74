package recorder

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// Every placement of a secret that the defaults or the options name is
// hidden in the recording and in the log, in text and in JSON logs alike;
// the traffic keeps it.
func TestSecretsNowhere(t *testing.T) {
	secrets := []string{"PATHSECRET", "QSECRET", "JSECRET", "SUBSECRET", "HSECRET", "CSECRET", "RSECRET", "SETSECRET", "PSECRET", "DSECRET"}
	for _, logFormat := range []string{"text", "json"} {
		t.Run(logFormat, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			if logFormat == "json" {
				log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			got := make(chan string, 8)
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Auth-Token", "RSECRET")
				w.Header().Set("Set-Cookie", "sid=SETSECRET")
				c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"bearer.SUBSECRET"}})
				if err != nil {
					return
				}
				defer c.CloseNow()
				got <- r.URL.RequestURI() + " " + r.Header.Get("X-Api-Key")
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
			sink, err := NewDirSink(dir, &QueueOptions{Compression: format.Zstd, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			upURL, _ := url.Parse(wsURL(up))
			p := &Proxy{Upstream: upURL, Sink: sink, Logger: log, Redaction: Redaction{
				JSONFields: []string{"password"},
				Paths:      []*regexp.Regexp{regexp.MustCompile(`^/ws/([^/]+)`)},
			}}
			ts := httptest.NewServer(p)
			c := dial(t, ts, "/ws/PATHSECRET/feed?room=1&access_token=QSECRET&jwt=JSECRET", &websocket.DialOptions{
				Subprotocols: []string{"bearer.SUBSECRET"},
				HTTPHeader:   http.Header{"X-Api-Key": {"HSECRET"}, "Cookie": {"a=CSECRET"}},
			})
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			msgs := []string{`42["login",{"user":"ana","password":"PSECRET"}]`, `{"command":"message","data":"{\"password\":\"DSECRET\"}"}`}
			for _, m := range msgs {
				c.Write(ctx, websocket.MessageText, []byte(m))
				if typ, data, err := c.Read(ctx); err != nil || string(data) != m || typ != websocket.MessageText {
					t.Fatalf("echo: %v %q %v: the traffic must keep its secrets", typ, data, err)
				}
			}
			if u := <-got; u != "/ws/PATHSECRET/feed?room=1&access_token=QSECRET&jwt=JSECRET HSECRET" {
				t.Errorf("upstream got %q: the traffic must keep its secrets", u)
			}
			c.Close(1000, "")
			stopProxy(t, p, ts, sink)

			evs := onlySession(t, dir)
			var rec strings.Builder
			for _, e := range evs {
				fmt.Fprintf(&rec, "%+v %s\n", e, e.Data)
			}
			for _, s := range secrets {
				if strings.Contains(rec.String(), s) {
					t.Errorf("the recording holds %s:\n%s", s, rec.String())
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("the log holds %s:\n%s", s, logs.String())
				}
			}
			if evs[0].Subprotocol != "bearer.[redacted]" || evs[1].Opcode != format.Text {
				t.Errorf("session line subprotocol %q, first message opcode %v", evs[0].Subprotocol, evs[1].Opcode)
			}
			if !strings.Contains(logs.String(), "/ws/[redacted]/feed") {
				t.Errorf("the log should show the redacted path:\n%s", logs.String())
			}
		})
	}
}

// An upstream that cannot be reached: the client learns that, not where the
// upstream is; the log has the details, redacted.
func TestUpstreamFailureNamesNoAddress(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	addr := down.Listener.Addr().String()
	down.Close()
	var logs bytes.Buffer
	u, _ := url.Parse("ws://" + addr)
	p := &Proxy{Upstream: u, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ts := httptest.NewServer(p)
	defer ts.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL(ts)+"/ws?token=TSECRET", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("dial through a proxy to nothing: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	plain, err := http.Get(ts.URL + "/api?token=TSECRET")
	if err != nil {
		t.Fatal(err)
	}
	pbody, _ := io.ReadAll(plain.Body)
	plain.Body.Close()
	if plain.StatusCode != http.StatusBadGateway {
		t.Errorf("plain request: %d, want 502", plain.StatusCode)
	}
	for what, text := range map[string]string{"WebSocket 502 body": string(body), "plain 502 body": string(pbody)} {
		if strings.Contains(text, addr) || strings.Contains(text, "127.0.0.1") {
			t.Errorf("%s names the upstream: %q", what, text)
		}
	}
	if strings.Contains(logs.String(), "TSECRET") || !strings.Contains(logs.String(), addr) {
		t.Errorf("the log should name the upstream and hide the token:\n%s", logs.String())
	}
}

// An upgrade to another protocol (h2c) is not tunnelled unrecorded: the
// request reaches the upstream as plain HTTP, and the answer is plain HTTP.
func TestOtherUpgradesAreNotTunnelled(t *testing.T) {
	sawUpgrade := make(chan string, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawUpgrade <- r.Header.Get("Upgrade")
		if r.Header.Get("Upgrade") == "h2c" {
			w.Header().Set("Connection", "Upgrade")
			w.Header().Set("Upgrade", "h2c")
			w.WriteHeader(http.StatusSwitchingProtocols)
			return
		}
		fmt.Fprint(w, "plain")
	}))
	defer up.Close()
	var logs bytes.Buffer
	u, _ := url.Parse(wsURL(up))
	ts := httptest.NewServer(&Proxy{Upstream: u, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	defer ts.Close()

	req, _ := http.NewRequest("GET", ts.URL+"/x", nil)
	req.Header.Set("Connection", "Upgrade, HTTP2-Settings")
	req.Header.Set("Upgrade", "h2c")
	req.Header.Set("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := <-sawUpgrade; got != "" || resp.StatusCode != http.StatusOK || string(body) != "plain" {
		t.Errorf("upstream saw Upgrade %q; client got %d %q, want 200 plain", got, resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "upgrade=h2c") {
		t.Errorf("the dropped upgrade is not logged:\n%s", logs.String())
	}
}
