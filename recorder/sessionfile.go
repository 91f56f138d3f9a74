package recorder

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A session's file in directory mode. Lines wait in a pooled buffer and are
// written together, compressed into one frame when the directory's files
// are compressed (see fileOut), once they have waited long enough (see
// dirStore.flush) or once 64 KiB wait. A write that fails (a full disk) must
// not leave a torn line (or frame) for the next lines to follow: the file is
// cut back to its last whole one, the lines of that write are counted as
// lost, and the next flush writes on, so that a disk that gets room again
// gets the rest of the session and its close line, whose "lost" says what
// is missing.

// writeFile is what a session file needs; *os.File has it.
type writeFile interface {
	io.Writer
	Truncate(size int64) error
	Close() error
}

// createSessionFile creates a session file exclusively (see createFlags),
// appending, so that after a cut the next write goes to the new end.
// It holds the file locked while it writes (see lockFile).
func createSessionFile(path string) (writeFile, error) {
	f, err := os.OpenFile(path, createFlags|os.O_APPEND, 0o600)
	if err == nil {
		lockFile(f)
	}
	return f, err
}

type sessionFile struct {
	tmp, final string
	out        *fileOut  // shared by the directory's files
	f          writeFile // nil if it could not be created
	size       int64     // bytes of whole lines (frames) written
	pend       *[]byte   // lines not yet written, from pendingLines; nil if none
	since      time.Time // when the first line in pend came
	lines      int64     // lines in pend
	broken     error     // a failed write could not be cut back: no more lines
	failed     int64     // lines that could not be written
	counted    int64     // of failed, those already in end.Lost
	failing    bool      // a failure was logged
	end        *format.Event
	endWaits   bool // the close line waits for room: logged
}

// writeAt is how many bytes of a session's lines may wait for a flush.
const writeAt = 64 << 10

var pendingLines = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// add queues a line for the file, writing what waits once it is enough.
func (sf *sessionFile) add(e *format.Event) error {
	if sf.broken != nil {
		sf.failed++
		return sf.broken
	}
	if sf.pend == nil {
		sf.pend = pendingLines.Get().(*[]byte)
		sf.since = sf.out.now()
		sf.out.waiting++
	}
	var err error
	if *sf.pend, err = format.AppendLine(*sf.pend, e); err != nil {
		sf.failed++
		return err // nothing was written
	}
	sf.lines++
	if len(*sf.pend) >= writeAt {
		return sf.writePending()
	}
	return nil
}

// writeLine writes e, with the lines that wait, at once.
func (sf *sessionFile) writeLine(e *format.Event) error {
	if err := sf.add(e); err != nil {
		return err
	}
	return sf.writePending()
}

// writePending writes the lines that wait and gives their buffer back. If
// the write fails, they are counted as lost and the file is cut back to its
// last whole line (frame).
func (sf *sessionFile) writePending() error {
	if sf.pend == nil {
		return sf.broken
	}
	var data []byte
	var err error
	n := 0
	if len(*sf.pend) > 0 { // empty if its only line could not be encoded
		data, err = sf.out.bytes(*sf.pend)
	}
	if err == nil && len(data) > 0 {
		n, err = sf.f.Write(data)
		sf.out.written(n)
	}
	if err == nil {
		sf.size += int64(n)
	} else {
		sf.failed += sf.lines
		if n > 0 {
			if terr := sf.f.Truncate(sf.size); terr != nil {
				sf.broken = terr
			}
		}
	}
	sf.lines = 0
	if cap(*sf.pend) <= 1<<20 {
		*sf.pend = (*sf.pend)[:0]
		pendingLines.Put(sf.pend)
	}
	sf.pend = nil
	sf.out.waiting--
	return err
}
