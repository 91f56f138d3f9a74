package format

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

// encodeFrames writes evs in frames of perFrame lines each.
func encodeFrames(tb testing.TB, evs []*Event, c Compression, perFrame int) []byte {
	tb.Helper()
	out, _ := framesOf(tb, evs, c, perFrame)
	return out
}

// framesOf writes evs in frames of perFrame lines and returns the file and
// where each frame ends.
func framesOf(tb testing.TB, evs []*Event, c Compression, perFrame int) ([]byte, []int) {
	tb.Helper()
	enc, err := NewFrameEncoder(c)
	if err != nil {
		tb.Fatal(err)
	}
	var out, lines []byte
	var ends []int
	for i, e := range evs {
		if lines, err = AppendLine(lines, e); err != nil {
			tb.Fatal(err)
		}
		if (i+1)%perFrame == 0 || i == len(evs)-1 {
			out = enc.AppendFrame(out, lines)
			ends = append(ends, len(out))
			lines = lines[:0]
		}
	}
	return out, ends
}

// manyEvents is a session of n JSON messages.
func manyEvents(n int) []*Event {
	evs := []*Event{{Type: TypeSession, Version: 1, Session: "f", Time: t0, URL: "/"}}
	for i := range n {
		evs = append(evs, &Event{Type: TypeMessage, Session: "f", Time: t0.Add(time.Duration(i) * time.Millisecond),
			Dir: Receive, Opcode: Text, Data: fmt.Appendf(nil, `{"seq":%d,"price":%d.%02d,"sym":"ABC"}`, i, 100+i%7, i%100)})
	}
	return evs
}

// Frames concatenate into a file every reader reads whole; a file cut at
// any byte reads back at least every line of the frames before the cut,
// each as written, then reports the cut (ErrTruncated) unless the cut falls
// between frames; CompleteFrames finds the last whole frame.
func TestFramesCutAtEveryByte(t *testing.T) {
	t.Parallel()

	evs := manyEvents(40)
	for _, c := range []Compression{Zstd, Gzip, None} {
		perFrame := 5
		if c == None {
			perFrame = 1 // plain: whole lines are whole frames
		}
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			file, ends := framesOf(t, evs, c, perFrame)
			for cut := 0; cut <= len(file); cut++ {
				checkCut(t, c, file[:cut], ends, evs, perFrame)
			}
		})
	}
}

func checkCut(t *testing.T, c Compression, data []byte, ends []int, evs []*Event, perFrame int) {
	t.Helper()
	whole := 0 // frames wholly before the cut
	for whole < len(ends) && ends[whole] <= len(data) {
		whole++
	}
	wantEnd := 0
	if whole > 0 {
		wantEnd = ends[whole-1]
	}
	if n, err := CompleteFrames(bytes.NewReader(data), c); err != nil || n != int64(wantEnd) {
		t.Fatalf("cut at %d: CompleteFrames = %d, %v; want %d", len(data), n, err, wantEnd)
	}
	r := NewReader(bytes.NewReader(data), nil)
	defer r.Close()
	var got int
	var err error
	for ; ; got++ {
		var e Event
		if err = r.Decode(&e); err != nil {
			break
		}
		if got >= len(evs) || !eventsEqual(&e, evs[got]) {
			t.Fatalf("cut at %d: event %d is not as written: %+v", len(data), got, e)
		}
	}
	wantLines := min(whole*perFrame, len(evs))
	if got < wantLines {
		t.Fatalf("cut at %d: read %d events, want at least %d (%v)", len(data), got, wantLines, err)
	}
	atBoundary := len(data) == wantEnd
	switch {
	case atBoundary && err != io.EOF:
		t.Fatalf("cut at %d, between frames: %v, want a clean end", len(data), err)
	case !atBoundary && whole > 0 && c != None && !errors.Is(err, ErrTruncated):
		// (A plain line cut just before its newline still parses.)
		t.Fatalf("cut at %d, in a frame: %v, want ErrTruncated", len(data), err)
	}
}

// Frames of lines larger than the window still read back, and a reader
// holds no more than the window for them.
func TestFramesLargeLines(t *testing.T) {
	t.Parallel()

	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320 KB, past the 64 KiB window
	evs := []*Event{{Type: TypeSession, Version: 1, Session: "b", Time: t0, URL: "/"},
		{Type: TypeMessage, Session: "b", Time: t0, Dir: Send, Opcode: Text, Data: big},
		{Type: TypeMessage, Session: "b", Time: t0, Dir: Send, Opcode: Text, Data: []byte("small")}}
	for _, c := range []Compression{Zstd, Gzip} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			file := encodeFrames(t, evs, c, 1)
			r := NewReader(bytes.NewReader(file), nil)
			got, err := readAll(t, r)
			r.Close()
			if err != nil || len(got) != len(evs) || !eventsEqual(got[1], evs[1]) {
				t.Fatalf("%v: read %d events, %v", c, len(got), err)
			}
		})
	}
}

// BenchmarkAppendFrame compresses 64 KiB blocks of JSON message lines into
// frames, as a recorder's directory sink does.
func BenchmarkAppendFrame(b *testing.B) {
	var lines []byte
	for _, e := range manyEvents(2000) {
		lines, _ = AppendLine(lines, e)
		if len(lines) > 64<<10 {
			break
		}
	}
	for _, c := range []Compression{Zstd, Gzip} {
		b.Run(c.String(), func(b *testing.B) {
			enc, err := NewFrameEncoder(c)
			if err != nil {
				b.Fatal(err)
			}
			var out []byte
			b.SetBytes(int64(len(lines)))
			for b.Loop() {
				out = enc.AppendFrame(out[:0], lines)
			}
			b.ReportMetric(float64(len(out))/float64(len(lines)), "ratio")
		})
	}
}
