// Package importer turns a backend's own export of the messages it pushed
// (JSON lines, or one JSON array) into a recording: what the import command
// runs. It lives apart from package format, which knows only its own files.
//
//	res, err := importer.Read(f, importer.Options{Name: path, Time: "ts", Data: "payload"})
package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Options says how to read a backend's own export of the messages it
// pushed. Field names are dotted paths into each record ("meta.ts",
// "payload"); a numeric part indexes an array.
type Options struct {
	Name string // file name for errors
	// Time and Data name the fields holding each message's time and
	// payload. Required.
	Time, Data string
	// format.Dir names a field telling the direction, seen from the backend that
	// wrote the export: "in" (also send, sent, client, incoming, inbound,
	// up) for client to server; "out" (also receive, received, server,
	// outgoing, outbound, down, push) for server to client. Empty: every
	// message is "receive", a push to the client.
	Dir string
	// Session names a field grouping records into sessions. Empty: one
	// session.
	Session string
	// TimeUnit is "rfc3339", "s", "ms" or "us". Empty: RFC 3339 for
	// strings; for numbers, seconds below 1e11, milliseconds below 1e14,
	// microseconds above.
	TimeUnit string
	// URL is the path recorded for the sessions. Empty: "/".
	URL string
	// SkipBad skips records with missing or mistyped fields, counting
	// them, instead of failing.
	SkipBad bool
}

// Result is what Read made of an export.
type Result struct {
	Events  []*format.Event // per session: its session line, then its messages by time
	Records int             // records read
	Skipped int             // records skipped (SkipBad)
}

// Read reads JSON lines, or one JSON array, of exported messages and
// returns them as a recording. It holds the whole export in memory, to sort
// it by time.
func Read(r io.Reader, o Options) (*Result, error) {
	if o.Time == "" || o.Data == "" {
		return nil, errors.New("import needs the names of the time and data fields")
	}
	switch o.TimeUnit {
	case "", "rfc3339", "s", "ms", "us":
	default:
		return nil, fmt.Errorf("time unit %q is not rfc3339, s, ms or us", o.TimeUnit)
	}
	res := &Result{}
	bySession := map[string][]*format.Event{}
	var order []string
	add := func(where string, rec json.RawMessage) error {
		res.Records++
		e, sess, err := importRecord(rec, &o)
		if err != nil {
			if o.SkipBad {
				res.Skipped++
				return nil
			}
			return fmt.Errorf("%s: %s: %w", o.Name, where, err)
		}
		if _, ok := bySession[sess]; !ok {
			order = append(order, sess)
		}
		e.Session = sess
		bySession[sess] = append(bySession[sess], e)
		return nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64)
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	var err error
	if len(head) > 0 && head[0] == '[' {
		err = importArray(o.Name, br, add)
	} else {
		err = importLines(br, add)
	}
	if err != nil {
		return nil, err
	}
	url := o.URL
	if url == "" {
		url = "/"
	}
	for _, sess := range order {
		msgs := bySession[sess]
		slices.SortStableFunc(msgs, func(a, b *format.Event) int { return a.Time.Compare(b.Time) })
		res.Events = append(res.Events, &format.Event{Type: format.TypeSession, Version: format.Version, Session: sess, Time: msgs[0].Time, URL: url})
		res.Events = append(res.Events, msgs...)
	}
	return res, nil
}

