package har

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Recording is what Read found in a HAR file.
type Recording struct {
	// Events holds, for every WebSocket entry with messages, a session
	// line, its messages in time order, and a close line if the HAR has a
	// close frame (opcode 8). Sessions are named "har-N" after the entry's
	// index. The Engine.IO (Socket.IO) entries of one sid, its polling
	// requests and its WebSocket, are one format.KindSocketIO session, a
	// message per packet (engineio.go), after the others.
	Events []*format.Event
	// Skipped counts WebSocket entries without messages (Firefox and
	// Playwright write those).
	Skipped int
}

type harEntry struct {
	StartedDateTime string          `json:"startedDateTime"`
	Time            float64         `json:"time"` // milliseconds, request to last byte
	ResourceType    string          `json:"_resourceType"`
	Request         harMessage      `json:"request"`
	Response        harMessage      `json:"response"`
	Messages        []harWSFrame    `json:"_webSocketMessages"`
	EventSource     []harSSEMessage `json:"_eventSourceMessages"`
	Wsreplay        *harWsreplay    `json:"_wsreplay"`
}

type harMessage struct {
	Method   string     `json:"method"`
	URL      string     `json:"url"`
	Status   int        `json:"status"`
	Headers  []harNV    `json:"headers"`
	PostData *harBodyIn `json:"postData"`
	Content  *harBodyIn `json:"content"`
}

// Read reads a HAR 1.2 file whose WebSocket entries carry their messages
// in "_webSocketMessages", as Chrome, Edge and mitmproxy write them: "type"
// send or receive, "time" in epoch seconds (or milliseconds, for numbers
// above 1e11, or an RFC 3339 string), "opcode" 1 for text and anything else
// for base64 "data". Entries that are not WebSockets are ignored. name is
// used in errors.
func Read(r io.Reader, name string) (*Recording, error) {
	h := &Recording{}
	rd := NewReader(r, name)
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, s.Events...)
	}
	h.Skipped = rd.Skipped()
	return h, nil
}

// harSession turns one WebSocket entry into a session line, its messages in
// time order and its close line, if it has one. It returns nil for an entry
// with only pings and pongs.
func harSession(ent harEntry, id string) ([]*format.Event, error) {
	msgs, closing, err := harMessages(ent.Messages, id)
	if err != nil || len(msgs) == 0 && closing == nil {
		return nil, err
	}
	var start, last time.Time
	if len(msgs) > 0 {
		start, last = msgs[0].Time, msgs[len(msgs)-1].Time
	} else {
		start, last = closing.Time, closing.Time
	}
	// The entry's start, if it is earlier: the handshake, before the first
	// message.
	if t, err := time.Parse(time.RFC3339Nano, ent.StartedDateTime); err == nil && t.Before(start) {
		if t, err := format.CheckTime(t); err == nil {
			start = t
		}
	}
	evs := append([]*format.Event{harSessionLine(ent, id, start)}, msgs...)
	if closing != nil {
		closing.Time = later(closing.Time, last)
		evs = append(evs, closing)
	}
	return evs, nil
}

// harMessages reads an entry's frames: its messages, sorted by time, and
// its first close frame as a close line. Pings and pongs are left out: they
// are not part of the timeline.
func harMessages(frames []harWSFrame, id string) (msgs []*format.Event, closing *format.Event, err error) {
	for j, m := range frames {
		where := fmt.Sprintf("_webSocketMessages[%d]", j)
		t, err := harTime(m.Time)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.time: %w", where, err)
		}
		var dir format.Dir
		switch m.Type {
		case "send":
			dir = format.Send
		case "receive":
			dir = format.Receive
		default:
			return nil, nil, fmt.Errorf("%s.type: %q is not send or receive", where, m.Type)
		}
		e := &format.Event{Type: format.TypeMessage, Session: id, Time: t, Dir: dir}
		switch m.Opcode {
		case 1:
			e.Opcode, e.Data = format.Text, []byte(m.Data)
		case 8:
			if closing == nil {
				closing = harClose(e, m.Data)
			}
			continue
		case 9, 10:
			continue
		default:
			data, err := base64.StdEncoding.DecodeString(m.Data)
			if err != nil {
				return nil, nil, fmt.Errorf("%s.data: invalid base64 for opcode %d", where, m.Opcode)
			}
			e.Opcode, e.Data = format.Binary, data
		}
		msgs = append(msgs, e)
	}
	slices.SortStableFunc(msgs, func(a, b *format.Event) int { return a.Time.Compare(b.Time) })
	return msgs, closing, nil
}

