package format

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// worstCases are the message payloads whose lines are longest for their
// size: every byte escaped six-fold, or two-fold, or not text at all.
func worstCases(n int) map[string]struct {
	op   Opcode
	data []byte
} {
	return map[string]struct {
		op   Opcode
		data []byte
	}{
		"control bytes":  {Text, bytes.Repeat([]byte{0x01}, n)},
		"quotes":         {Text, bytes.Repeat([]byte{'"'}, n)},
		"line separator": {Text, []byte(strings.Repeat("\u2028", n/3))},
		"invalid UTF-8":  {Text, bytes.Repeat([]byte{0xff}, n)},
		"binary":         {Binary, bytes.Repeat([]byte{0x00}, n)},
	}
}

// A message line is never longer than its payload escaped two-fold (text:
// quotes, line separators) or in base64 (everything else), plus a small
// fixed overhead: text that would escape to more than twice its size is
// written as base64 with "opcode":"text", and reads back as the same text.
// DefaultMaxLineSize is derived from that bound (see MaxMessageSize and
// TestTextLimitFitsLine); cmd/wsreplay's TestLineLimits checks it at full
// size, through the recorder and every command.
func TestLongestLine(t *testing.T) {
	t.Parallel()

	for _, n := range []int{0, 1, 2, 3, 100, 4096, 1 << 20} {
		for name, c := range worstCases(n) {
			t.Run(fmt.Sprintf("%s, %d bytes", name, n), func(t *testing.T) {
				e := &Event{Type: TypeMessage, Session: "0123456789abcdef", Time: t0, Dir: Receive, Opcode: c.op, Data: c.data}
				line, err := AppendLine(nil, e)
				if err != nil {
					t.Fatal(err)
				}
				if max := max(2*len(c.data), base64.StdEncoding.EncodedLen(len(c.data))) + 150; len(line) > max {
					t.Errorf("%s, %d bytes: line of %d bytes, want at most %d", name, len(c.data), len(line), max)
				}
				r := NewReader(bytes.NewReader(line), &ReaderOptions{MaxLineSize: len(line)})
				got, err := r.Next()
				if err != nil {
					t.Fatalf("%s, %d bytes: %v", name, len(c.data), err)
				}
				if got.Opcode != c.op || !bytes.Equal(got.Data, c.data) {
					t.Errorf("%s, %d bytes: read back opcode %v and %d bytes, want %v and the same bytes", name, len(c.data), got.Opcode, len(got.Data), c.op)
				}
			})
		}
	}
}

// The choice between "text" and "binary" is made at the boundary exactly:
// text stays readable text while its escaped form is at most twice its size.
func TestTextOrBase64(t *testing.T) {
	t.Parallel()

	for _, c := range []struct {
		data string
		text bool
	}{
		{"plain", true},
		{"", true},
		{"ab\n", true},        // 4 bytes escaped, 3 bytes
		{"a\n\n", true},       // 5 against 3
		{"\t", true},          // 2 against 1
		{"\x01", false},       // 6 against 1
		{"abcd\x01", true},    // 10 against 5: twice exactly
		{"abc\x01", false},    // 9 against 4
		{"\"\"\"", true},      // 6 against 3
		{"\u2028", true},      // 6 against 3
		{"\u2028\x01", false}, // 12 against 4
		{"{\"type\":\"price\",\"sym\":\"BTC\",\"px\":97000.5}", true},
		// JSON inside JSON: every inner quote escapes to two bytes, and an
		// escaped one (the echo of a double-encoded message) to four.
		{`{"echo":"{\"op\":\"subscribe\"}"}`, true},
		{`{"a":"{\"b\":\"{\\\"c\\\":1}\"}"}`, true},
		{`{"command":"subscribe","identifier":"{\"channel\":\"ChatChannel\",\"room\":\"1\"}"}`, true},
		{`{"command":"message","identifier":"{\"channel\":\"ChatChannel\",\"room\":\"1\"}","data":"{\"action\":\"speak\",\"body\":\"hi\"}"}`, true},
		{`"\"\""`, true}, // 12 against 6
	} {
		t.Run(fmt.Sprintf("%q", c.data), func(t *testing.T) {
			line, _ := AppendLine(nil, &Event{Type: TypeMessage, Session: "s", Time: t0, Dir: Send, Opcode: Text, Data: []byte(c.data)})
			if isText := bytes.Contains(line, []byte(`"text":`)); isText != c.text || !isText && !bytes.Contains(line, []byte(`"opcode":"text"`)) {
				t.Errorf("line %s; want text %v", line, c.text)
			}
			got, err := NewReader(bytes.NewReader(line), nil).Next()
			if err != nil || got.Opcode != Text || string(got.Data) != c.data {
				t.Errorf("read back %v %q (%v), want text %q", got.Opcode, got.Data, err, c.data)
			}
		})
	}
}

// Text is kept only while its line fits: from the size at which twice the
// message would not fit in a line with its overhead, a message whose escaped
// form is that long is written as base64, which fits for every message up
// to MaxMessageSize. (At full size this is 86 MiB of quotes; the limit is
// checked here, the encoder's use of it by TestTextOrBase64.)
func TestTextLimitFitsLine(t *testing.T) {
	for _, n := range []int{0, 1, 1 << 20, maxTextBody / 2, maxTextBody/2 + 1, 100 << 20, MaxMessageSize} {
		limit := textLimit(n)
		if limit > 2*n || limit+MaxLineOverhead > DefaultMaxLineSize {
			t.Errorf("textLimit(%d) = %d: more than twice the message, or more than a line holds (%d with %d overhead)",
				n, limit, DefaultMaxLineSize, MaxLineOverhead)
		}
		if n <= maxTextBody/2 && limit != 2*n {
			t.Errorf("textLimit(%d) = %d, want %d: a message whose twice fits in a line keeps text up to it", n, limit, 2*n)
		}
		if b64 := base64.StdEncoding.EncodedLen(n); n <= MaxMessageSize && b64+MaxLineOverhead > DefaultMaxLineSize {
			t.Errorf("a %d-byte message in base64 (%d bytes) does not fit in a line", n, b64)
		}
	}
}
