// Package readable words recorded values for people: ls, cat and the
// replay server's page and log show them through it.
package readable

import (
	"fmt"
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

// PreviewBytes is Preview for a payload that may be binary (a client's
// message, whose kind the log does not keep): UTF-8 text (the head of a
// longer text may end in a cut rune, left out) is Preview'd; anything else is shown
// as "hex" and the hex of its first n/3 bytes, cut with ….
func PreviewBytes(b []byte, n int) string {
	head := b[:min(len(b), (n+1)*utf8.UTFMax)]
	text := head
	// A rune cut at the end of the head is no sign of binary.
	for j := len(text) - 1; j >= max(0, len(text)-utf8.UTFMax); j-- {
		if utf8.RuneStart(text[j]) {
			if !utf8.FullRune(text[j:]) {
				text = text[:j]
			}
			break
		}
	}
	if utf8.Valid(text) {
		if len(text) < len(head) {
			return Preview(text, n) + "…"
		}
		return Preview(b, n)
	}
	k := max(1, n/3)
	var s strings.Builder
	s.WriteString("hex")
	for _, c := range b[:min(len(b), k)] {
		fmt.Fprintf(&s, " %02x", c)
	}
	if len(b) > k {
		s.WriteString(" …")
	}
	return s.String()
}
