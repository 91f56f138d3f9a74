package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
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
