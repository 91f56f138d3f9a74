package diff

import (
	"bytes"

	"github.com/wsreplay/wsreplay/format"
)

// Identical is Compare's fast path for a caller that holds two sessions
// in memory (wsreplay drive compares every run with its recording): when
// both have the same messages byte for byte, in the same order, and the
// same ending, it returns the Result Compare returns for them (every
// message equal) without reading a message as JSON. It reports false
// otherwise, and for Socket.IO sessions (which Compare reads by meaning,
// leaving Engine.IO's own packets out): the caller then calls Compare.
// It does not compare timing: a caller with a TimeTolerance calls Compare.
func Identical(a, b []*format.Event) (*Result, bool) {
	ra, rb := &Result{}, &Result{}
	ma, mb := messages(a, ra), messages(b, rb)
	if ma == nil || mb == nil || len(ma) != len(mb) {
		return nil, false
	}
	for i := range ma {
		x, y := ma[i], mb[i]
		if x.Dir != y.Dir || x.Opcode != y.Opcode || !bytes.Equal(x.Data, y.Data) || !sameHTTP(x.HTTP, y.HTTP) || !sameSSE(x.SSE, y.SSE) {
			return nil, false
		}
	}
	if !sameEnding(ra.EndingA, rb.EndingA) {
		return nil, false
	}
	return &Result{Equal: len(ma), EndingA: ra.EndingA, EndingB: rb.EndingA, URLA: ra.URLA, URLB: rb.URLA}, true
}

// messages returns the message lines of evs and sets r's EndingA and
// URLA; nil for a Socket.IO session (or one with no message).
func messages(evs []*format.Event, r *Result) []*format.Event {
	var out []*format.Event
	var start format.Event
	for _, e := range evs {
		switch e.Type {
		case format.TypeSession:
			if e.Kind == format.KindSocketIO {
				return nil
			}
			start, r.URLA = *e, e.URL
		case format.TypeMessage:
			out = append(out, e)
		case format.TypeClose:
			r.EndingA = &Ending{By: e.By, Code: e.Code, Reason: e.Reason, Clean: e.Clean, Offset: e.Time.Sub(start.Time)}
		}
	}
	return out
}

// sameHTTP reports the same request (method and URL) or response
// (status), or no HTTP side to either; the headers are not compared, as
// Compare does not compare them.
func sameHTTP(a, b *format.HTTP) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Method == b.Method && a.URL == b.URL && a.Status == b.Status
}

// sameSSE reports the same event fields, or none to either.
func sameSSE(a, b *format.SSE) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
