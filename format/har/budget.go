package har

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// A json.Decoder holds a whole value before it decodes any of it, so an
// entry is in memory, several times over, before checkSizes can look at
// it: one 200 MB header value cost `ls` 693 MB (issue 26). So the bytes
// are looked at as the decoder pulls them, by a budget reader in front of
// it, which refuses an entry, or a string in it, past its cap before the
// decoder has more than the cap of it:
//
//   - an entry, or a value of "log" or of the file around the entries
//     (which Reader skips by holding them), at most DefaultMaxEntrySize;
//   - a message's data or a body's text, at most the entry's cap (their
//     decoded size is checked against the largest message afterwards);
//   - any other string or number (header, URL, comment, time...), at most
//     DefaultMaxStringSize.
const (
	// DefaultMaxEntrySize is the longest entry a Reader accepts: the
	// longest line a recording holds, so that an entry with one message
	// of format.MaxMessageSize, in base64, fits.
	DefaultMaxEntrySize = format.DefaultMaxLineSize
	// DefaultMaxStringSize is the longest string a Reader accepts in an
	// entry but for messages and bodies: format.MaxLineOverhead, the room
	// a recording line has besides its message, which a session line's
	// headers and URLs fit in.
	DefaultMaxStringSize = format.MaxLineOverhead
)

// budget is an io.Reader in front of a HAR file's json.Decoder. It follows
// the JSON structure of what passes through it, byte by byte, as far as
// it needs to know where it is: which entry, which field. It does not
// check the JSON (the decoder does, and stops at the first error); on JSON
// that is not valid it still holds every value to the entry's cap.
//
// A budget's error is sticky: the decoder may drop an error of a read
// while it decodes a value it had whole, and reads again. The zero value
// is not usable; see newBudget. It is not safe for concurrent use.
type budget struct {
	r         io.Reader
	maxUnit   int64 // an entry, or another value skipped whole
	maxString int64
	entryName string // names the entry in errors; empty: entries[index]
	err       error

	off    int64   // of the next byte
	stack  []frame // the open objects and arrays
	unit   int     // len(stack) where the value being counted began; -1: none
	uStart int64
	uName  string

	inStr, esc, isKey, payload bool
	inTok                      bool // in a number or literal
	tokStart                   int64
	key                        []byte // the key being read, its first maxKeep bytes
}

// frame is an open object or array, and where in it the budget is.
type frame struct {
	obj     bool
	wantKey bool   // object: the next string is a key
	key     string // object: the current member's key
	index   int    // array: the current element's index
}

// maxKeep is how much of a key a budget keeps, to name it; maxNesting is
// how deep objects and arrays may nest, encoding/json's own limit, which
// the budget keeps too because it looks at bytes before the decoder does.
const (
	maxKeep    = 64
	maxNesting = 10000
)

// newBudget returns a budget of r with the default caps, for a file.
func newBudget(r io.Reader) *budget {
	return &budget{r: r, maxUnit: DefaultMaxEntrySize, maxString: DefaultMaxStringSize, unit: -1}
}

// newEntryBudget returns a budget of r, which starts at the comma or the
// spaces before an entry of "log.entries", named name in errors.
func newEntryBudget(r io.Reader, name string) *budget {
	b := newBudget(r)
	b.entryName = name
	b.stack = []frame{{obj: true, key: "log"}, {obj: true, key: "entries"}, {}}
	return b
}

// Read passes on the bytes of the input up to the first one past a cap,
// and then the error that says which.
func (b *budget) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	// Pull no more than could be within the caps: the decoder reads into
	// the free room of its buffer, which doubles.
	if room := b.room(); room < int64(len(p)) {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	p = p[:n]
	// The inside of a value string, the bulk of a HAR file, is passed
	// over up to the next quote or backslash, found with IndexByte; where
	// they are is kept while they are ahead, so that every byte is looked
	// at once.
	quote, backslash := -1, -1
	for i := 0; i < n; {
		if b.inStr && !b.esc && !b.isKey {
			if quote < i {
				quote = indexFrom(p, i, '"')
			}
			if backslash < i {
				backslash = indexFrom(p, i, '\\')
			}
			if k := min(quote, backslash) - i; k > 0 && b.runFits(k) {
				i += k
				b.off += int64(k)
				continue
			}
		}
		if b.err = b.step(p[i]); b.err != nil {
			return i, b.err
		}
		i++
		b.off++
	}
	return n, err
}

// indexFrom returns the index of the first c in p at or after i, or
// len(p).
func indexFrom(p []byte, i int, c byte) int {
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return len(p)
}

// runFits reports whether k more bytes of the value string being read are
// within its caps; if not, step finds the byte past them.
func (b *budget) runFits(k int) bool {
	last := b.off + int64(k) - 1 // the offset of the run's last byte
	return !(b.unit >= 0 && last-b.uStart >= b.maxUnit || !b.payload && last-b.tokStart > b.maxString)
}

// room returns how many bytes may come before the value or string being
// read is past its cap (one more than that, so that one past it is seen).
func (b *budget) room() int64 {
	room := int64(math.MaxInt64)
	if b.unit >= 0 {
		room = b.uStart + b.maxUnit - b.off + 1
	}
	if b.inStr && !b.payload || b.inTok {
		room = min(room, b.tokStart+b.maxString-b.off+2)
	}
	return max(room, 1)
}

