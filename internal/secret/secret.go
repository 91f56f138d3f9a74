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

// Looks reports whether a value looks like a credential by itself, whatever
// its name: a JWT, a bearer prefix, or a part that is a Token.
func Looks(v string) bool { return Subprotocol(v) != v }

// Token reports whether s looks like a generated credential rather than a
// name: hex of 16 characters or more with digits and letters, a UUID, or at
// least 20 characters of the base64 or base64url alphabets with digits or
// mixed case and at least 3.5 bits of entropy a character (names of words
// score lower; random tokens of this length score 4 or more).
func Token(s string) bool {
	if hexToken(s) || uuid(s) {
		return true
	}
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

// hexToken reports hex of 16 characters or more, with digits and letters
// (random hex of that length almost always has both; its entropy is at most
// 4 bits a character, too close to the names' to tell them apart by it).
func hexToken(s string) bool {
	if len(s) < 16 {
		return false
	}
	var digit, letter bool
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			letter = true
		default:
			return false
		}
	}
	return digit && letter
}

// uuid reports the 8-4-4-4-12 hex shape of a UUID.
func uuid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
