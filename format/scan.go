package format

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is a small JSON reader for one recording line. It exists because
// decoding is the hot path of replay and of every tool that reads large
// recordings, and encoding/json's reflection made it several times slower.
// It reads strictly (RFC 8259), but replaces invalid UTF-8 in strings with
// U+FFFD as encoding/json does.
type scanner struct {
	b   []byte
	i   int
	buf []byte // scratch for strings with escapes
}

// maxDepth bounds the nesting of values skipped in unknown fields.
const maxDepth = 256

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at column %d: %s", s.i+1, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		if s.i >= len(s.b) {
			return s.errorf("unexpected end of line, want %q", c)
		}
		return s.errorf("got %q, want %q", s.b[s.i], c)
	}
	s.i++
	return nil
}

// null consumes a null literal if one is next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// str reads a string. The result aliases the line or the scratch buffer: it
// is valid until the next call, and callers copy what they keep.
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	n, nonASCII := plainRun(s.b[s.i:])
	s.i += n
	if s.i >= len(s.b) {
		return nil, s.errorf("unterminated string")
	}
	switch s.b[s.i] {
	case '"':
		out := s.b[start:s.i]
		s.i++
		if !nonASCII || utf8.Valid(out) {
			return out, nil
		}
		s.buf = append(s.buf[:0], out...)
		return s.fixUTF8(0), nil
	case '\\':
		s.buf = append(s.buf[:0], s.b[start:s.i]...)
		return s.strSlow()
	}
	return nil, s.errorf("control character in string")
}

// strSlow reads the rest of a string that has escapes into s.buf.
func (s *scanner) strSlow() ([]byte, error) {
	for s.i < len(s.b) {
		// Copy the run of plain bytes up to the next quote, backslash or
		// control character in one go.
		n, _ := plainRun(s.b[s.i:])
		run := s.i + n
		s.buf = append(s.buf, s.b[s.i:run]...)
		s.i = run
		if s.i >= len(s.b) {
			break
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.fixUTF8(0), nil
		case c < 0x20:
			return nil, s.errorf("control character in string")
		}
		if s.i+1 >= len(s.b) {
			break
		}
		esc := s.b[s.i+1]
		s.i += 2
		switch esc {
		case '"', '\\', '/':
			s.buf = append(s.buf, esc)
		case 'b':
			s.buf = append(s.buf, '\b')
		case 'f':
			s.buf = append(s.buf, '\f')
		case 'n':
			s.buf = append(s.buf, '\n')
		case 'r':
			s.buf = append(s.buf, '\r')
		case 't':
			s.buf = append(s.buf, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, s.errorf(`bad \u escape`)
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					save := s.i
					s.i += 2
					if lo, ok := s.hex4(); ok {
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r2 = dec
						} else {
							s.i = save
						}
					} else {
						return nil, s.errorf(`bad \u escape`)
					}
				}
				r = r2
			}
			s.buf = utf8.AppendRune(s.buf, r)
		default:
			return nil, s.errorf("bad escape \\%c", esc)
		}
	}
	return nil, s.errorf("unterminated string")
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.i += 4
	return r, true
}

// fixUTF8 replaces invalid UTF-8 in s.buf[from:] with U+FFFD.
func (s *scanner) fixUTF8(from int) []byte {
	if utf8.Valid(s.buf[from:]) {
		return s.buf
	}
	fixed := make([]byte, 0, len(s.buf)+8)
	fixed = append(fixed, s.buf[:from]...)
	for rest := s.buf[from:]; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		fixed = utf8.AppendRune(fixed, r) // RuneError for a bad byte
		rest = rest[size:]
	}
	s.buf = fixed
	return fixed
}

// number returns the bytes of a JSON number.
func (s *scanner) number() ([]byte, error) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	intStart := s.i
	if n := digits(); n == 0 || (n > 1 && s.b[intStart] == '0') {
		return nil, s.errorf("bad number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return nil, s.errorf("bad number")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return nil, s.errorf("bad number")
		}
	}
	return s.b[start:s.i], nil
}

