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

// decodeLine parses one line (without its newline) into e.
func (d *decoder) decodeLine(line []byte, e *Event) error {
	s := &d.s
	s.b, s.i = line, 0
	reuse := e.Data[:0] // storage for the payload, if e had some
	if cap(reuse) > 1<<20 {
		reuse = nil // do not keep a huge message's buffer alive
	}
	*e = Event{}
	var (
		seen    int
		typ     string
		timeStr []byte
		payload []byte
		v       int64
	)
	if err := s.expect('{'); err != nil {
		return err
	}
	var all Event // every field read, whatever the type; finish keeps the type's own
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			key, err := s.str()
			if err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			if s.null() {
				goto next // null is the same as absent
			}
			switch string(key) {
			case "type":
				seen |= hasType
				typ, err = s.strField("type")
			case "v":
				seen |= hasV
				v, err = s.int("v")
			case "session":
				seen |= hasSession
				var b []byte
				if s.peek() != '"' {
					err = errors.New(`field "session": want a string`)
				} else if b, err = s.str(); err == nil {
					if string(b) != d.lastSession {
						d.lastSession = string(b)
					}
					all.Session = d.lastSession
				}
			case "time":
				seen |= hasTime
				if s.peek() != '"' {
					err = errors.New(`field "time": want an RFC 3339 string`)
				} else {
					timeStr, err = s.str()
					timeStr = append([]byte(nil), timeStr...)
				}
			case "url":
				all.URL, err = s.strField("url")
			case "upstream":
				all.Upstream, err = s.strField("upstream")
			case "subprotocol":
				all.Subprotocol, err = s.strField("subprotocol")
			case "extensions":
				all.Extensions, err = s.strField("extensions")
			case "request_headers":
				all.RequestHeaders, err = s.headers("request_headers")
			case "response_headers":
				all.ResponseHeaders, err = s.headers("response_headers")
			case "dir":
				var dir string
				dir, err = s.strField("dir")
				all.Dir = Dir(dir)
			case "text", "binary":
				if key[0] == 't' {
					seen |= hasText
				} else {
					seen |= hasBinary
				}
				if s.peek() != '"' {
					err = fmt.Errorf("field %q: want a string", key)
				} else {
					var str []byte
					if str, err = s.str(); err == nil {
						payload, err = copyPayload(reuse, str, key[0] == 'b')
					}
				}
			case "opcode":
				var op string
				if op, err = s.strField("opcode"); op == "text" {
					seen |= hasOpcodeText
				}
			case "by":
				all.By, err = s.strField("by")
			case "code":
				seen |= hasCode
				var c int64
				c, err = s.int("code")
				all.Code = int(c)
			case "reason":
				all.Reason, err = s.strField("reason")
			case "clean":
				seen |= hasClean
				all.Clean, err = s.bool("clean")
			case "lost":
				all.Lost, err = s.int("lost")
			default:
				err = s.skip(0)
			}
			if err != nil {
				return err
			}
		next:
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
	return d.finish(e, &all, seen, typ, timeStr, payload, v)
}

// finish checks what a line of its type requires and fills in the rest.
func (d *decoder) finish(e, all *Event, seen int, typ string, timeStr, payload []byte, v int64) error {
	e.Type, e.Session = Type(typ), all.Session
	switch e.Type {
	case TypeSession, TypeMessage, TypeClose, TypePing, TypePong:
	case "":
		return errors.New(`missing field "type"`)
	default:
		return errUnknownType{typ}
	}
	if seen&hasSession == 0 || e.Session == "" {
		return errors.New(`missing field "session"`)
	}
	if seen&hasTime == 0 {
		return errors.New(`missing field "time"`)
	}
	t, err := time.Parse(time.RFC3339Nano, string(timeStr))
	if err != nil {
		return fmt.Errorf(`field "time": %q is not an RFC 3339 time`, timeStr)
	}
	if !timeInRange(t) || t.IsZero() {
		return fmt.Errorf(`field "time": %q is outside years 1-9999 UTC`, timeStr)
	}
	e.Time = t.UTC()
	switch e.Type {
	case TypeSession:
		if seen&hasV == 0 {
			return errors.New(`session line without field "v"`)
		}
		if v != Version {
			return fmt.Errorf("%w %d (this wsreplay reads version %d)", ErrUnsupportedVersion, v, Version)
		}
		e.Version = int(v)
		e.URL, e.Upstream, e.Subprotocol, e.Extensions = all.URL, all.Upstream, all.Subprotocol, all.Extensions
		e.RequestHeaders, e.ResponseHeaders = all.RequestHeaders, all.ResponseHeaders
	case TypeMessage, TypePing, TypePong:
		e.Dir = all.Dir
		if e.Type == TypeMessage && e.Dir != Send && e.Dir != Receive {
			if e.Dir == "" {
				return errors.New(`message line without field "dir"`)
			}
			return fmt.Errorf(`field "dir": %q is not "send" or "receive"`, e.Dir)
		}
		switch {
		case seen&hasText != 0 && seen&hasBinary != 0:
			return errors.New(`both "text" and "binary"`)
		case seen&hasText != 0:
			e.Opcode, e.Data = Text, payload
		case seen&hasBinary != 0:
			e.Opcode, e.Data = Binary, payload
			if seen&hasOpcodeText != 0 {
				e.Opcode = Text
			}
		case e.Type == TypeMessage:
			return errors.New(`message line without "text" or "binary"`)
		}
		if e.Type != TypeMessage {
			e.Opcode = 0
		}
	case TypeClose:
		if seen&hasCode == 0 {
			return errors.New(`close line without field "code"`)
		}
		e.By, e.Code, e.Reason, e.Clean, e.Lost = all.By, all.Code, all.Reason, all.Clean, all.Lost
		if seen&hasClean == 0 {
			e.Clean = e.Code != CodeAbnormal
		}
	}
	return nil
}

// timeInRange reports whether t, in UTC, falls in the years RFC 3339 can
// write (1-9999; year 0 is left out so that the zero Time stays "no time").
func timeInRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// inRange returns t in UTC if a recording can hold it, else an error that
// quotes raw, the value it was read from.
func inRange(t time.Time, raw []byte) (time.Time, error) {
	if !timeInRange(t) || t.IsZero() {
		return time.Time{}, fmt.Errorf("%s is outside years 1-9999 UTC", raw)
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
