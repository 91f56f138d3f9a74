// Package readable words recorded values for people: ls, cat and the
// replay server's page and log show them through it.
package readable

import (
	"strings"
	"unicode/utf8"
)

// redactedEncoded is "[redacted]" as a query string encodes it: the
// recorder redacts a query parameter by setting its value and re-encoding
// the query, so the recorded URL holds "token=%5Bredacted%5D".
var redactedEncoded = []string{"%5Bredacted%5D", "%5bredacted%5d"}

// URL returns a recorded URL (or path and query) with its redacted values
// shown as "[redacted]", as they are in headers. The recording itself is
// left as it is, so recordings made by any release read the same.
func URL(u string) string {
	if !strings.Contains(u, "redacted") {
		return u
	}
	for _, enc := range redactedEncoded {
		u = strings.ReplaceAll(u, enc, "[redacted]")
	}
	return u
}

// Preview shortens a payload to one line of at most n runes, for a log line
// or a timeline: control characters below space become ␤, and a cut is
// marked with …. Only the bytes that can make those runes are looked at: a
// message may be 64 MiB. Escaping for a terminal is the printer's job.
func Preview(b []byte, n int) string {
	s := string(b[:min(len(b), (n+1)*utf8.UTFMax)])
	s = strings.Map(func(r rune) rune {
		if r < ' ' {
			return '␤'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