func (s *scanner) int(field string) (int64, error) {
	num, err := s.number()
	if err != nil {
		return 0, fmt.Errorf("field %q: want an integer", field)
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("field %q: %s is not an integer", field, num)
	}
	return n, nil
}

func (s *scanner) bool(field string) (bool, error) {
	if s.peek() == 't' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true" {
		s.i += 4
		return true, nil
	}
	if s.peek() == 'f' && len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false" {
		s.i += 5
		return false, nil
	}
	return false, fmt.Errorf("field %q: want true or false", field)
}

// strField reads a string field's value as a new string.
func (s *scanner) strField(field string) (string, error) {
	if s.peek() != '"' {
		return "", fmt.Errorf("field %q: want a string", field)
	}
	b, err := s.str()
	return string(b), err
}

// headers reads {"Name":["value",...],...}.
func (s *scanner) headers(field string) (map[string][]string, error) {
	if s.peek() != '{' {
		return nil, fmt.Errorf("field %q: want an object of string arrays", field)
	}
	h := map[string][]string{}
	err := s.members(field, func(k string) error {
		if s.peek() != '[' {
			return fmt.Errorf("field %q: header %q: want an array of strings", field, k)
		}
		vs, err := s.strings(field)
		h[k] = vs
		return err
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// skip passes over one value of any kind.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return s.errorf("nested too deeply")
	}
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		if s.peek() == end {
			s.i++
			return nil
		}
		for {
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.peek() == end {
				s.i++
				return nil
			}
			if err := s.expect(','); err != nil {
				return err
			}
		}
	case 't', 'f':
		_, err := s.bool("")
		if err != nil {
			return s.errorf("unexpected literal")
		}
		return nil
	case 'n':
		if !s.null() {
			return s.errorf("unexpected literal")
		}
		return nil
	case 0:
		if s.i >= len(s.b) {
			return s.errorf("unexpected end of line")
		}
		return s.errorf("unexpected NUL byte")
	default:
		_, err := s.number()
		return err
	}
}

// ones has 0x01 in every byte, highs 0x80: the constants of the
// word-at-a-time tests below.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainRun returns how many bytes at the start of b need no attention in a
// JSON string (no quote, backslash or control character), and whether any
// of them is not ASCII. It looks at eight bytes at a time: strings are most
// of a recording, and this is the loop they go through. plainRunSlow, in
// the tests, is the byte-at-a-time oracle it is held to.
func plainRun(b []byte) (n int, nonASCII bool) {
	for ; n+8 <= len(b); n += 8 {
		w := binary.LittleEndian.Uint64(b[n:])
		if hasSpecial(w) {
			break // the byte loop below finds which
		}
		nonASCII = nonASCII || w&highs != 0 // some byte >= 0x80
	}
	for ; n < len(b); n++ {
		c := b[n]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		nonASCII = nonASCII || c >= utf8.RuneSelf
	}
	return n, nonASCII
}

// hasSpecial reports whether some byte of w is below 0x20, a quote or a
// backslash. It is three tests from Sean Eron Anderson's Bit Twiddling Hacks
// (https://graphics.stanford.edu/~seander/bithacks.html), "Determine if a
// word has a byte less than n" and "Determine if a word has a byte equal to
// n":
//
//	hasless(x, n) = (x - ones*n) & ^x & highs  // some byte < n, for n <= 128
//	haszero(x)    = (x - ones) & ^x & highs    // some byte == 0
//	hasvalue(x,n) = haszero(x ^ ones*n)        // some byte == n
//
// A borrow can set a high bit above a byte that matches, never in a word
// with none, so each test is exact for "is there one" (which is all it is
// used for; plainRun finds the byte one at a time). The three share the
// "& ^x & highs": x ^ ones*'"' and x ^ ones*'\\' have the same high bits as
// x, since '"' and '\\' are below 0x80, so the masks are taken once.
func hasSpecial(w uint64) bool {
	quote := w ^ (ones * '"')
	backslash := w ^ (ones * '\\')
	return ((w-ones*0x20)|(quote-ones)|(backslash-ones))&^w&highs != 0
}
