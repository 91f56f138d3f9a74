package longpoll

import (
	"net/http/httptest"
	"testing"
)

func TestMatch(t *testing.T) {
	t.Parallel()

	pats := []string{"/poll", "/api/poll*"}
	for path, want := range map[string]string{"/poll": "/poll", "/poll/x": "", "/api/poll": "/api/poll*",
		"/api/poll/send": "/api/poll*", "/api/pol": "", "/": ""} {
		t.Run(path, func(t *testing.T) {
			if got := Match(pats, path); got != want {
				t.Errorf("Match(%q) = %q, want %q", path, got, want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	t.Parallel()

	req := func(remote, xff, ua string) string {
		r := httptest.NewRequest("GET", "/poll", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		r.Header.Set("User-Agent", ua)
		return Key("/poll", r)
	}
	for _, c := range []struct {
		name string
		a, b string
		same bool
	}{
		{"same client, other port", req("10.0.0.1:1000", "", "ua"), req("10.0.0.1:2000", "", "ua"), true},
		{"other User-Agent", req("10.0.0.1:1000", "", "ua"), req("10.0.0.1:1000", "", "ub"), false},
		{"other address", req("10.0.0.1:1000", "", "ua"), req("10.0.0.2:1000", "", "ua"), false},
		{"behind a proxy: the first forwarded address", req("10.0.0.9:1", "1.2.3.4, 10.0.0.8", "ua"), req("10.0.0.7:2", "1.2.3.4", "ua"), true},
		{"behind a proxy: other clients", req("10.0.0.9:1", "1.2.3.4", "ua"), req("10.0.0.9:1", "1.2.3.5", "ua"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if (c.a == c.b) != c.same {
				t.Errorf("keys %q and %q: same = %v, want %v", c.a, c.b, c.a == c.b, c.same)
			}
		})
	}
}
