package format

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// A lineBuf joins what it was given, in order, whatever the sizes of the
// pieces, and is reused from line to line.
func TestLineBufJoins(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewPCG(1, 2))
	var b lineBuf
	for round := range 200 {
		b.reset()
		var want []byte
		for range rng.IntN(40) {
			p := make([]byte, rng.IntN(3*minLineBlock))
			for i := range p {
				p[i] = byte(rng.Uint32())
			}
			b.add(p)
			want = append(want, p...)
		}
		tail := []byte(fmt.Sprint(round))
		if b.len() != len(want) {
			t.Fatalf("round %d: len %d, want %d", round, b.len(), len(want))
		}
		if got := b.join(tail); !bytes.Equal(got, append(want, tail...)) {
			t.Fatalf("round %d: joined %d bytes, not the %d given", round, len(got), len(want)+len(tail))
		}
	}
}

// longLine is a reader of one message line of n bytes (and its newline),
// made as it is read, so that a test's input costs no memory; pulled counts
// the bytes read from it.
type longLine struct {
	head   string
	n      int
	pulled int
}

func newLongLine(n int) *longLine {
	return &longLine{head: `{"type":"message","session":"s","time":"2026-11-25T10:00:00Z","dir":"receive","text":"`, n: n}
}

func (l *longLine) Read(p []byte) (int, error) {
	if l.pulled == l.n+1 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && l.pulled < l.n+1 {
		switch {
		case l.pulled < len(l.head):
			p[k] = l.head[l.pulled]
		case l.pulled == l.n-2:
			p[k] = '"'
		case l.pulled == l.n-1:
			p[k] = '}'
		case l.pulled == l.n:
			p[k] = '\n'
		default:
			p[k] = 'a'
		}
		k++
		l.pulled++
	}
	return k, nil
}

// allocated returns how many bytes fn allocated. Tests that call it do
// not run in parallel, so that the count is fn's.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A line longer than MaxLineSize is refused having read and held about
// the limit, once: not the rest of the line, and not the trail of copies
// that growing one slice leaves (issue 26: a 200 MB line in a 6.8 KB .zst
// cost 735 MB). A long line within the limit costs about twice its size.
// Not parallel: it counts the bytes allocated.
func TestLongLineMemory(t *testing.T) {
	const limit = 8 << 20
	t.Run("refused", func(t *testing.T) {
		src := newLongLine(8 * limit)
		var err error
		n := allocated(func() {
			r := NewReader(src, &ReaderOptions{Name: "big.ndjson", MaxLineSize: limit})
			_, err = r.Next()
		})
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != 1 || !strings.Contains(err.Error(), "line longer than") {
			t.Fatalf("got %v, want big.ndjson:1: line longer than %d bytes", err, limit)
		}
		if n > 3*limit/2 {
			t.Errorf("refusing a line of %d bytes at a limit of %d allocated %d bytes, want at most %d", src.n, limit, n, 3*limit/2)
		}
		if src.pulled > limit+1<<20 {
			t.Errorf("read %d bytes of the line, want about the limit (%d)", src.pulled, limit)
		}
	})
	t.Run("accepted", func(t *testing.T) {
		src := newLongLine(limit - 100)
		var e *Event
		var err error
		n := allocated(func() {
			r := NewReader(src, &ReaderOptions{MaxLineSize: limit})
			e, err = r.Next()
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := src.n - len(src.head) - 2; len(e.Data) != want {
			t.Fatalf("read a message of %d bytes, want %d", len(e.Data), want)
		}
		// The line, held and joined, and the message decoded from it.
		if max := 3*limit + limit/2; n > uint64(max) {
			t.Errorf("reading a line of %d bytes allocated %d bytes, want at most %d", src.n, n, max)
		}
	})
}
