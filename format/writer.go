package format

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is the compression of a recording file.
type Compression int

const (
	None Compression = iota // plain NDJSON
	Gzip                    // gzip (RFC 1952)
	Zstd                    // Zstandard (RFC 8878)
)

// String returns "none", "gzip" or "zstd".
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// Ext returns the file name extension for c: ".ndjson", ".ndjson.gz" or
// ".ndjson.zst".
func (c Compression) Ext() string {
	switch c {
	case Gzip:
		return ".ndjson.gz"
	case Zstd:
		return ".ndjson.zst"
	}
	return ".ndjson"
}

// ParseCompression parses "none", "gzip" or "zstd" (also "", "plain", "gz",
// "zst").
func ParseCompression(s string) (Compression, error) {
	switch s {
	case "", "none", "plain":
		return None, nil
	case "gzip", "gz":
		return Gzip, nil
	case "zstd", "zst":
		return Zstd, nil
	}
	return None, fmt.Errorf("unknown compression %q (want none, gzip or zstd)", s)
}

// CompressionForName guesses the compression from a file name's extension:
// .gz is Gzip, .zst or .zstd is Zstd, anything else None.
func CompressionForName(name string) Compression {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return Gzip
	case strings.HasSuffix(name, ".zst"), strings.HasSuffix(name, ".zstd"):
		return Zstd
	}
	return None
}

// zstdWindow is the zstd window the Writer uses. A decoder holds the window
// plus two blocks of up to the window's size, and a replay server streaming
// one file to a thousand clients holds a thousand decoders: 64 KiB keeps
// each under 250 KiB (256 KiB cost 650 KiB), and JSON recordings compress
// as well as with larger windows (11.7x on the benchmark's recording).
const zstdWindow = 64 << 10

// WriterOptions configures a Writer. A nil *WriterOptions, like the zero
// value, writes plain NDJSON.
type WriterOptions struct {
	// Compression of the output. Zero is None.
	Compression Compression
	// BufferSize is how many bytes of lines are held before they go to
	// the compressor or the underlying writer. Zero means 64 KiB; a
	// program that keeps thousands of Writers open wants less.
	BufferSize int
}

// Writer writes recording lines. Lines are buffered; Flush pushes them, and
// everything compressed so far, to the underlying writer, so that a reader of
// a file cut off after a Flush gets every line written before it.
//
// The first error is sticky: every later call returns it. A Writer is not
// safe for concurrent use. Close finishes the compressed stream but does not
// close the underlying io.Writer, which the caller owns.
type Writer struct {
	dst  io.Writer     // the caller's writer
	buf  *bufio.Writer // in front of comp, or of dst when plain
	comp interface {   // nil when plain
		io.Writer
		Flush() error
		Close() error
	}
	line   []byte
	err    error
	closed bool
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer, opts *WriterOptions) *Writer {
	var o WriterOptions
	if opts != nil {
		o = *opts
	}
	wr := &Writer{dst: w}
	switch o.Compression {
	case Gzip:
		wr.comp = gzip.NewWriter(w)
	case Zstd:
		// One encoder goroutine: recordings are written by one writer
		// goroutine anyway, and this keeps memory per open file small.
		// The window bounds what every reader of the file must hold: a
		// replay server streaming a file to 100 clients holds it 100 times.
		enc, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstdWindow))
		if err != nil {
			wr.err = fmt.Errorf("zstd: %w", err)
		}
		wr.comp = enc
	case None:
	default:
		wr.err = fmt.Errorf("unknown compression %d", int(o.Compression))
	}
	size := o.BufferSize
	if size <= 0 {
		size = 64 << 10
	}
	if wr.comp != nil {
		wr.buf = bufio.NewWriterSize(wr.comp, size)
	} else {
		wr.buf = bufio.NewWriterSize(w, size)
	}
	return wr
}

// Compress copies src to dst through compression c, and ends the
// compressed stream. It does not close dst.
func Compress(dst io.Writer, src io.Reader, c Compression) error {
	var comp io.WriteCloser
	switch c {
	case None:
		_, err := io.Copy(dst, src)
		return err
	case Gzip:
		comp = gzip.NewWriter(dst)
	case Zstd:
		enc, err := zstd.NewWriter(dst, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstdWindow))
		if err != nil {
			return err
		}
		comp = enc
	default:
		return fmt.Errorf("unknown compression %d", int(c))
	}
	if _, err := io.Copy(comp, src); err != nil {
		comp.Close()
		return err
	}
	return comp.Close()
}

// Write buffers e as one line. A zero e.Time is an error: every line carries
// its time.
func (w *Writer) Write(e *Event) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	line, err := AppendLine(w.line[:0], e)
	if err != nil {
		return err // not sticky: the stream is still intact
	}
	w.line = line
	if _, err := w.buf.Write(w.line); err != nil {
		w.err = err
	}
	if cap(w.line) > 1<<20 {
		w.line = nil // do not pin one huge message's buffer
	}
	return w.err
}

// AppendLine appends e to b as one NDJSON line, newline included, exactly as
// a Writer writes it before compression. It is for callers that buffer and
// write lines themselves.
func AppendLine(b []byte, e *Event) ([]byte, error) {
	if err := checkEvent(e); err != nil {
		return b, err
	}
	return appendEvent(b, e), nil
}

// checkEvent rejects events that would not read back.
func checkEvent(e *Event) error {
	switch {
	case e.Type == "":
		return errors.New("format: event has no type")
	case e.Session == "":
		return fmt.Errorf("format: %s event has no session id", e.Type)
	case e.Time.IsZero():
		return fmt.Errorf("format: %s event has no time", e.Type)
	case !timeInRange(e.Time):
		return fmt.Errorf("format: %s event time %s is outside years 1-9999", e.Type, e.Time.UTC().Format(time.RFC3339))
	case e.Type == TypeMessage && e.Dir != Send && e.Dir != Receive:
		return fmt.Errorf("format: message with direction %q", e.Dir)
	}
	return nil
}

// Flush writes every buffered line through the compressor to the underlying
// writer. It does not sync the file; the caller does that if it wants to.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	if err := w.buf.Flush(); err != nil {
		w.err = err
		return err
	}
	if w.comp != nil {
		if err := w.comp.Flush(); err != nil {
			w.err = err
		}
	}
	return w.err
}

// Close flushes and ends the compressed stream. It does not close the
// underlying writer. Calling Close twice is harmless.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.err == nil {
		if err := w.buf.Flush(); err != nil {
			w.err = err
		}
	}
	w.closed = true
	if w.comp != nil {
		if err := w.comp.Close(); err != nil && w.err == nil {
			w.err = err
		}
	}
	return w.err
}