func importArray(name string, r io.Reader, add func(string, json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	bad := func(where string, err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%s: invalid JSON: the array ends early, at %s", name, where)
		}
		return fmt.Errorf("%s: invalid JSON at %s: %v", name, where, err)
	}
	if _, err := dec.Token(); err != nil {
		return bad("[0]", err)
	}
	for i := 0; dec.More(); i++ {
		var rec json.RawMessage
		if err := dec.Decode(&rec); err != nil {
			return bad(fmt.Sprintf("[%d]", i), err)
		}
		if err := add(fmt.Sprintf("[%d]", i), rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return bad("its end", err)
	}
	return nil
}

func importLines(br *bufio.Reader, add func(string, json.RawMessage) error) error {
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if !json.Valid(line) {
				if aerr := add(fmt.Sprintf("line %d", n), nil); aerr != nil {
					return aerr
				}
			} else if aerr := add(fmt.Sprintf("line %d", n), line); aerr != nil {
				return aerr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// importRecord turns one exported record into a message and its session.
func importRecord(rec json.RawMessage, o *Options) (*format.Event, string, error) {
	if rec == nil {
		return nil, "", errors.New("not valid JSON")
	}
	e := &format.Event{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text}
	raw, err := lookup(rec, o.Time)
	if err != nil {
		return nil, "", err
	}
	if e.Time, err = importTime(raw, o.TimeUnit); err != nil {
		return nil, "", fmt.Errorf("field %q: %w", o.Time, err)
	}
	if raw, err = lookup(rec, o.Data); err != nil {
		return nil, "", err
	}
	switch raw[0] {
	case '"':
		var s string
		json.Unmarshal(raw, &s)
		e.Data = []byte(s)
	case 'n':
		return nil, "", fmt.Errorf("field %q is null", o.Data)
	default:
		var buf bytes.Buffer
		json.Compact(&buf, raw)
		e.Data = buf.Bytes()
	}
	if o.Dir != "" {
		if raw, err = lookup(rec, o.Dir); err != nil {
			return nil, "", err
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, "", fmt.Errorf("field %q: %s is not a string", o.Dir, raw)
		}
		switch strings.ToLower(s) {
		case "in", "send", "sent", "client", "incoming", "inbound", "up":
			e.Dir = format.Send
		case "out", "receive", "received", "server", "outgoing", "outbound", "down", "push":
			e.Dir = format.Receive
		default:
			return nil, "", fmt.Errorf("field %q: %q is not a direction (in or out, send or receive)", o.Dir, s)
		}
	}
	sess := "import"
	if o.Session != "" {
		if raw, err = lookup(rec, o.Session); err != nil {
			return nil, "", err
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			sess = s
		} else if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
			sess = string(raw)
		} else {
			return nil, "", fmt.Errorf("field %q: %s is not a string or number", o.Session, raw)
		}
		if sess == "" {
			return nil, "", fmt.Errorf("field %q is empty", o.Session)
		}
	}
	return e, sess, nil
}

// lookup follows a dotted path into a JSON value.
func lookup(rec json.RawMessage, path string) (json.RawMessage, error) {
	cur := rec
	for _, part := range strings.Split(path, ".") {
		cur = bytes.TrimSpace(cur)
		if len(cur) == 0 {
			return nil, fmt.Errorf("missing field %q", path)
		}
		switch cur[0] {
		case '{':
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(cur, &obj); err != nil {
				return nil, err
			}
			next, ok := obj[part]
			if !ok {
				return nil, fmt.Errorf("missing field %q", path)
			}
			cur = next
		case '[':
			i, err := strconv.Atoi(part)
			var arr []json.RawMessage
			if err != nil || json.Unmarshal(cur, &arr) != nil || i < 0 || i >= len(arr) {
				return nil, fmt.Errorf("missing field %q", path)
			}
			cur = arr[i]
		default:
			return nil, fmt.Errorf("missing field %q", path)
		}
	}
	cur = bytes.TrimSpace(cur)
	if len(cur) == 0 {
		return nil, fmt.Errorf("missing field %q", path)
	}
	return cur, nil
}

// importTime reads a time in the given unit ("" guesses) that a recording
// can hold.
func importTime(raw json.RawMessage, unit string) (time.Time, error) {
	t, err := parseTime(raw, unit)
	if err != nil {
		return time.Time{}, err
	}
	if t, err = format.CheckTime(t); err != nil {
		return time.Time{}, fmt.Errorf("%s is %w", raw, err)
	}
	return t, nil
}

func parseTime(raw json.RawMessage, unit string) (time.Time, error) {
	var s string
	isString := json.Unmarshal(raw, &s) == nil
	if isString && (unit == "" || unit == "rfc3339") {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
		}
		return t, nil
	}
	num := string(raw)
	if isString {
		num = s
	}
	if unit == "rfc3339" {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", raw)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return time.Time{}, fmt.Errorf("%s is not a time", raw)
	}
	if unit == "" {
		switch {
		case f < 1e11:
			unit = "s"
		case f < 1e14:
			unit = "ms"
		default:
			unit = "us"
		}
	}
	var us float64
	switch unit {
	case "s":
		us = f * 1e6
	case "ms":
		us = f * 1e3
	case "us":
		us = f
	}
	if us > 1e17 {
		return time.Time{}, fmt.Errorf("%s is too far in the future", raw)
	}
	return time.UnixMicro(int64(math.Round(us))), nil
}