// harSessionLine is the session line of an entry that starts at start: the
// handshake's URL and headers, or, in a file wsreplay wrote, the exact
// values it kept in "_wsreplay".
func harSessionLine(ent harEntry, id string, start time.Time) *format.Event {
	sess := &format.Event{Type: format.TypeSession, Version: format.Version, Session: id, Time: start, Upstream: ent.Request.URL,
		RequestHeaders: harHeaders(ent.Request), ResponseHeaders: harHeaders(ent.Response)}
	if u, err := url.Parse(ent.Request.URL); err == nil {
		sess.URL = u.RequestURI()
	}
	for _, v := range sess.ResponseHeaders["Sec-Websocket-Protocol"] {
		sess.Subprotocol = v
	}
	if w := ent.Wsreplay; w != nil {
		sess.URL, sess.Upstream, sess.Subprotocol, sess.Extensions = w.URL, w.Upstream, w.Subprotocol, w.Extensions
		sess.Protocol = w.Protocol
	}
	return sess
}

// harClose turns a close frame into a close line. Its data is the close
// payload (a big-endian code and a reason), as text or base64.
func harClose(e *format.Event, data string) *format.Event {
	c := &format.Event{Type: format.TypeClose, Session: e.Session, Time: e.Time, Code: 1005, Clean: true, By: format.ByServer}
	if e.Dir == format.Send {
		c.By = format.ByClient
	}
	payload, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		payload = []byte(data)
	}
	if len(payload) >= 2 {
		c.Code = int(binary.BigEndian.Uint16(payload))
		c.Reason = string(payload[2:])
	}
	return c
}

// harHeaders converts a HAR header list, leaving out HTTP/2 pseudo-headers.
func harHeaders(m harMessage) map[string][]string {
	h := map[string][]string{}
	for _, kv := range m.Headers {
		if kv.Name == "" || kv.Name[0] == ':' {
			continue
		}
		k := canonicalHeader(kv.Name)
		h[k] = append(h[k], kv.Value)
	}
	return h
}

// canonicalHeader is textproto.CanonicalMIMEHeaderKey, except that it folds
// every name: textproto leaves a name with a byte outside the HTTP token set
// (a space, say) as it is, and a HAR file's names were never checked.
func canonicalHeader(s string) string {
	b := []byte(strings.ToLower(s))
	upper := true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}

// harTime reads a message time: epoch seconds as a number, epoch
// milliseconds for numbers above 1e11, or an RFC 3339 string.
func harTime(raw json.RawMessage) (time.Time, error) {
	t, err := parseHARTime(raw)
	if err != nil {
		return time.Time{}, err
	}
	if t, err = format.CheckTime(t); err != nil {
		return time.Time{}, fmt.Errorf("%s is %w", raw, err)
	}
	return t, nil
}

func parseHARTime(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 {
		return time.Time{}, errors.New("missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not a number or an RFC 3339 time", s)
		}
		return t, nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e16 {
		return time.Time{}, fmt.Errorf("%s is not a number of seconds or an RFC 3339 time", raw)
	}
	if f > 1e11 {
		f /= 1000 // milliseconds
	}
	sec, frac := math.Modf(f)
	// Round to the microsecond: a float64 of epoch seconds holds no more.
	usec := math.Round(frac * 1e6)
	return time.Unix(int64(sec), int64(usec)*1000), nil
}

// harError words a decoding error for a user and wraps it, but for a
// *json.UnmarshalTypeError, whose text names Go types: it is said in JSON's
// terms and not wrapped.
func harError(name string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %s: %s where %s is expected", name, te.Field, te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: invalid JSON at byte %d: %w", name, se.Offset, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w: HAR file ends early", name, format.ErrTruncated)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
