package format

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated test vectors in testdata/format")

const vectors = "../testdata/format"

// readAll reads every event of r until an error, which it returns unless it
// is io.EOF.
func readAll(tb testing.TB, r *Reader) ([]*Event, error) {
	tb.Helper()
	var evs []*Event
	for {
		e, err := r.Next()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, e)
	}
}

func readFile(tb testing.TB, name string, opts *ReaderOptions) ([]*Event, *Reader, error) {
	tb.Helper()
	f, err := os.Open(filepath.Join(vectors, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if opts == nil {
		opts = &ReaderOptions{}
	}
	opts.Name = name
	r := NewReader(f, opts)
	defer r.Close()
	evs, err := readAll(tb, r)
	return evs, r, err
}

// TestGenerateVectors writes the compressed vectors from valid.ndjson when
// run with -update; otherwise it checks they are still what it would write.
func TestGenerateVectors(t *testing.T) {
	evs, _, err := readFile(t, "valid.ndjson", nil)
	if err != nil {
		t.Fatal(err)
	}
	gen := map[string]func() []byte{
		"valid.ndjson.gz":  func() []byte { return encode(t, evs, Gzip, true) },
		"valid.ndjson.zst": func() []byte { return encode(t, evs, Zstd, true) },
		// A writer killed after a Flush: the stream stops at a block
		// boundary with no end of frame.
		"truncated.ndjson.zst": func() []byte { return encode(t, evs, Zstd, false) },
		"truncated.ndjson.gz":  func() []byte { return encode(t, evs, Gzip, false) },
		// Killed while a block was being written.
		"torn-block.ndjson.zst": func() []byte { b := encode(t, evs, Zstd, false); return b[:len(b)-5] },
		// Written in frames of two lines (FrameEncoder), as a recorder
		// writes session files; the last one cut in its middle.
		"framed.ndjson.zst":     func() []byte { return encodeFrames(t, evs, Zstd, 2) },
		"framed.ndjson.gz":      func() []byte { return encodeFrames(t, evs, Gzip, 2) },
		"framed-cut.ndjson.zst": func() []byte { b := encodeFrames(t, evs, Zstd, 2); return b[:len(b)-7] },
	}
	for name, f := range gen {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(vectors, name)
			want := f()
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./format -run TestGenerateVectors -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what the writer produces now (run with -update if that is intended)", name)
			}
		})
	}
}

// encode writes evs with a Flush after each; closed ends the stream.
func encode(tb testing.TB, evs []*Event, c Compression, closed bool) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, &WriterOptions{Compression: c})
	for _, e := range evs {
		if err := w.Write(e); err != nil {
			tb.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
	}
	if closed {
		if err := w.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestVectors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		file       string
		wantEvents int
		wantErr    error // nil: clean end; matched with errors.Is
		wantLine   int   // line of the error, 0 to skip the check
		wantInErr  string
	}{
		{file: "valid.ndjson", wantEvents: 4},
		{file: "valid.ndjson.gz", wantEvents: 4},
		{file: "valid.ndjson.zst", wantEvents: 4},
		{file: "crlf.ndjson", wantEvents: 4},
		{file: "unknown-fields.ndjson", wantEvents: 3},
		{file: "unknown-type.ndjson", wantEvents: 3},
		{file: "non-utf8-text.ndjson", wantEvents: 2},
		{file: "torn-tail.ndjson", wantEvents: 3, wantErr: ErrTruncated, wantLine: 4},
		{file: "truncated.ndjson.zst", wantEvents: 4, wantErr: ErrTruncated},
		{file: "truncated.ndjson.gz", wantEvents: 4, wantErr: ErrTruncated},
		{file: "torn-block.ndjson.zst", wantEvents: 3, wantErr: ErrTruncated},
		{file: "framed.ndjson.zst", wantEvents: 4},
		{file: "framed.ndjson.gz", wantEvents: 4},
		{file: "framed-cut.ndjson.zst", wantEvents: 2, wantErr: ErrTruncated},
		{file: "bad-json-line3.ndjson", wantEvents: 2, wantLine: 3, wantInErr: "invalid JSON"},
		{file: "unknown-version.ndjson", wantEvents: 0, wantErr: ErrUnsupportedVersion, wantLine: 1},
		{file: "invalid-base64.ndjson", wantEvents: 2, wantLine: 3, wantInErr: "invalid base64"},
		{file: "missing-field.ndjson", wantEvents: 1, wantLine: 2, wantInErr: `missing field "time"`},
		{file: "garbage.bin", wantEvents: 0, wantErr: ErrNotRecording, wantLine: 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, _, err := readFile(t, tt.file, nil)
			if got := len(evs); got != tt.wantEvents {
				t.Errorf("got %d events, want %d (err %v)", got, tt.wantEvents, err)
			}
			wantFail := tt.wantErr != nil || tt.wantInErr != ""
			if !wantFail {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name the file", err)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantInErr)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if tt.wantLine != 0 && se.Line != tt.wantLine {
				t.Errorf("error at line %d, want %d", se.Line, tt.wantLine)
			}
		})
	}
}

