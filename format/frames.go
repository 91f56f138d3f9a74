package format

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// A recording may be written as a series of independent compressed frames,
// each holding whole lines: zstd frames, or gzip members. Frames concatenate
// into a valid .ndjson.zst or .ndjson.gz file that any reader (this package,
// zstd -d, zcat) reads whole, and a file cut after any frame, as a writer
// killed in the middle of one leaves it, reads back every line of the frames
// before the cut. A writer that keeps many files open compresses each block
// of lines when it writes it, with one FrameEncoder for all of them, instead
// of keeping a compressor (and its window) per file.

// FrameEncoder compresses blocks of lines into frames of their own. One
// FrameEncoder serves any number of files; it is not safe for concurrent use.
type FrameEncoder struct {
	comp Compression
	zenc *zstd.Encoder
	gz   *gzip.Writer
	out  appendWriter
}

// NewFrameEncoder returns a FrameEncoder for c. With None, frames are the
// lines as they are.
func NewFrameEncoder(c Compression) (*FrameEncoder, error) {
	f := &FrameEncoder{comp: c}
	switch c {
	case None:
	case Gzip:
		f.gz = gzip.NewWriter(&f.out)
	case Zstd:
		// The same window as a Writer's: what every reader must hold.
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(zstdWindow),
			zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		f.zenc = enc
	default:
		return nil, fmt.Errorf("unknown compression %d", int(c))
	}
	return f, nil
}

// Compression returns the compression of the frames.
func (f *FrameEncoder) Compression() Compression { return f.comp }

// AppendFrame appends to dst one frame holding lines, which should be whole
// lines (each ending with a newline), and returns the extended slice.
func (f *FrameEncoder) AppendFrame(dst, lines []byte) []byte {
	switch f.comp {
	case Zstd:
		return f.zenc.EncodeAll(lines, dst)
	case Gzip:
		f.out.b = dst
		f.gz.Reset(&f.out)
		f.gz.Write(lines) // an appendWriter does not fail
		f.gz.Close()
		dst = f.out.b
		f.out.b = nil
		return dst
	}
	return append(dst, lines...)
}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// CompleteFrames reads a file of frames in compression c and returns the
// length of its longest prefix made of whole frames: where to cut a file
// whose writer was killed in the middle of a frame. For None, it is the
// prefix of whole lines. Only an error of r is returned as an error;
// what is not a whole frame ends the prefix.
func CompleteFrames(r io.Reader, c Compression) (int64, error) {
	cr := &countingReader{r: bufio.NewReaderSize(r, 64<<10)}
	switch c {
	case Zstd:
		return zstdFrames(cr)
	case Gzip:
		return gzipMembers(cr)
	case None:
		return wholeLines(cr)
	}
	return 0, fmt.Errorf("unknown compression %d", int(c))
}

// countingReader counts the bytes taken from r, by Read and by ReadByte
// (which a gzip reader uses, so that it takes no byte past a member).
type countingReader struct {
	r   *bufio.Reader
	n   int64
	err error // the first error of the underlying reader, but io.EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.note(err)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	c.note(err)
	return b, err
}

func (c *countingReader) note(err error) {
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
}

// skip takes n bytes, reporting whether there were n.
func (c *countingReader) skip(n int64) bool {
	got, _ := io.CopyN(io.Discard, c, n)
	return got == n
}

func wholeLines(c *countingReader) (int64, error) {
	var n, good int64
	for {
		line, err := c.r.ReadSlice('\n')
		n += int64(len(line))
		switch {
		case err == nil:
			good = n
		case errors.Is(err, bufio.ErrBufferFull):
		default:
			c.note(err)
			return good, c.err
		}
	}
}

// gzipMembers walks gzip members, decompressing each to find its end.
func gzipMembers(c *countingReader) (int64, error) {
	var good int64
	zr, err := gzip.NewReader(c)
	for err == nil {
		zr.Multistream(false)
		if _, err = io.Copy(io.Discard, zr); err != nil {
			break
		}
		good = c.n
		err = zr.Reset(c)
	}
	return good, c.err
}

const zstdSkippableMask, zstdSkippable = 0xFFFFFFF0, 0x184D2A50

// zstdFrames walks zstd frames by their headers and block headers (RFC 8878
// section 3.1), without decompressing them.
func zstdFrames(c *countingReader) (int64, error) {
	var good int64
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(c, hdr[:4]); err != nil {
			return good, c.err
		}
		magic := binary.LittleEndian.Uint32(hdr[:])
		switch {
		case magic == 0xFD2FB528:
			if !zstdFrameBody(c) {
				return good, c.err
			}
		case magic&zstdSkippableMask == zstdSkippable:
			if _, err := io.ReadFull(c, hdr[:4]); err != nil || !c.skip(int64(binary.LittleEndian.Uint32(hdr[:]))) {
				return good, c.err
			}
		default:
			return good, c.err
		}
		good = c.n
	}
}

// zstdFrameBody takes the rest of a frame after its magic number, and
// reports whether it was all there.
func zstdFrameBody(c *countingReader) bool {
	desc, err := c.ReadByte()
	if err != nil {
		return false
	}
	fcsFlag, single, checksum, dictFlag := desc>>6, desc&0x20 != 0, desc&0x04 != 0, desc&0x03
	n := int64([]int{0, 1, 2, 4}[dictFlag])
	n += int64([]int{0, 2, 4, 8}[fcsFlag])
	if fcsFlag == 0 && single {
		n++
	}
	if !single {
		n++ // the window descriptor
	}
	if !c.skip(n) {
		return false
	}
	var bh [3]byte
	for {
		if _, err := io.ReadFull(c, bh[:]); err != nil {
			return false
		}
		h := uint32(bh[0]) | uint32(bh[1])<<8 | uint32(bh[2])<<16
		size := int64(h >> 3)
		switch (h >> 1) & 3 {
		case 1: // RLE: one byte
			size = 1
		case 3: // reserved: not a frame
			return false
		}
		if !c.skip(size) {
			return false
		}
		if h&1 != 0 {
			break
		}
	}
	return !checksum || c.skip(4)
}
