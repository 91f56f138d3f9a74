package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// serve --control-remote prints the token the control API off loopback
// needs, and a URL that gives it to a browser; --control-token chooses it,
// and a token the user chose is never printed (logs may be collected).
func TestServeControlToken(t *testing.T) {
	tokenRE := regexp.MustCompile(`timeline and controls on (http://\S+/)\?token=(\S+)`)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct {
		name  string
		args  []string
		token string
	}{
		{"random", nil, ""},
		{"chosen", []string{"--control-token", "my-long-secret-token"}, "my-long-secret-token"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, stop := startCommand(t, append([]string{"serve", "--listen", "127.0.0.1:0", "--control-remote"}, c.args...)...)
			defer stop()
			m := tokenRE.FindStringSubmatch(stderr.String())
			if m == nil {
				t.Fatalf("no URL with the token:\n%s", stderr)
			}
			token := m[2]
			if c.token != "" {
				if strings.Contains(stderr.String(), c.token) {
					t.Errorf("the chosen token is printed:\n%s", stderr)
				}
				token = c.token
			} else {
				if len(token) < 16 {
					t.Errorf("token %q, want a random one of 16 characters or more", token)
				}
				if !strings.Contains(stderr.String(), "Authorization: Bearer TOKEN): "+token) {
					t.Errorf("the token for scripts is not printed:\n%s", stderr)
				}
			}
			resp, err := noRedirect.Get(m[1] + "?token=" + token)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 1 {
				t.Errorf("the URL with the token: %d, cookies %v; want 303 with the token's cookie", resp.StatusCode, resp.Cookies())
			}
		})
	}
}

// controlBase returns the control listener's base URL that serve printed
// (waiting a little for the line).
func controlBase(t *testing.T, stderr interface{ String() string }) string {
	t.Helper()
	re := regexp.MustCompile(`timeline and controls on (http://[^/\s]+)/`)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("stderr does not say where the timeline is:\n%s", stderr)
	return ""
}

// The timeline and the control API are on a listener of their own, never
// on the replay port (a recording's content, or a service worker an
// earlier server left on that origin, cannot reach them):
// --control-listen places it; off loopback it needs --control-remote; a
// generated token is never written into JSON logs.
func TestServeControlApart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close() // for serve to take
	url, stderr, _ := startCommand(t, "serve", "--listen", "127.0.0.1:0", "--control-listen", "127.0.0.1:"+port)
	if base := controlBase(t, stderr); base != "http://127.0.0.1:"+port {
		t.Errorf("control on %s, want the --control-listen address", base)
	}
	replay := "http" + strings.TrimPrefix(url, "ws")
	var resp *http.Response
	for path, want := range map[string]int{"/_wsreplay/api/sessions": 404, "/": 200} {
		resp, err = http.Get(replay + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("replay port %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err = http.Get("http://127.0.0.1:" + port + "/_wsreplay/api/sessions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("control listener: %d, want 200", resp.StatusCode)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--control-listen", "0.0.0.0:0"}, "--control-listen: 0.0.0.0:0 is reachable from other machines"},
		{[]string{"--control-listen", "nope"}, `--control-listen: "nope" is not HOST:PORT`},
		{[]string{"--control-listen", "127.0.0.1:" + port}, "--control-listen: listen on 127.0.0.1:" + port + ": address already in use"},
		{[]string{"--no-control", "--control-listen", "127.0.0.1:0"}, "--control-listen: there is no control to serve with --no-control"},
		{[]string{"--control-remote", "--log-format", "json"}, "a generated control token would be written into the logs"},
	} {
		var out bytes.Buffer
		code := run(context.Background(), append([]string{"wsreplay", "serve", "--listen", "127.0.0.1:0"}, c.args...), &out, &out)
		if errOut := out.String(); code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 2 {
			t.Errorf("serve %v: exit %d, stderr %q; want an error saying %q", c.args, code, errOut, c.want)
		}
	}
}
