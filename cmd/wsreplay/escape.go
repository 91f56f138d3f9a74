package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// printable returns s safe to print on a terminal: control characters
// (C0, DEL, C1: ESC and CSI among them), the bidirectional overrides that
// reorder what is shown (Trojan Source, CVE-2021-42574) and invalid UTF-8
// are written as Go escapes (\x1b, \u202e). Ids, URLs and reasons in a
// recording are whatever its maker put there, and a shared recording must
// not drive the terminal of whoever lists it.
func printable(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports whether r changes a terminal's state or the order in
// which text is shown, or breaks or hides a line without looking like it:
// the line and paragraph separators (U+2028, U+2029, which some terminals,
// editors and JavaScript take for line ends) and the zero-width no-break
// space (U+FEFF, a byte order mark).
func unsafeRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

// printableLines is printable for text of several lines, which it keeps.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	return strings.Join(lines, "\n")
}

// jsonSafe returns a line of JSON with what printable escapes written as
// JSON escapes instead (\u009b, \u202e; \ufffd for invalid UTF-8): the same
// document for a parser, inert on a terminal. Such characters can only be
// inside strings, where an escape means the same.
func jsonSafe(line []byte) []byte {
	if utf8.Valid(line) && !bytesHaveUnsafe(line) {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		r, n := utf8.DecodeRune(line[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteString(`\ufffd`)
		case r >= 0x20 && unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.Write(line[i : i+n])
		}
		i += n
	}
	return []byte(b.String())
}

func bytesHaveUnsafe(b []byte) bool {
	for _, r := range string(b) {
		if r >= 0x20 && unsafeRune(r) {
			return true
		}
	}
	return false
}

// jsonSafeWriter passes each write through jsonSafe; json.Encoder writes a
// whole value at a time.
type jsonSafeWriter struct{ w io.Writer }

func (j jsonSafeWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(jsonSafe(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
