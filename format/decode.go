package format

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// errUnknownType is returned by decodeLine for a well-formed line of a type
// this version does not know; the Reader skips and counts those.
type errUnknownType struct{ typ string }

func (e errUnknownType) Error() string { return fmt.Sprintf("unknown line type %q", e.typ) }

// decoder turns lines into events. It keeps scratch space and the last
// session id between lines, so that a long run of one session's messages
// costs no allocation for the id.
type decoder struct {
	s           scanner
	lastSession string
}

// field presence bits
const (
	hasType = 1 << iota
	hasV
	hasSession
	hasTime
	hasText
	hasBinary
	hasCode
	hasClean
	hasOpcodeText
)

// fields is what one line held: every known field read, whatever the line's
// type, and which of them were there. event keeps what the type owns.
type fields struct {
	seen    int // has* bits
	typ     string
	timeStr []byte
	payload []byte
	v       int64
	all     Event // the other fields, in place
}

// decodeLine parses one line (without its newline) into e.
func (d *decoder) decodeLine(line []byte, e *Event) error {
	reuse := e.Data[:0] // storage for the payload, if e had some
	if cap(reuse) > 1<<20 {
		reuse = nil // do not keep a huge message's buffer alive
	}
	*e = Event{}
	d.s.b, d.s.i = line, 0
	var f fields
	if err := d.object(&f, reuse); err != nil {
		return err
	}
	return f.event(e)
}

// object reads the line's one JSON object into f, and nothing after it.
func (d *decoder) object(f *fields, reuse []byte) error {
	s := &d.s
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			if err := d.member(f, reuse); err != nil {
				return err
			}
			if s.peek() == '}' {
				s.i++
				break
			}
			if err := s.expect(','); err != nil {
				return err
			}
		}
	}
	if s.ws(); s.i < len(s.b) {
		return s.errorf("data after the end of the object")
	}
	return nil
}

// member reads one "key": value pair into f. A null value is the same as an
// absent field; an unknown key's value is skipped.
func (d *decoder) member(f *fields, reuse []byte) error {
	s := &d.s
	key, err := s.str()
	if err != nil {
		return err
	}
	if err := s.expect(':'); err != nil {
		return err
	}
	if s.null() {
		return nil
	}
	all := &f.all
	switch string(key) {
	case "type":
		f.seen |= hasType
		f.typ, err = s.strField("type")
	case "v":
		f.seen |= hasV
		f.v, err = s.int("v")
	case "session":
		f.seen |= hasSession
		all.Session, err = d.session()
	case "time":
		f.seen |= hasTime
		f.timeStr, err = s.timeField()
	case "url":
		all.URL, err = s.strField("url")
	case "upstream":
		all.Upstream, err = s.strField("upstream")
	case "subprotocol":
		all.Subprotocol, err = s.strField("subprotocol")
	case "extensions":
		all.Extensions, err = s.strField("extensions")
	case "protocol":
		all.Protocol, err = s.strField("protocol")
	case "via":
		all.Via, err = s.strField("via")
	case "page":
		all.Page, err = s.strField("page")
	case "request_headers":
		all.RequestHeaders, err = s.headers("request_headers")
	case "response_headers":
		all.ResponseHeaders, err = s.headers("response_headers")
	case "dir":
		var dir string
		dir, err = s.strField("dir")
		all.Dir = Dir(dir)
	case "text":
		f.seen |= hasText
		f.payload, err = s.payload("text", reuse)
	case "binary":
		f.seen |= hasBinary
		f.payload, err = s.payload("binary", reuse)
	case "opcode":
		var op string
		if op, err = s.strField("opcode"); op == "text" {
			f.seen |= hasOpcodeText
		}
	case "by":
		all.By, err = s.strField("by")
	case "code":
		f.seen |= hasCode
		var c int64
		c, err = s.int("code")
		all.Code = int(c)
	case "reason":
		all.Reason, err = s.strField("reason")
	case "clean":
		f.seen |= hasClean
		all.Clean, err = s.bool("clean")
	case "lost":
		all.Lost, err = s.int("lost")
	default:
		err = d.kindMember(string(key), all)
	}
	return err
}

// kindMember reads a member of the kinds' (kindwire.go): "kind" and
// "engineio" on session lines, "transport", "http" and "sse" on message
// lines. Any other key's value is skipped.
func (d *decoder) kindMember(key string, all *Event) (err error) {
	s := &d.s
	switch key {
	case "kind":
		var k string
		k, err = s.strField("kind")
		all.Kind = Kind(k)
	case "engineio":
		all.EngineIO, err = s.engineIO()
	case "transport":
		all.Transport, err = s.strField("transport")
	case "http":
		all.HTTP, err = s.http()
	case "sse":
		all.SSE, err = s.sse()
	case "fault":
		all.Fault, err = s.strField("fault")
	case "action":
		all.Action, err = s.strField("action")
	default:
		err = s.skip(0)
	}
	return err
}

// session reads the session id, reusing the previous line's string when it
// is the same id: most lines of a recording continue the session before.
func (d *decoder) session() (string, error) {
	s := &d.s
	if s.peek() != '"' {
		return "", errors.New(`field "session": want a string`)
	}
	b, err := s.str()
	if err != nil {
		return "", err
	}
	if string(b) != d.lastSession {
		d.lastSession = string(b)
	}
	return d.lastSession, nil
}

// timeField reads the "time" string, copied: event parses it once the line
// is read.
func (s *scanner) timeField() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errors.New(`field "time": want an RFC 3339 string`)
	}
	b, err := s.str()
	return append([]byte(nil), b...), err
}

