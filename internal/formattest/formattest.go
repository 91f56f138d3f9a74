// Package formattest helps the tests of packages that turn other formats
// into recordings (format/har, internal/importer): it reads a recording
// whole, writes events and reads them back, and compares events as the
// format carries them. Package format's own tests cannot import it (it
// imports format) and keep their own helpers.
package formattest

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// ReadFile reads the recording at path whole. Any error fails tb.
func ReadFile(tb testing.TB, path string) []*format.Event {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	evs, err := read(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return evs
}

// RoundTrip writes evs as NDJSON and reads them back, returning what it read
// and the reader's error, if any. An event the format cannot write fails tb.
func RoundTrip(tb testing.TB, evs []*format.Event) ([]*format.Event, error) {
	tb.Helper()
	var b []byte
	for _, e := range evs {
		b = append(b, Line(tb, e)...)
	}
	return read(bytes.NewReader(b))
}

// Line returns e as the line, newline included, that format.Writer writes
// for it. Two events are the same as the format carries them (a nil payload
// and an empty one, an instant in any location) when their lines are.
func Line(tb testing.TB, e *format.Event) string {
	tb.Helper()
	b, err := format.AppendLine(nil, e)
	if err != nil {
		tb.Fatalf("write %+v: %v", e, err)
	}
	return string(b)
}

// read returns every event of r, and the error that stopped it unless that
// is io.EOF.
func read(r io.Reader) (evs []*format.Event, err error) {
	fr := format.NewReader(r, nil)
	defer fr.Close()
	for {
		e, err := fr.Next()
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return evs, err
		}
		evs = append(evs, e)
	}
}
