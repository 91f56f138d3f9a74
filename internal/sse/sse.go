// Package sse reads and writes the text/event-stream format of Server-Sent
// Events (HTML Living Standard, section 9.2 "Server-sent events"), as the
// recorder reads a stream passing through it and the replay server writes
// one: a Parser takes a stream in chunks of any size and yields each event
// an EventSource would see; Append writes an event so that a Parser (and an
// EventSource) reads it back the same.
package sse

import (
	"bytes"
	"strconv"
)

// Event is one event of a stream: the fields of one block of lines ended
// by a blank line.
type Event struct {
	Data    string // the data lines joined by "\n", as EventSource delivers it
	HasData bool   // the block had a data field; without one an EventSource dispatches nothing
	ID      string // the id field, when HasID
	HasID   bool   // the block had an id field (an empty one resets the last event id)
	Type    string // the event field; "" is "message"
	Retry   int64  // the retry field, in milliseconds, when HasRetry
	// HasRetry: the block had a valid retry field (ASCII digits only).
	HasRetry bool
}

// Parser reads a text/event-stream in chunks, keeping across them what a
// chunk leaves unfinished. The zero value is ready to use; a Parser is not
// safe for concurrent use.
//
// It follows the standard's interpretation: lines end with CRLF, LF or CR;
// a leading byte order mark is skipped; comments (lines starting with ":")
// and unknown fields are ignored; a block ends with a blank line, and a
// block cut off by the end of the stream is not an event. Unlike an
// EventSource, it also yields a block that has an id or a retry but no data
// (HasData false), which a recording must keep.
type Parser struct {
	// MaxLine bounds a line's length; a longer line is skipped whole and
	// counted in Skipped. Zero: no bound.
	MaxLine int
	// Skipped counts the lines skipped for their length.
	Skipped int
	// MaxEvent bounds an event's data, all its data lines together; the
	// data of a larger event is not kept, and the event is dropped whole
	// and counted in SkippedEvents. Zero: no bound.
	MaxEvent int
	// SkippedEvents counts the events dropped for their size.
	SkippedEvents int
	// Grow, if set, is asked before the parser's buffers (the line being
	// read, the data of the event being read) grow by n bytes, and told
	// of bytes they give back (n < 0; the answer is then ignored). False:
	// the line, or the event, that needed them is dropped as one past
	// MaxLine, or MaxEvent, is. Nil: buffers grow as they need. Release
	// gives back what the buffers hold.
	Grow func(n int) bool

	held int // bytes of buffers Grow said yes to

	line    []byte
	long    bool // the line being read has passed MaxLine
	afterCR bool // the last byte seen ended a line with CR: a LF next is part of it
	started bool // past the first bytes: no byte order mark any more
	bom     int  // bytes of a byte order mark seen at the start
	ev      Event
	data    []byte
	big     bool // the event being read has passed MaxEvent
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Write reads chunk, calling emit for each event it completes, in order.
// The event is emit's to keep.
func (p *Parser) Write(chunk []byte, emit func(Event)) {
	chunk = p.skipBOM(chunk)
	for len(chunk) > 0 {
		if p.afterCR {
			p.afterCR = false
			if chunk[0] == '\n' {
				chunk = chunk[1:]
				continue
			}
		}
		i := bytes.IndexAny(chunk, "\r\n")
		if i < 0 {
			p.grow(chunk)
			return
		}
		p.grow(chunk[:i])
		p.afterCR = chunk[i] == '\r'
		chunk = chunk[i+1:]
		p.endLine(emit)
	}
}

// skipBOM leaves out a UTF-8 byte order mark at the start of the stream,
// which may come split across chunks.
func (p *Parser) skipBOM(chunk []byte) []byte {
	for !p.started && len(chunk) > 0 {
		if chunk[0] != bom[p.bom] {
			p.started = true
			if p.bom > 0 { // not a byte order mark after all: its start was data
				p.grow(bom[:p.bom])
			}
			break
		}
		p.bom++
		chunk = chunk[1:]
		if p.bom == len(bom) {
			p.started = true
		}
	}
	return chunk
}

func (p *Parser) grow(b []byte) {
	if p.long {
		return
	}
	if p.MaxLine > 0 && len(p.line)+len(b) > p.MaxLine || !p.room(&p.line, len(b)) {
		p.long, p.line = true, p.line[:0]
		return
	}
	p.line = append(p.line, b...)
}

// keepBuffer is the capacity a buffer keeps between lines or events; a
// larger one is given back.
const keepBuffer = 4 << 10

// room makes room in *buf for n more bytes, if Grow agrees.
func (p *Parser) room(buf *[]byte, n int) bool {
	need := len(*buf) + n
	if need <= cap(*buf) || p.Grow == nil {
		return true
	}
	size := max(need, 2*cap(*buf), 64)
	if !p.Grow(size - cap(*buf)) {
		return false
	}
	p.held += size - cap(*buf)
	nb := make([]byte, len(*buf), size)
	copy(nb, *buf)
	*buf = nb
	return true
}

// shrink gives back a buffer grown past keepBuffer.
func (p *Parser) shrink(buf *[]byte) {
	if cap(*buf) <= keepBuffer || p.Grow == nil {
		return
	}
	p.held -= cap(*buf)
	p.Grow(-cap(*buf))
	*buf = nil
}

// Release gives back to Grow what the parser's buffers hold, and lets
// them go; the parser must not be used after.
func (p *Parser) Release() {
	if p.Grow != nil && p.held > 0 {
		p.Grow(-p.held)
	}
	p.held, p.line, p.data = 0, nil, nil
}

// endLine interprets the line read so far.
func (p *Parser) endLine(emit func(Event)) {
	line := p.line
	p.line = p.line[:0]
	defer p.shrink(&p.line)
	if p.long {
		p.long = false
		p.Skipped++
		return
	}
	if len(line) == 0 {
		p.dispatch(emit)
		return
	}
	if line[0] == ':' {
		return // a comment: a keep-alive, usually
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	p.field(string(field), value)
}

func (p *Parser) field(name string, value []byte) {
	switch name {
	case "event":
		p.ev.Type = string(value)
	case "data":
		p.ev.HasData = true
		if p.big || p.MaxEvent > 0 && len(p.data)+len(value)+1 > p.MaxEvent || !p.room(&p.data, len(value)+1) {
			p.big, p.data = true, p.data[:0]
			p.shrink(&p.data) // what it held so far is let go
			return
		}
		p.data = append(append(p.data, value...), '\n')
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.ev.ID, p.ev.HasID = string(value), true
		}
	case "retry":
		if n, ok := digits(value); ok {
			p.ev.Retry, p.ev.HasRetry = n, true
		}
	}
}

// digits reads a retry value: ASCII digits only, as the standard says.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// dispatch ends the block: an event if it had data, an id or a retry.
func (p *Parser) dispatch(emit func(Event)) {
	if p.big {
		p.big, p.ev, p.data = false, Event{}, p.data[:0]
		p.shrink(&p.data)
		p.SkippedEvents++
		return
	}
	ev := p.ev
	if ev.HasData {
		ev.Data = string(p.data[:len(p.data)-1])
	} else if !ev.HasID && !ev.HasRetry {
		ev.Type = "" // an EventSource resets the type and dispatches nothing
	}
	keep := ev.HasData || ev.HasID || ev.HasRetry
	p.ev, p.data = Event{}, p.data[:0]
	p.shrink(&p.data)
	if keep {
		emit(ev)
	}
}

// Append appends e to b as a block of a text/event-stream, ended by a
// blank line. Data lines are split at "\n", "\r\n" and "\r"; an id with a
// line break or a NUL, which no stream can carry, is left out.
func Append(b []byte, e *Event) []byte {
	if e.Type != "" && !bytes.ContainsAny([]byte(e.Type), "\r\n") {
		b = append(append(append(b, "event: "...), e.Type...), '\n')
	}
	if e.HasData {
		data := e.Data
		for {
			i := indexBreak(data)
			if i < 0 {
				b = append(append(append(b, "data: "...), data...), '\n')
				break
			}
			b = append(append(append(b, "data: "...), data[:i]...), '\n')
			if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			data = data[i+1:]
		}
	}
	if e.HasID && !bytes.ContainsAny([]byte(e.ID), "\r\n\x00") {
		b = append(append(append(b, "id: "...), e.ID...), '\n')
	}
	if e.HasRetry {
		b = strconv.AppendInt(append(b, "retry: "...), e.Retry, 10)
		b = append(b, '\n')
	}
	return append(b, '\n')
}

func indexBreak(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return i
		}
	}
	return -1
}
