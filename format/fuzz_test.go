package format

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReader checks that no input makes the Reader panic, and that whatever
// it reads, written again and read back, gives the same events.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(vectors, "*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), &ReaderOptions{MaxLineSize: 1 << 20})
		defer r.Close()
		var evs []*Event
		for {
			e, err := r.Next()
			if err != nil {
				var se *SyntaxError
				if err != io.EOF && !errors.As(err, &se) && r.Compression() == None {
					t.Fatalf("plain input gave an error that names no line: %v", err)
				}
				break
			}
			evs = append(evs, e)
		}
		again := encode(t, evs, None, true)
		r2 := NewReader(bytes.NewReader(again), nil)
		defer r2.Close()
		got, err := readAll(t, r2)
		if err != nil {
			t.Fatalf("re-encoded events do not read back: %v\n%s", err, again)
		}
		if len(got) != len(evs) {
			t.Fatalf("re-encoded %d events, read back %d", len(evs), len(got))
		}
		for i := range evs {
			if !eventsEqual(got[i], evs[i]) {
				t.Fatalf("event %d changed:\n got %+v\nwant %+v", i, got[i], evs[i])
			}
		}
	})
}

// FuzzDecodeLine holds the hand-written line decoder to encoding/json: it
// accepts exactly the valid JSON, and reads the same strings out of it.
func FuzzDecodeLine(f *testing.F) {
	for _, e := range sample() {
		f.Add(bytes.TrimSuffix(appendEvent(nil, e), []byte("\n")))
	}
	f.Add([]byte(`{"type":"message","session":"s","time":"2026-01-01T00:00:00Z","dir":"send","text":"\ud83d\ude00 \ud800 \u00e9\/","x":[1,-2.5e3,{"a":null}]}`))
	f.Add([]byte(`{"type":"close","session":"s","time":"2026-01-01T00:00:00Z","code":1000,"clean":false} x`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var d decoder
		var e Event
		err := d.decodeLine(line, &e)
		trimmed := bytes.TrimSpace(line)
		valid := json.Valid(line) && len(trimmed) > 0 && trimmed[0] == '{'
		if err == nil && !valid {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		if err != nil && valid && strings.HasPrefix(err.Error(), "invalid JSON") && !strings.Contains(err.Error(), "nested too deeply") {
			t.Fatalf("rejected valid JSON %q: %v", line, err)
		}
		if err != nil || e.Type != TypeMessage || e.Opcode != Text || bytes.Contains(line, []byte(`"binary"`)) {
			return
		}
		var m struct {
			Text    string `json:"text"`
			Session string `json:"session"`
		}
		if json.Unmarshal(line, &m) != nil {
			return // a type mismatch in an unknown field, which we skip
		}
		if m.Text != string(e.Data) || m.Session != e.Session {
			t.Fatalf("decoded text %q session %q, encoding/json says %q %q", e.Data, e.Session, m.Text, m.Session)
		}
	})
}

// FuzzAppendText holds the fast payload encoder to the plain one.
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "plain ascii text of some length", "quote \" back \\ nl \n tab \t ctl \x01",
		"é ü 中文 😀", "sep \u2028 and \u2029 inside", "\u2028", "abcdefg\u2029", "12345678\"12345678",
		`{"echo":"{\"op\":\"subscribe\"}"}`, "abcd\x01", "abc\x01"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if !utf8.Valid(s) {
			return
		}
		got, want := appendText(nil, s), appendString(nil, s)
		if !bytes.Equal(got, want) {
			t.Fatalf("appendText(%q) = %s, want %s", s, got, want)
		}
		// Within a limit (textLimit, as messages use it, and base64's
		// length, a tighter one): the same text if its body fits, else
		// false having written little.
		for _, limit := range []int{textLimit(len(s)), base64.StdEncoding.EncodedLen(len(s))} {
			got, ok := appendTextWithin(nil, s, limit)
			if fits := len(want)-2 <= limit; ok != fits || ok && !bytes.Equal(got, want) || !ok && len(got) > limit+7 {
				t.Fatalf("appendTextWithin(%q, %d) = %s, %v; escaped body is %d bytes", s, limit, got, ok, len(want)-2)
			}
		}
	})
}

// plainRunSlow is plainRun a byte at a time: the oracle for the word-at-a-
// time version.
func plainRunSlow(b []byte) (n int, nonASCII bool) {
	for ; n < len(b); n++ {
		c := b[n]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		if c >= 0x80 {
			nonASCII = true
		}
	}
	return n, nonASCII
}

// TestPlainRunEveryByte puts every byte value at every position of plain
// runs of up to 19 bytes (two words and a tail), so that every byte lane of
// hasSpecial, and the tail loop, meets every value.
func TestPlainRunEveryByte(t *testing.T) {
	t.Parallel()

	for size := range 20 {
		for pos := range size {
			for c := range 256 {
				b := bytes.Repeat([]byte("a"), size)
				b[pos] = byte(c)
				n, nonASCII := plainRun(b)
				wn, wnonASCII := plainRunSlow(b)
				if n != wn || nonASCII != wnonASCII {
					t.Fatalf("plainRun(%q) = %d, %v; want %d, %v", b, n, nonASCII, wn, wnonASCII)
				}
			}
		}
	}
}

// FuzzPlainRun holds the word-at-a-time scan to the byte-at-a-time one.
func FuzzPlainRun(f *testing.F) {
	for _, s := range []string{"", "plain", "twelve bytes", "0123456789abcdef\"", "\x7f\x80\xff1234\\", "é ü 中文 😀 \x1f"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, nonASCII := plainRun(b)
		wn, wnonASCII := plainRunSlow(b)
		if n != wn || nonASCII != wnonASCII {
			t.Fatalf("plainRun(%q) = %d, %v; want %d, %v", b, n, nonASCII, wn, wnonASCII)
		}
	})
}
