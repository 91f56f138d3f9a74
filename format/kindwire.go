package format

import (
	"fmt"
	"strconv"
)

// This file holds the wire form of the kinds' nested objects: "engineio"
// on session lines, "http" and "sse" on message lines.

func appendEngineIO(b []byte, e *EngineIO) []byte {
	if e == nil {
		return b
	}
	b = append(b, `,"engineio":{"v":`...)
	b = strconv.AppendInt(b, int64(e.Version), 10)
	b = appendField(b, "sid", e.SID)
	b = appendInt(b, "ping_interval", e.PingInterval)
	b = appendInt(b, "ping_timeout", e.PingTimeout)
	b = appendInt(b, "max_payload", e.MaxPayload)
	if e.Upgrades != nil {
		b = append(b, `,"upgrades":[`...)
		for i, u := range e.Upgrades {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, u)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendHTTP(b []byte, h *HTTP) []byte {
	if h == nil {
		return b
	}
	b = append(b, `,"http":{`...)
	start := len(b)
	b = appendField(b, "method", h.Method)
	b = appendField(b, "url", h.URL)
	b = appendInt(b, "status", int64(h.Status))
	b = appendHeaders(b, "headers", h.Headers)
	if len(b) > start {
		b = append(b[:start], b[start+1:]...) // the first member has no comma
	}
	return append(b, '}')
}

func appendSSE(b []byte, e *SSE) []byte {
	if e == nil {
		return b
	}
	b = append(b, `,"sse":{`...)
	start := len(b)
	if e.HasID {
		b = append(b, `,"id":`...)
		b = appendString(b, e.ID)
	}
	b = appendField(b, "event", e.Event)
	b = appendInt(b, "retry", e.Retry)
	if e.NoData {
		b = append(b, `,"no_data":true`...)
	}
	if len(b) > start {
		b = append(b[:start], b[start+1:]...)
	}
	return append(b, '}')
}

// appendInt appends ,"name":n unless n is 0.
func appendInt(b []byte, name string, n int64) []byte {
	if n == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, n, 10)
}

// members reads an object's members, calling member for each key with the
// scanner at its value; it skips null values.
func (s *scanner) members(field string, member func(key string) error) error {
	if s.peek() != '{' {
		return fmt.Errorf("field %q: want an object", field)
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		k, err := s.strField(field)
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if !s.null() {
			if err := member(k); err != nil {
				return err
			}
		}
		if s.peek() == '}' {
			s.i++
			return nil
		}
		if err := s.expect(','); err != nil {
			return err
		}
	}
}

func (s *scanner) engineIO() (*EngineIO, error) {
	e := &EngineIO{}
	err := s.members("engineio", func(k string) (err error) {
		switch k {
		case "v":
			var v int64
			v, err = s.int("engineio.v")
			e.Version = int(v)
		case "sid":
			e.SID, err = s.strField("engineio.sid")
		case "ping_interval":
			e.PingInterval, err = s.int("engineio.ping_interval")
		case "ping_timeout":
			e.PingTimeout, err = s.int("engineio.ping_timeout")
		case "max_payload":
			e.MaxPayload, err = s.int("engineio.max_payload")
		case "upgrades":
			e.Upgrades, err = s.strings("engineio.upgrades")
		default:
			err = s.skip(1)
		}
		return err
	})
	return e, err
}

func (s *scanner) http() (*HTTP, error) {
	h := &HTTP{}
	err := s.members("http", func(k string) (err error) {
		switch k {
		case "method":
			h.Method, err = s.strField("http.method")
		case "url":
			h.URL, err = s.strField("http.url")
		case "status":
			var n int64
			n, err = s.int("http.status")
			h.Status = int(n)
		case "headers":
			h.Headers, err = s.headers("http.headers")
		default:
			err = s.skip(1)
		}
		return err
	})
	return h, err
}

func (s *scanner) sse() (*SSE, error) {
	e := &SSE{}
	err := s.members("sse", func(k string) (err error) {
		switch k {
		case "id":
			e.HasID = true
			e.ID, err = s.strField("sse.id")
		case "event":
			e.Event, err = s.strField("sse.event")
		case "retry":
			e.Retry, err = s.int("sse.retry")
		case "no_data":
			e.NoData, err = s.bool("sse.no_data")
		default:
			err = s.skip(1)
		}
		return err
	})
	return e, err
}

// strings reads an array of strings.
func (s *scanner) strings(field string) ([]string, error) {
	if s.peek() != '[' {
		return nil, fmt.Errorf("field %q: want an array of strings", field)
	}
	s.i++
	out := []string{}
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		v, err := s.strField(field)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if s.peek() == ']' {
			s.i++
			return out, nil
		}
		if err := s.expect(','); err != nil {
			return nil, err
		}
	}
}
