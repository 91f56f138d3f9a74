package recorder

import (
	"context"

	"github.com/wsreplay/wsreplay/format"
)

// Sink receives the lines of recorded sessions. Add is called from the
// relay goroutines of live connections and must never block them: a Sink
// that cannot keep up drops lines and reports false.
//
// A Sink may also implement WaitingSink and RedactingSink (FileSink does
// both); the Proxy finds them with a type assertion on those interfaces, so
// a Sink of one's own gets the same treatment, and a wrapper around a Sink
// should implement them when what it wraps does.
type Sink interface {
	// Add takes a line for writing. The Sink owns e afterwards. It
	// returns false if the line was dropped.
	Add(e *format.Event) bool
}

// A WaitingSink is handed a session's close line through AddWait, which may
// wait for room in a full queue: the session's traffic is over, and the
// close line is what says how it ended and what the recording lost. The
// Proxy calls AddWait on a goroutine of its own, never on one that relays
// traffic, for at most a second. Any other Sink gets the close line through
// Add, once, as every other line.
type WaitingSink interface {
	Sink
	// AddWait takes a line as Add does, waiting for room until ctx is
	// done. It returns false if the line was dropped.
	AddWait(ctx context.Context, e *format.Event) bool
}

// A RedactingSink hides the JSON fields of Redaction in a message's text
// itself, later and off the relay path (FileSink does it on its writer
// goroutine): parsing a large JSON message must not hold up the traffic.
// The Proxy hands it the text messages that need it through AddRedacted;
// any other Sink gets them redacted already, through Add, and the Proxy
// logs a message it could not parse. The parameter is a plain func (the
// Proxy passes Redaction.Message), so that a Sink in another package
// implements RedactingSink without importing this one.
type RedactingSink interface {
	Sink
	// AddRedacted takes a message line as Add does. Before the line is
	// written anywhere, the Sink replaces e.Data with what redact returns
	// for it; it is the Sink's to report a text redact could not parse
	// (unparsed: returned whole). A nil redact: the line needs none.
	AddRedacted(e *format.Event, redact func(text []byte) (out []byte, unparsed bool)) bool
}