// step follows one byte, at b.off.
func (b *budget) step(c byte) error {
	if b.unit >= 0 && b.off-b.uStart >= b.maxUnit {
		return fmt.Errorf("%s: %s longer than %s, the longest a HAR entry may be", b.uName, b.unitWhat(), size(b.maxUnit))
	}
	if b.inStr {
		return b.stepString(c)
	}
	if b.inTok {
		switch c {
		case ' ', '\t', '\r', '\n', ',', ':', '}', ']', '"', '{', '[':
			b.inTok = false
			b.endValue()
		default:
			if b.off-b.tokStart >= b.maxString {
				return b.tooLong("a number")
			}
			return nil
		}
	}
	switch c {
	case ' ', '\t', '\r', '\n', ':':
	case '"':
		b.inStr, b.esc, b.payload = true, false, false
		b.tokStart = b.off
		if top := b.top(); top != nil && top.obj && top.wantKey {
			b.isKey, b.key = true, b.key[:0]
		} else {
			b.isKey = false
			b.beginValue()
			b.payload = b.isPayload()
		}
	case '{', '[':
		if len(b.stack) >= maxNesting {
			return fmt.Errorf("%s: objects and arrays nested more than %d deep", b.where(b.off), maxNesting)
		}
		b.beginValue()
		b.stack = append(b.stack, frame{obj: c == '{', wantKey: c == '{'})
	case '}', ']':
		if len(b.stack) > 0 {
			b.stack = b.stack[:len(b.stack)-1]
		}
		b.endValue()
	case ',':
		if top := b.top(); top != nil {
			top.wantKey = top.obj
			if !top.obj {
				top.index++
			}
		}
	default:
		b.inTok, b.tokStart = true, b.off
		b.beginValue()
	}
	return nil
}

// stepString follows a byte of a string.
func (b *budget) stepString(c byte) error {
	switch {
	case b.esc:
		b.esc = false
	case c == '\\':
		b.esc = true
	case c == '"':
		b.inStr = false
		if b.isKey {
			top := b.top()
			top.key, top.wantKey = string(b.key), false
			return nil
		}
		b.endValue()
		return nil
	}
	if b.isKey && len(b.key) < maxKeep {
		b.key = append(b.key, c)
	}
	if !b.payload && b.off-b.tokStart > b.maxString {
		if b.isKey {
			return b.tooLong("a key")
		}
		return b.tooLong("a string")
	}
	return nil
}

func (b *budget) top() *frame {
	if len(b.stack) == 0 {
		return nil
	}
	return &b.stack[len(b.stack)-1]
}

// beginValue starts counting a value that the Reader holds whole: an
// entry, or a member of the file's object or of "log" that it skips.
func (b *budget) beginValue() {
	if b.unit >= 0 {
		return
	}
	switch {
	case len(b.stack) == 1 && b.stack[0].key != "log":
		b.uName = name(b.stack[0].key)
	case len(b.stack) == 2 && b.stack[0].key == "log" && b.stack[1].key != "entries":
		b.uName = "log." + name(b.stack[1].key)
	case len(b.stack) == 3 && b.stack[0].key == "log" && b.stack[1].key == "entries" && !b.stack[2].obj:
		b.uName = b.entryName
		if b.uName == "" {
			b.uName = fmt.Sprintf("entries[%d] (at byte %d)", b.stack[2].index, b.off)
		}
	default:
		return
	}
	b.unit, b.uStart = len(b.stack), b.off
}

// endValue ends the value counted if the one that ended was it.
func (b *budget) endValue() {
	if len(b.stack) == b.unit {
		b.unit = -1
	}
}

// unitWhat names what the value counted is.
func (b *budget) unitWhat() string {
	if b.unit == 3 {
		return "an entry"
	}
	return "a value"
}

// isPayload reports whether the string value beginning is a message's data
// or a body's text, which may be as long as the entry.
func (b *budget) isPayload() bool {
	if b.unit != 3 || len(b.stack) != 6 {
		return false
	}
	in, field, leaf := b.stack[3].key, b.stack[4], b.stack[5].key
	switch in {
	case "_webSocketMessages", "_eventSourceMessages":
		return !field.obj && leaf == "data"
	case "request":
		return field.key == "postData" && leaf == "text"
	case "response":
		return field.key == "content" && leaf == "text"
	}
	return false
}

// tooLong words the error for a string, key or number past maxString.
func (b *budget) tooLong(what string) error {
	where := b.where(b.tokStart)
	if path := b.path(); path != "" {
		where += ": " + path
	}
	return fmt.Errorf("%s: %s longer than %s: only a message or a body may be", where, what, size(b.maxString))
}

// where names the value counted, or else the byte at off.
func (b *budget) where(off int64) string {
	if b.unit < 0 {
		return fmt.Sprintf("byte %d", off)
	}
	return b.uName
}

// path names the field being read within the value counted, as
// "request.headers[0].value".
func (b *budget) path() string {
	if b.unit < 0 || b.unit > len(b.stack) {
		return ""
	}
	var s strings.Builder
	for i, f := range b.stack[b.unit:] {
		switch {
		case !f.obj:
			fmt.Fprintf(&s, "[%d]", f.index)
		case f.wantKey && i == len(b.stack)-b.unit-1:
			// a key of this object is what is long
		default:
			if s.Len() > 0 {
				s.WriteByte('.')
			}
			s.WriteString(name(f.key))
		}
	}
	return s.String()
}

// name is a key as an error shows it: plain, or quoted if it is not a
// plain word (an error is one line of printable ASCII).
func name(key string) string {
	for _, c := range []byte(key) {
		if !(c == '_' || c == '-' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return strconv.QuoteToASCII(key)
		}
	}
	return key
}

// size words a cap: in MiB, or in bytes below one.
func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return mib(n)
}
