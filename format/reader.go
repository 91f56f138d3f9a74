package format

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// The limits of a recording, derived from each other so that every message
// a writer takes makes a line every reader takes.
const (
	// MaxMessageSize is the largest message payload a recording holds:
	// its line fits in DefaultMaxLineSize with MaxLineOverhead to spare,
	// in base64 (4/3 of its size) and as text (escaped text longer than
	// that room is written as base64 with "opcode":"text"). The recorder
	// relays no larger message.
	MaxMessageSize = 128 << 20
	// MaxLineOverhead is the room a line has besides a message payload:
	// field names, the session id, the time; and for a session line its
	// headers, which the recorder bounds (1 MiB of request headers, 256
	// KiB of upstream response headers, escaped at worst six-fold).
	MaxLineOverhead = 8 << 20
	// DefaultMaxLineSize is the longest line a Reader accepts by default:
	// MaxMessageSize in base64 and MaxLineOverhead, rounded up to 180 MiB,
	// the limit of every earlier release.
	DefaultMaxLineSize = 180 << 20
)

// Compile-time check: the line of a MaxMessageSize message fits. A negative
// constant cannot convert to uint.
const _ = uint(DefaultMaxLineSize - (MaxMessageSize+2)/3*4 - MaxLineOverhead)

// ReaderOptions configures a Reader. A nil *ReaderOptions, like the zero
// value, gives the defaults.
type ReaderOptions struct {
	// Name is the file name used in errors. Empty names no file.
	Name string
	// MaxLineSize is the longest line accepted; longer lines are an error.
	// Zero means DefaultMaxLineSize.
	MaxLineSize int
	// Start makes the Reader begin at a line other than the first, given
	// by a Position an earlier Reader of the same stream returned. A plain
	// input that is an io.Seeker is seeked; otherwise the bytes before it
	// are read and discarded.
	Start Position
	// BufferSize is the size of each of the Reader's buffers (one in
	// front of the decompressor, one after it). Zero means 64 KiB; a
	// program with many Readers open wants less.
	BufferSize int
	// SkipMalformed makes malformed lines be skipped and counted (see
	// Reader.Malformed) instead of ending the read with an error.
	SkipMalformed bool
}

// Position is where a line starts: its offset in the decompressed stream
// and the number of lines before it.
type Position struct {
	Offset int64
	Line   int
}

// Reader reads recording lines from a plain, gzip or zstd stream, detected
// by its first bytes. It streams: memory is bounded by the longest line, not
// by the size of the input.
//
// Next returns the events in file order and io.EOF at a clean end. A torn
// last line, or a compressed stream cut short, is reported after every
// complete line as an error that satisfies errors.Is(err, ErrTruncated).
// Lines of unknown type are skipped and counted (see Unknown).
//
// A Reader is not safe for concurrent use. Close releases the decompressor;
// it does not close the underlying reader, which the caller owns.
type Reader struct {
	opts    ReaderOptions
	src     io.Reader
	br      *bufio.Reader // over the decompressed stream
	zr      *zstd.Decoder
	comp    Compression
	started bool
	line    int    // number of the last line read
	raw     []byte // the last line returned, without its line ending
	pos     int64  // offset of the next line in the decompressed stream
	dec     decoder
	long    lineBuf // a line longer than br's buffer, while it is read
	unknown map[string]int
	bad     int
	err     error // sticky
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader, opts *ReaderOptions) *Reader {
	rd := &Reader{src: r}
	if opts != nil {
		rd.opts = *opts
	}
	if rd.opts.MaxLineSize <= 0 {
		rd.opts.MaxLineSize = DefaultMaxLineSize
	}
	return rd
}

// Magic numbers of the compressed formats.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// DetectCompression tells the compression of a stream from its first bytes.
func DetectCompression(head []byte) Compression {
	switch {
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	}
	return None
}

func (r *Reader) start() error {
	r.started = true
	size := r.opts.BufferSize
	if size <= 0 {
		size = 64 << 10
	}
	raw := bufio.NewReaderSize(r.src, size)
	head, _ := raw.Peek(4)
	r.comp = DetectCompression(head)
	var dec io.Reader = raw
	switch r.comp {
	case Gzip:
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return r.streamError(err)
		}
		dec = gz
	case Zstd:
		// One decoder goroutine and a bounded window keep memory per
		// open recording small and flat.
		zr, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(64<<20), zstd.WithDecoderLowmem(true))
		if err != nil {
			return r.streamError(err)
		}
		r.zr, dec = zr, zr
	}
	if off := r.opts.Start.Offset; off > 0 {
		if sk, ok := r.src.(io.Seeker); ok && r.comp == None {
			if _, err := sk.Seek(off, io.SeekStart); err != nil {
				return r.streamError(err)
			}
			raw.Reset(r.src)
		} else if _, err := io.CopyN(io.Discard, dec, off); err != nil {
			return r.streamError(err)
		}
		r.pos, r.line = off, r.opts.Start.Line
	}
	r.br = bufio.NewReaderSize(dec, size)
	return nil
}

