package format

import (
	"errors"
	"fmt"
)

// ErrTruncated reports that a recording ends in the middle of a line or of a
// compressed block, as a file does when its writer was killed. Every complete
// line before the cut has been returned by then. Callers normally warn and go
// on with what was read.
var ErrTruncated = errors.New("recording is truncated")

// ErrUnsupportedVersion reports a session line whose "v" this package does
// not read.
var ErrUnsupportedVersion = errors.New("unsupported format version")

// ErrNotRecording reports input that does not look like a wsreplay
// recording at all (its first line is not a JSON object).
var ErrNotRecording = errors.New("not a wsreplay recording")

// ErrClosed is returned by a Writer's methods, and by a Reader's Next and
// Decode, after Close.
var ErrClosed = errors.New("format: used after Close")

// ErrTimeRange reports a time a recording cannot hold (see CheckTime).
var ErrTimeRange = errors.New("outside years 1-9999 UTC")

// SyntaxError is an error at one line of a recording. It wraps the cause, so
// errors.Is(err, ErrTruncated) and the like work through it.
type SyntaxError struct {
	File string // as given in ReaderOptions.Name; may be empty
	Line int    // 1-based line number
	Err  error
}

func (e *SyntaxError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }
