package secret

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSubprotocol(t *testing.T) {
	t.Parallel()

	for in, want := range map[string]string{
		"graphql-transport-ws":                  "graphql-transport-ws",
		"graphql-ws":                            "graphql-ws",
		"v12.stomp":                             "v12.stomp",
		"wamp.2.json":                           "wamp.2.json",
		"actioncable-v1-json":                   "actioncable-v1-json",
		"mqtt":                                  "mqtt",
		"chat":                                  "chat",
		"actioncable-unsupported-protocol-name": "actioncable-unsupported-protocol-name",
		"base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk": "base64url.bearer.authorization.k8s.io.[redacted]",
		"bearer.abc": "bearer.[redacted]",
		"Bearer.abc": "Bearer.[redacted]",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U": "[redacted].[redacted].[redacted]",
		"myapp.v1.9f86d081884c7d659a2feaa0c55ad015":                                                    "myapp.v1.[redacted]",
		"d41d8cd98f00b204e9800998ecf8427e":                                                             "[redacted]",
		"0123456789abcdef0123":                                                                         "[redacted]",
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8":                                                         "[redacted]",
		"deadbeefcafe":                                                                                 "deadbeefcafe",
	} {
		t.Run(in, func(t *testing.T) {
			if got := Subprotocol(in); got != want {
				t.Errorf("Subprotocol(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// Random hex and UUID tokens are caught every time, not by chance.
func TestRandomTokens(t *testing.T) {
	t.Parallel()

	r := rand.New(rand.NewPCG(1, 2))
	const hexdigits = "0123456789abcdef"
	for n := range 1000 {
		size := 20 + n%21
		b := make([]byte, size)
		for i := range b {
			b[i] = hexdigits[r.IntN(16)]
		}
		if s := string(b); !Token(s) && strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "abcdef") {
			t.Fatalf("hex token %q not caught", s)
		}
	}
}
