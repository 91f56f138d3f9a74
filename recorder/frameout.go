package recorder

import (
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// fileOut is what the session files of a directory share: the one frame
// encoder that compresses every session's lines as they are written (each
// write one zstd frame or gzip member, so a session holds no compressor of
// its own and its file is never read back), the buffer the frames are built
// in, and the counts of what waits and what was written.
type fileOut struct {
	comp    format.Compression
	enc     *format.FrameEncoder // made at the first compressed write
	frame   []byte
	stats   *sinkStats
	hold    time.Duration // how long a session's lines may wait for more
	now     func() time.Time
	waiting int // session files whose lines wait in memory
}

// bytes returns what to write for lines: them, or their frame.
func (o *fileOut) bytes(lines []byte) ([]byte, error) {
	if o.comp == format.None {
		return lines, nil
	}
	if o.enc == nil {
		enc, err := format.NewFrameEncoder(o.comp)
		if err != nil {
			return nil, err
		}
		o.enc = enc
	}
	o.frame = o.enc.AppendFrame(o.frame[:0], lines)
	return o.frame, nil
}

// written counts n bytes passed to write, and lets go of a frame buffer
// that one huge block grew.
func (o *fileOut) written(n int) {
	o.stats.bytesWritten.Add(int64(n))
	if cap(o.frame) > 1<<20 {
		o.frame = nil
	}
}
