package secret

import "testing"

func TestSubprotocol(t *testing.T) {
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
	} {
		if got := Subprotocol(in); got != want {
			t.Errorf("Subprotocol(%q) = %q, want %q", in, got, want)
		}
	}
}