// payload reads a "text" or "binary" string into reuse's storage.
func (s *scanner) payload(field string, reuse []byte) ([]byte, error) {
	if s.peek() != '"' {
		return nil, fmt.Errorf("field %q: want a string", field)
	}
	str, err := s.str()
	if err != nil {
		return nil, err
	}
	return copyPayload(reuse, str, field == "binary")
}

// event checks what a line of its type requires and fills e with the fields
// that type owns.
func (f *fields) event(e *Event) error {
	if err := f.common(e); err != nil {
		return err
	}
	switch e.Type {
	case TypeSession:
		return f.session(e)
	case TypeMessage, TypePing, TypePong:
		return f.message(e)
	case TypeClose:
		return f.close(e)
	case TypeFault:
		return f.fault(e)
	}
	return nil
}

// fault fills a fault line: it names its fault.
func (f *fields) fault(e *Event) error {
	if f.all.Fault == "" {
		return errors.New(`fault line without field "fault"`)
	}
	e.Dir, e.Fault, e.Action = f.all.Dir, f.all.Fault, f.all.Action
	return nil
}

// common fills what every line has: type, session and time.
func (f *fields) common(e *Event) error {
	e.Type, e.Session = Type(f.typ), f.all.Session
	switch e.Type {
	case TypeSession, TypeMessage, TypeClose, TypePing, TypePong, TypeFault:
	case "":
		return errors.New(`missing field "type"`)
	default:
		return errUnknownType{f.typ}
	}
	if f.seen&hasSession == 0 || e.Session == "" {
		return errors.New(`missing field "session"`)
	}
	if f.seen&hasTime == 0 {
		return errors.New(`missing field "time"`)
	}
	t, err := time.Parse(time.RFC3339Nano, string(f.timeStr))
	if err != nil {
		return fmt.Errorf(`field "time": %q is not an RFC 3339 time`, f.timeStr)
	}
	if e.Time, err = CheckTime(t); err != nil {
		return fmt.Errorf(`field "time": %q is %w`, f.timeStr, err)
	}
	return nil
}

func (f *fields) session(e *Event) error {
	if f.seen&hasV == 0 {
		return errors.New(`session line without field "v"`)
	}
	if f.v != Version {
		return fmt.Errorf("%w %d (this wsreplay reads version %d)", ErrUnsupportedVersion, f.v, Version)
	}
	all := &f.all
	e.Version = int(f.v)
	e.URL, e.Upstream, e.Subprotocol, e.Extensions = all.URL, all.Upstream, all.Subprotocol, all.Extensions
	e.RequestHeaders, e.ResponseHeaders = all.RequestHeaders, all.ResponseHeaders
	e.Kind, e.EngineIO, e.Protocol, e.Transport = all.Kind, all.EngineIO, all.Protocol, all.Transport
	e.Via, e.Page = all.Via, all.Page
	if e.Kind == "websocket" {
		e.Kind = KindWebSocket
	}
	return nil
}

// message fills a message, ping or pong line; only a message needs a
// direction and a payload, and only a message keeps an opcode.
func (f *fields) message(e *Event) error {
	e.Dir = f.all.Dir
	if e.Type == TypeMessage && e.Dir != Send && e.Dir != Receive {
		if e.Dir == "" {
			return errors.New(`message line without field "dir"`)
		}
		return fmt.Errorf(`field "dir": %q is not "send" or "receive"`, e.Dir)
	}
	switch {
	case f.seen&hasText != 0 && f.seen&hasBinary != 0:
		return errors.New(`both "text" and "binary"`)
	case f.seen&hasText != 0:
		e.Opcode, e.Data = Text, f.payload
	case f.seen&hasBinary != 0:
		e.Opcode, e.Data = Binary, f.payload
		if f.seen&hasOpcodeText != 0 {
			e.Opcode = Text
		}
	case e.Type == TypeMessage:
		return errors.New(`message line without "text" or "binary"`)
	}
	if e.Type != TypeMessage {
		e.Opcode = 0
		return nil
	}
	e.Transport, e.HTTP, e.SSE = f.all.Transport, f.all.HTTP, f.all.SSE
	return nil
}

func (f *fields) close(e *Event) error {
	if f.seen&hasCode == 0 {
		return errors.New(`close line without field "code"`)
	}
	all := &f.all
	e.By, e.Code, e.Reason, e.Clean, e.Lost = all.By, all.Code, all.Reason, all.Clean, all.Lost
	if f.seen&hasClean == 0 {
		e.Clean = e.Code != CodeAbnormal
	}
	return nil
}

// timeInRange reports whether t, in UTC, falls in the years RFC 3339 can
// write (1-9999; year 0 is left out so that the zero Time stays "no time").
func timeInRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// CheckTime returns t in UTC if a recording can hold it, else ErrTimeRange:
// RFC 3339 writes the years 1 to 9999, and the zero Time (in year 1) means
// "no time". Converters from other formats (format/har, wsreplay import)
// check the times they read with it.
func CheckTime(t time.Time) (time.Time, error) {
	if !timeInRange(t) || t.IsZero() {
		return time.Time{}, ErrTimeRange
	}
	return t.UTC(), nil
}

// copyPayload copies a "text" value, or decodes a "binary" one, into dst's
// storage (growing it if needed), since the scanner's result does not last.
func copyPayload(dst, str []byte, b64 bool) ([]byte, error) {
	if !b64 {
		return append(dst[:0], str...), nil
	}
	n := base64.StdEncoding.DecodedLen(len(str))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := base64.StdEncoding.Decode(dst, str)
	if err != nil {
		return nil, fmt.Errorf(`field "binary": invalid base64: %v`, err)
	}
	return dst[:m], nil
}
