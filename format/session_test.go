package format

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// Lines of sessions a and b, interleaved, for the SessionReader tests.
const (
	openA  = `{"type":"session","v":1,"session":"a","time":"2026-11-25T10:00:00Z","url":"/a"}`
	openB  = `{"type":"session","v":1,"session":"b","time":"2026-11-25T10:00:01Z","url":"/b"}`
	msgA   = `{"type":"message","session":"a","time":"2026-11-25T10:00:02Z","dir":"receive","text":"a1"}`
	msgB   = `{"type":"message","session":"b","time":"2026-11-25T10:00:03Z","dir":"send","text":"b1"}`
	closeA = `{"type":"close","session":"a","time":"2026-11-25T10:00:04Z","by":"server","code":1000,"clean":true}`
	msgB2  = `{"type":"message","session":"b","time":"2026-11-25T10:00:05Z","dir":"receive","text":"b2"}`
	closeB = `{"type":"close","session":"b","time":"2026-11-25T10:00:06Z","by":"client","code":1001,"clean":true}`
	// torn is a last line cut short by a killed writer.
	torn = `{"type":"message","session":"b","ti`
	// bad is a malformed line: were it read, it would be an error.
	bad = `{"type":"message","session":"a","time":"not a time"}`
)

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// sliceEvents is a Stream that is not a *Reader (as a HAR file's events are
// not), so that SessionReader's Next-only path is tested too.
type sliceEvents struct {
	evs []*Event
	err error // after evs; nil for io.EOF
}

func (s *sliceEvents) Next() (*Event, error) {
	if len(s.evs) == 0 {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	e := s.evs[0]
	s.evs = s.evs[1:]
	return e, nil
}

// readSession reads session id from input through a SessionReader over a
// Reader, or over a plain Stream of the Reader's events, and returns the
// texts of its messages (with "open" and "close" for those lines) and the
// error that ended it, nil for io.EOF.
func readSession(t *testing.T, input, id string, plain bool) ([]string, error) {
	t.Helper()
	r := NewReader(strings.NewReader(input), &ReaderOptions{Name: "rec.ndjson"})
	defer r.Close()
	var src Stream = r
	if plain {
		evs, err := readAll(t, r)
		src = &sliceEvents{evs: evs, err: err}
	}
	sr := NewSessionReader(src, id)
	var got []string
	for {
		e, err := sr.Next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		if e.Session != id {
			t.Fatalf("got a line of session %q reading session %q", e.Session, id)
		}
		switch e.Type {
		case TypeSession:
			got = append(got, "open")
		case TypeClose:
			got = append(got, "close")
		default:
			got = append(got, string(e.Data))
		}
	}
}

func TestSessionReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		id      string
		want    []string
		wantErr string // a part of the error's text; "" for none
		torn    bool   // the error satisfies errors.Is(err, ErrTruncated)
	}{
		{name: "interleaved sessions, the first", input: lines(openA, openB, msgA, msgB, closeA, msgB2, closeB), id: "a",
			want: []string{"open", "a1", "close"}},
		{name: "interleaved sessions, the second", input: lines(openA, openB, msgA, msgB, closeA, msgB2, closeB), id: "b",
			want: []string{"open", "b1", "b2", "close"}},
		{name: "session absent", input: lines(openA, openB, msgA, msgB, closeA, msgB2, closeB), id: "c"},
		{name: "empty input", input: "", id: "a"},
		// A malformed line after the close is never read.
		{name: "stops after its close", input: lines(openA, msgA, closeA, bad, openB), id: "a",
			want: []string{"open", "a1", "close"}},
		{name: "torn tail after its close", input: lines(openA, openB, msgA, closeA, msgB) + torn, id: "a",
			want: []string{"open", "a1", "close"}},
		{name: "torn tail before its close", input: lines(openA, openB, msgA, msgB, closeA) + torn, id: "b",
			want: []string{"open", "b1"}, wantErr: "rec.ndjson:6:", torn: true},
		{name: "no close line", input: lines(openA, openB, msgA, msgB, closeB), id: "a",
			want: []string{"open", "a1"}},
		{name: "malformed line of another session", input: lines(openB, msgB, bad, closeB), id: "b",
			want: []string{"open", "b1"}, wantErr: "rec.ndjson:3:"},
	}
	for _, tt := range tests {
		for _, plain := range []bool{false, true} {
			name := tt.name + "/reader"
			if plain {
				name = tt.name + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				got, err := readSession(t, tt.input, tt.id, plain)
				if strings.Join(got, " ") != strings.Join(tt.want, " ") {
					t.Errorf("got %q, want %q", got, tt.want)
				}
				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("got error %v, want none", err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("got error %v, want one with %q", err, tt.wantErr)
				case errors.Is(err, ErrTruncated) != tt.torn:
					t.Errorf("got error %v: errors.Is(err, ErrTruncated) = %v, want %v", err, !tt.torn, tt.torn)
				}
			})
		}
	}
}

// TestSessionReaderStopsReading checks that a SessionReader reads no line
// after its session's close: the Reader under it is still at that line.
func TestSessionReaderStopsReading(t *testing.T) {
	t.Parallel()
	r := NewReader(strings.NewReader(lines(openA, openB, msgA, closeA, msgB, msgB2, closeB)), nil)
	defer r.Close()
	sr := NewSessionReader(r, "a")
	for {
		if _, err := sr.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.Line(), 4; got != want {
		t.Errorf("the Reader read %d lines, want %d (up to session a's close)", got, want)
	}
	if _, err := sr.Next(); err != io.EOF {
		t.Errorf("Next after the close: got %v, want io.EOF", err)
	}
}

// TestSessionReaderLinePos checks that LinePos gives where each line of the
// session starts: a Reader started there reads that line first.
func TestSessionReaderLinePos(t *testing.T) {
	t.Parallel()
	input := lines(openA, openB, msgA, msgB, closeA, msgB2, closeB)
	r := NewReader(strings.NewReader(input), nil)
	defer r.Close()
	sr := NewSessionReader(r, "b")
	var e Event
	for {
		err := sr.Decode(&e)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pos := sr.LinePos()
		again := NewReader(strings.NewReader(input), &ReaderOptions{Start: pos})
		got, err := again.Next()
		again.Close()
		if err != nil {
			t.Fatalf("a Reader started at %+v: %v", pos, err)
		}
		if got.Session != "b" || got.Type != e.Type || string(got.Data) != string(e.Data) {
			t.Errorf("at %+v: got %s %s %q, want %s b %q", pos, got.Type, got.Session, got.Data, e.Type, e.Data)
		}
	}
}
