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

// A message line is never longer than its payload in base64 plus a small
// fixed overhead, whatever the payload: text that would escape to more than
// base64 is written as base64 with "opcode":"text", and reads back as the
// same text. DefaultMaxLineSize is derived from that bound (see
// MaxMessageSize); cmd/wsreplay's TestLineLimits checks it at full size,
// through the recorder and every command.
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
				if max := base64.StdEncoding.EncodedLen(len(c.data)) + 150; len(line) > max {
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
// text stays readable text while its escaped form is no longer than base64.
func TestTextOrBase64(t *testing.T) {
	t.Parallel()

	for _, c := range []struct {
		data string
		text bool
	}{
		{"plain", true},
		{"ab\n", true},     // 4 bytes escaped, 4 in base64
		{"a\n\n", false},   // 5 against 4
		{"\x01", false},    // 6 against 4
		{"\"\"\"", false},  // 6 against 4
		{"é\"\"\"", true},  // 8 against 8
		{"\u2028xy", true}, // 8 against 8
		{"{\"type\":\"price\",\"sym\":\"BTC\",\"px\":97000.5}", true},
	} {
		t.Run(fmt.Sprintf("%q", c.data), func(t *testing.T) {
			line, _ := AppendLine(nil, &Event{Type: TypeMessage, Session: "s", Time: t0, Dir: Send, Opcode: Text, Data: []byte(c.data)})
			if isText := bytes.Contains(line, []byte(`"text":`)); isText != c.text || !isText && !bytes.Contains(line, []byte(`"opcode":"text"`)) {
				t.Errorf("%q: line %s; want text %v", c.data, line, c.text)
			}
		})
	}
}
