package recorder

import (
	"context"

	"github.com/wsreplay/wsreplay/format"
)

// Sink receives the lines of recorded sessions. Add is called from the
// relay goroutines of live connections and must never block them: a Sink
// that cannot keep up drops lines and reports false.
type Sink interface {
	// Add takes a line for writing. The Sink owns e afterwards. It
	// returns false if the line was dropped.
	Add(e *format.Event) bool
}

// A Sink also implementing waitingSink (FileSink does) is handed a
// session's close line through addWait, which may wait for room in a full
// queue: the session's traffic is over, and the close line is what says how
// it ended and what the recording lost. Any other Sink gets it through Add,
// once, as every other line.
type waitingSink interface {
	// addWait takes a line as Add does, waiting for room until ctx is
	// done. It returns false if the line was dropped.
	addWait(ctx context.Context, e *format.Event) bool
}