// Pos returns the position of the next line: where a later Reader can
// start (see ReaderOptions.Start) to read it first.
func (r *Reader) Pos() Position { return Position{Offset: r.pos, Line: r.line} }

// Compression returns the compression detected; it is known after the first
// call to Next.
func (r *Reader) Compression() Compression { return r.comp }

// Line returns the number of the last line read.
func (r *Reader) Line() int { return r.line }

// Raw returns the line of the last event returned, as it is in the file
// without its line ending. It is valid until the next call to Next.
func (r *Reader) Raw() []byte { return r.raw }

// Unknown returns how many lines of each unknown type were skipped.
func (r *Reader) Unknown() map[string]int { return r.unknown }

// Malformed returns how many malformed lines were skipped; always zero
// unless ReaderOptions.SkipMalformed is set.
func (r *Reader) Malformed() int { return r.bad }

// Close releases the decompressor. It does not close the underlying reader.
func (r *Reader) Close() error {
	if r.zr != nil {
		r.zr.Close()
		r.zr = nil
	}
	if r.err == nil {
		r.err = ErrClosed
	}
	return nil
}

// Next returns the next event. The Event and its Data are the caller's.
func (r *Reader) Next() (*Event, error) {
	e := new(Event)
	if err := r.Decode(e); err != nil {
		return nil, err
	}
	return e, nil
}

// Decode reads the next event into e, reusing the storage of e.Data (so
// that a caller done with an event can recycle it). It returns what Next
// would.
func (r *Reader) Decode(e *Event) error {
	if r.err != nil {
		return r.err
	}
	if !r.started {
		if err := r.start(); err != nil {
			r.err = err
			return err
		}
	}
	for {
		line, complete, err := r.readLine()
		if err != nil {
			r.err = err
			return err
		}
		r.line++
		if len(bytes.TrimSpace(line)) == 0 {
			if !complete {
				r.err = io.EOF
				return io.EOF
			}
			continue
		}
		derr := r.dec.decodeLine(line, e)
		if derr == nil {
			r.raw = line
			return nil
		}
		if r.line == 1 && line[0] != '{' {
			r.err = &SyntaxError{File: r.opts.Name, Line: 1, Err: fmt.Errorf("%w (line 1 is not a JSON object)", ErrNotRecording)}
			return r.err
		}
		if !complete {
			// The writer always ends a line with a newline: one
			// without it that does not parse was cut off.
			r.err = &SyntaxError{File: r.opts.Name, Line: r.line, Err: fmt.Errorf("%w: torn last line", ErrTruncated)}
			return r.err
		}
		var unk errUnknownType
		switch {
		case errors.As(derr, &unk):
			if r.unknown == nil {
				r.unknown = make(map[string]int)
			}
			r.unknown[unk.typ]++
			continue
		case r.opts.SkipMalformed && !errors.Is(derr, ErrUnsupportedVersion):
			r.bad++
			continue
		}
		r.err = &SyntaxError{File: r.opts.Name, Line: r.line, Err: derr}
		return r.err
	}
}

// readLine returns the next line without its line ending, and whether it was
// terminated by a newline. At the end of the stream it returns io.EOF, or an
// ErrTruncated error if the decompressor says the stream was cut short.
func (r *Reader) readLine() (line []byte, complete bool, err error) {
	r.long.reset()
	for {
		chunk, err := r.br.ReadSlice('\n')
		switch {
		case err == nil:
			r.pos += int64(r.long.len() + len(chunk))
			if r.long.len() > 0 {
				chunk = r.long.join(chunk)
			}
			return trimEOL(chunk), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if r.long.len()+len(chunk) > r.opts.MaxLineSize {
				r.long.release() // the error is sticky: nothing more is read
				return nil, false, &SyntaxError{File: r.opts.Name, Line: r.line + 1,
					Err: fmt.Errorf("line longer than %d bytes", r.opts.MaxLineSize)}
			}
			r.long.add(chunk)
		case errors.Is(err, io.EOF):
			rest := r.long.join(chunk)
			r.pos += int64(len(rest))
			if len(rest) > 0 {
				return trimEOL(rest), false, nil
			}
			return nil, false, io.EOF
		default:
			return nil, false, r.streamError(err)
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// streamError reports a failure of the underlying or compressed stream.
func (r *Reader) streamError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{File: r.opts.Name, Line: r.line + 1,
			Err: fmt.Errorf("%w: %s stream cut short", ErrTruncated, r.comp)}
	}
	if r.opts.Name != "" {
		return fmt.Errorf("%s: read %s: %w", r.opts.Name, r.comp, err)
	}
	return fmt.Errorf("read %s: %w", r.comp, err)
}
