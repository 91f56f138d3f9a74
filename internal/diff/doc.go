// Package diff compares two recorded WebSocket sessions message by message,
// both directions, as "wsreplay diff" shows them.
//
// Compare reads two event streams (one session each) and aligns their
// messages by a longest common subsequence, so that one inserted message
// shows as one added message and not as everything after it changed. Text
// messages that are JSON objects or arrays are compared as JSON (key order
// and number spelling ignored, with Options.Ignore paths left out); other
// text and binary messages are compared byte for byte. The endings (close
// code, reason, clean or drop) are compared too, and with
// Options.TimeTolerance the offsets of matched messages.
//
// Memory is bounded: Compare holds at most Options.Window messages of each
// side (and a Window×Window table of uint16 while it aligns a difference),
// never a whole session. The alignment is the exact LCS when the
// differences are less than about Window/2 messages apart; beyond that it is
// the LCS within a window sliding over both streams.
package diff
