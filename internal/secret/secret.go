// Package secret recognises credentials that applications put where a
// recording keeps them in the clear, so that the recorder can hide them and
// the replay server can still answer a client that sends its own.
package secret

import (
	"math"
	"strings"
)

// Redacted replaces a secret in what is recorded, logged or shown.
const Redacted = "[redacted]"

// tokenPrefixes start subprotocols that carry a bearer token after them
// (Kubernetes' API server, and the "bearer." convention of others).
var tokenPrefixes = []string{
	"base64url.bearer.authorization.k8s.io.",
	"bearer.", "token.", "access_token.", "jwt.", "auth.", "authorization.",
}

// Subprotocol returns a WebSocket subprotocol value with the credentials in
// it hidden: what follows a known token prefix
// ("base64url.bearer.authorization.k8s.io.<token>" keeps its prefix), and
// any dot-separated part that looks like a token (see Token). Plain
// protocol names ("graphql-transport-ws", "v12.stomp", "wamp.2.json") are
// returned unchanged.
func Subprotocol(p string) string {
	lower := strings.ToLower(p)
	for _, pre := range tokenPrefixes {
		if strings.HasPrefix(lower, pre) && len(p) > len(pre) {
			return p[:len(pre)] + Redacted
		}
	}
	parts := strings.Split(p, ".")
	changed := false
	for i, part := range parts {
		if Token(part) {
			parts[i], changed = Redacted, true
		}
	}
	if !changed {
		return p
	}
	return strings.Join(parts, ".")
}

// Token reports whether s looks like a generated credential rather than a
// name: at least 20 characters of the base64, base64url or hex alphabets,
// with digits or mixed case, and at least 3.5 bits of entropy a character
// (names of words score lower; random tokens of this length score 4 or
// more).
func Token(s string) bool {
	if len(s) < 20 {
		return false
	}
	var digit, upper, lower bool
	var counts [256]int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c == '-' || c == '_' || c == '+' || c == '/' || c == '=':
		default:
			return false
		}
		counts[c]++
	}
	if !digit && !(upper && lower) {
		return false
	}
	return entropy(counts[:], len(s)) >= 3.5
}

// entropy is the Shannon entropy, in bits a character, of a string of n
// characters with these counts.
func entropy(counts []int, n int) float64 {
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	return h
}