func TestVectorContents(t *testing.T) {
	t.Parallel()

	evs, _, err := readFile(t, "valid.ndjson", nil)
	if err != nil {
		t.Fatal(err)
	}
	s, m1, m2, c := evs[0], evs[1], evs[2], evs[3]
	if s.Type != TypeSession || s.Version != 1 || s.Session != "s1" || s.URL != "/ws" {
		t.Errorf("session line: got %+v", s)
	}
	if m1.Dir != Receive || m1.Opcode != Text || string(m1.Data) != "hello" {
		t.Errorf("text message: got %+v", m1)
	}
	if got, want := m1.Offset(s.Time).String(), "100ms"; got != want {
		t.Errorf("offset: got %s, want %s", got, want)
	}
	if m2.Dir != Send || m2.Opcode != Binary || !bytes.Equal(m2.Data, []byte{0, 1, 2, 0xff}) {
		t.Errorf("binary message: got %+v", m2)
	}
	if c.By != ByServer || c.Code != 1000 || c.Reason != "bye" || !c.Clean {
		t.Errorf("close line: got %+v", c)
	}

	evs, _, err = readFile(t, "non-utf8-text.ndjson", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[1]; got.Opcode != Text || !bytes.Equal(got.Data, []byte{0xff}) {
		t.Errorf("non-UTF-8 text: got opcode %v data %x, want text ff", got.Opcode, got.Data)
	}

	_, r, err := readFile(t, "unknown-type.ndjson", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Unknown()["annotation"]; got != 2 {
		t.Errorf("unknown annotation lines: got %d, want 2", got)
	}
}

func TestSkipMalformed(t *testing.T) {
	t.Parallel()

	evs, r, err := readFile(t, "bad-json-line3.ndjson", &ReaderOptions{SkipMalformed: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || r.Malformed() != 1 {
		t.Errorf("got %d events and %d skipped, want 3 and 1", len(evs), r.Malformed())
	}
	// A newer format version is never skipped silently.
	_, _, err = readFile(t, "unknown-version.ndjson", &ReaderOptions{SkipMalformed: true})
	if !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("got %v, want ErrUnsupportedVersion", err)
	}
}

// A time that would not write back (the zero Time, or a year past 9999 once
// the offset is applied) is an error on its line, not an event. Found by
// FuzzReader.
func TestTimeOutOfRange(t *testing.T) {
	t.Parallel()

	for _, ts := range []string{"0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"} {
		t.Run(ts, func(t *testing.T) {
			in := `{"type":"session","v":1,"session":"s","time":"2026-01-01T00:00:00Z"}` + "\n" +
				`{"type":"close","session":"s","time":"` + ts + `","code":1000}` + "\n"
			_, err := readAll(t, NewReader(strings.NewReader(in), nil))
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != 2 || !strings.Contains(err.Error(), "outside years") {
				t.Errorf("time %s: got %v, want an out-of-range error on line 2", ts, err)
			}
		})
	}
}

func TestLongLine(t *testing.T) {
	t.Parallel()

	big := strings.Repeat("x", 3<<20)
	line := `{"type":"message","session":"s","time":"2026-01-01T00:00:00Z","dir":"receive","text":"` + big + "\"}\n"
	r := NewReader(strings.NewReader(line+line), nil)
	evs, err := readAll(t, r)
	if err != nil || len(evs) != 2 || len(evs[1].Data) != len(big) {
		t.Fatalf("got %d events, err %v", len(evs), err)
	}
	r = NewReader(strings.NewReader(line), &ReaderOptions{Name: "big.ndjson", MaxLineSize: 1 << 20})
	_, err = readAll(t, r)
	if err == nil || !strings.Contains(err.Error(), "big.ndjson:1: line longer than") {
		t.Errorf("got %v, want a line-too-long error at big.ndjson:1", err)
	}
}

func TestDemoRecording(t *testing.T) {
	t.Parallel()

	for _, name := range []string{"demo.ndjson", "demo.ndjson.zst"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("../testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r := NewReader(f, &ReaderOptions{Name: name})
			evs, err := readAll(t, r)
			r.Close()
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var bin, send, recv int
			for _, e := range evs {
				if e.Type != TypeMessage {
					continue
				}
				if e.Opcode == Binary {
					bin++
				}
				if e.Dir == Send {
					send++
				} else {
					recv++
				}
			}
			last := evs[len(evs)-1]
			if bin == 0 || send == 0 || recv < 50 || last.Type != TypeClose || !last.Clean {
				t.Errorf("%s: %d binary, %d sent, %d received, last %s: not the demo described in the README", name, bin, send, recv, last.Type)
			}
		})
	}
}

// A Reader started at a Position another returned reads the same lines, with
// the same line numbers, whatever the compression.
func TestStartPosition(t *testing.T) {
	t.Parallel()

	for _, name := range []string{"demo.ndjson", "demo.ndjson.zst"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r := NewReader(bytes.NewReader(data), nil)
			defer r.Close()
			var pos Position
			var want *Event
			for range 50 {
				pos = r.Pos()
				if want, err = r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			r2 := NewReader(bytes.NewReader(data), &ReaderOptions{Start: pos})
			defer r2.Close()
			got, err := r2.Next()
			if err != nil {
				t.Fatal(err)
			}
			if !eventsEqual(got, want) || r2.Line() != 50 {
				t.Errorf("started at %+v: got line %d %+v, want line 50 %+v", pos, r2.Line(), got, want)
			}
		})
	}
}

// Next after Close says so, with the sentinel a Writer uses too.
func TestReaderAfterClose(t *testing.T) {
	t.Parallel()

	r := NewReader(bytes.NewReader(encode(t, sample(), Zstd, true)), nil)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.Next(); !errors.Is(err, ErrClosed) || strings.Contains(err.Error(), "writer") {
		t.Errorf("Next after Close: got %v, want ErrClosed", err)
	}
}

// A fault line must name its fault.
func TestFaultLineNeedsFault(t *testing.T) {
	line := `{"type":"fault","session":"s","time":"2026-11-25T10:00:00Z","action":"drop"}` + "\n"
	r := NewReader(strings.NewReader(line), nil)
	defer r.Close()
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), `fault line without field "fault"`) {
		t.Fatalf("got %v, want an error naming the missing field", err)
	}
}
