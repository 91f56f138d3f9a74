package har

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// This file holds the sessions HTTP carried: an event stream (kind sse) is
// one entry whose events are in "_eventSourceMessages", as Chrome DevTools
// keeps an EventSource's messages ("time" in epoch seconds, "eventName",
// "eventId" the last event id so far, "data"); a poller (kind poll) is one
// ordinary entry per exchange, request and response with their bodies.
// "_wsreplay" keeps what HAR has no place for: the kind, the session's
// ending, and an event's own fields (its id if it had one, its retry, a
// block without data).

// jsonTime is a time written as epoch seconds with six decimals, and read
// as message times are (harTime).
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) { return harTimeJSON(time.Time(t)), nil }

func (t *jsonTime) UnmarshalJSON(b []byte) error {
	v, err := harTime(b)
	*t = jsonTime(v)
	return err
}

// harSSEMessage is one of an entry's "_eventSourceMessages".
type harSSEMessage struct {
	Time      jsonTime `json:"time"`
	EventName string   `json:"eventName"`
	EventID   string   `json:"eventId"`
	Data      string   `json:"data"`
	HasID     *bool    `json:"_hasId,omitempty"`
	Retry     int64    `json:"_retry,omitempty"`
	NoData    bool     `json:"_noData,omitempty"`
}

// harEnding is a session's close line, in "_wsreplay.close".
type harEnding struct {
	Time   jsonTime `json:"time"`
	By     string   `json:"by"`
	Code   int      `json:"code"`
	Reason string   `json:"reason,omitempty"`
	Clean  bool     `json:"clean"`
	Lost   int64    `json:"lost,omitempty"`
}

// harBodyIn is a request's postData or a response's content, as Read
// reads it.
type harBodyIn struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding"`
}

// harBody is a request's postData or a response's content.
type harBody struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Encoding string `json:"encoding,omitempty"`
}

// harHTTPEntryOut is an entry of a session HTTP carried.
type harHTTPEntryOut struct {
	StartedDateTime string          `json:"startedDateTime"`
	Time            float64         `json:"time"`
	Request         harRequestOut   `json:"request"`
	Response        harResponseOut  `json:"response"`
	Cache           struct{}        `json:"cache"`
	Timings         map[string]int  `json:"timings"`
	ResourceType    string          `json:"_resourceType"`
	EventSource     []harSSEMessage `json:"_eventSourceMessages,omitempty"`
	Wsreplay        *harWsreplay    `json:"_wsreplay"`
}

// httpSession gathers the entries of one session HTTP carried, as Write
// meets its lines.
type httpSession struct {
	kind    format.Kind
	line    *format.Event // the session line
	entries []*harHTTPEntryOut
	req     *format.Event // a poll request waiting for its response
	lastID  string
}

func newHTTPSession(e *format.Event) *httpSession {
	return &httpSession{kind: e.Kind, line: e}
}

func (h *httpSession) newEntry(start time.Time) *harHTTPEntryOut {
	ent := &harHTTPEntryOut{StartedDateTime: start.UTC().Format("2006-01-02T15:04:05.000000Z"),
		Request: harRequestOut{Method: "GET", URL: httpURL(h.line, h.line.URL), HTTPVersion: "HTTP/1.1",
			Headers: harNVs(h.line.RequestHeaders), QueryString: []harNV{}, Cookies: []any{}, HeadersSize: -1},
		Response: harResponseOut{Status: 200, StatusText: "OK", HTTPVersion: "HTTP/1.1", Headers: harNVs(h.line.ResponseHeaders),
			Cookies: []any{}, Content: map[string]any{"size": 0, "mimeType": "text/event-stream"}, HeadersSize: -1, BodySize: -1},
		Timings:      map[string]int{"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
		ResourceType: "eventsource",
		Wsreplay: &harWsreplay{Session: h.line.Session, URL: h.line.URL, Upstream: h.line.Upstream,
			Kind: h.kind.String()},
	}
	if u, err := url.Parse(ent.Request.URL); err == nil {
		ent.Request.QueryString = append(ent.Request.QueryString, splitQuery(u.RawQuery)...)
	}
	h.entries = append(h.entries, ent)
	return ent
}

// httpURL is the full URL of a request to path in the session of line.
func httpURL(line *format.Event, path string) string {
	if u, err := url.Parse(line.Upstream); err == nil && u.Host != "" {
		if p, err := url.Parse(path); err == nil {
			return u.ResolveReference(p).String()
		}
	}
	return "http://localhost" + path
}

// add takes a line of the session.
func (h *httpSession) add(e *format.Event) {
	switch {
	case e.Type == format.TypeMessage && h.kind == format.KindSSE:
		h.event(e)
	case e.Type == format.TypeMessage && e.Dir == format.Send:
		h.req = e
	case e.Type == format.TypeMessage && h.req != nil:
		h.exchange(h.req, e)
		h.req = nil
	case e.Type == format.TypeClose:
		if h.kind == format.KindSSE && len(h.entries) == 0 {
			h.newEntry(h.line.Time)
		}
		if len(h.entries) > 0 {
			last := h.entries[len(h.entries)-1]
			last.Wsreplay.Close = &harEnding{Time: jsonTime(e.Time), By: e.By, Code: e.Code, Reason: e.Reason,
				Clean: e.Clean, Lost: e.Lost}
		}
	}
}

func (h *httpSession) event(e *format.Event) {
	if len(h.entries) == 0 {
		h.newEntry(h.line.Time)
	}
	ent := h.entries[0]
	m := harSSEMessage{Time: jsonTime(e.Time), EventName: "message", Data: string(e.Data)}
	if s := e.SSE; s != nil {
		if s.Event != "" {
			m.EventName = s.Event
		}
		if s.HasID {
			h.lastID = s.ID
		}
		hasID := s.HasID
		m.HasID, m.Retry, m.NoData = &hasID, s.Retry, s.NoData
	}
	m.EventID = h.lastID
	ent.EventSource = append(ent.EventSource, m)
	ent.Time = math.Round(float64(e.Time.Sub(h.line.Time).Microseconds())) / 1000
}

// exchange writes a poll's request and response as an entry.
func (h *httpSession) exchange(req, resp *format.Event) {
	ent := h.newEntry(req.Time)
	ent.ResourceType = "fetch"
	ent.Time = math.Round(float64(resp.Time.Sub(req.Time).Microseconds())) / 1000
	if r := req.HTTP; r != nil {
		ent.Request.Method, ent.Request.URL = r.Method, httpURL(h.line, r.URL)
		ent.Request.Headers = harNVs(r.Headers)
		ent.Request.QueryString = []harNV{}
		if u, err := url.Parse(ent.Request.URL); err == nil {
			ent.Request.QueryString = append(ent.Request.QueryString, splitQuery(u.RawQuery)...)
		}
	}
	if len(req.Data) > 0 {
		ent.Request.PostData = body(req, header(req.HTTP, "Content-Type"))
		ent.Request.BodySize = len(req.Data)
	}
	ent.Response.Status, ent.Response.StatusText = 0, ""
	if r := resp.HTTP; r != nil {
		ent.Response.Status, ent.Response.Headers = r.Status, harNVs(r.Headers)
	}
	b := body(resp, header(resp.HTTP, "Content-Type"))
	ent.Response.Content = map[string]any{"size": b.Size, "mimeType": b.MimeType, "text": b.Text}
	if b.Encoding != "" {
		ent.Response.Content["encoding"] = b.Encoding
	}
	ent.Response.BodySize = len(resp.Data)
}

func header(h *format.HTTP, name string) string {
	if h == nil {
		return ""
	}
	for k, vs := range h.Headers {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func body(e *format.Event, mime string) *harBody {
	b := &harBody{Size: len(e.Data), MimeType: mime, Text: string(e.Data)}
	if e.Opcode == format.Binary || !utf8.Valid(e.Data) {
		b.Text, b.Encoding = base64.StdEncoding.EncodeToString(e.Data), "base64"
	}
	return b
}

// readSSE reads an entry with "_eventSourceMessages" as an sse session.
func readSSE(ent harEntry, id string) ([]*format.Event, error) {
	start, err := time.Parse(time.RFC3339Nano, ent.StartedDateTime)
	if err != nil && len(ent.EventSource) > 0 {
		start = time.Time(ent.EventSource[0].Time)
	}
	if start, err = format.CheckTime(start); err != nil {
		return nil, fmt.Errorf("startedDateTime: %w", err)
	}
	line := harSessionLine(ent, id, start)
	line.Kind = format.KindSSE
	evs := []*format.Event{line}
	lastID := ""
	for j, m := range ent.EventSource {
		t, err := format.CheckTime(time.Time(m.Time))
		if err != nil {
			return nil, fmt.Errorf("_eventSourceMessages[%d].time: %w", j, err)
		}
		s := &format.SSE{ID: m.EventID, Retry: m.Retry, NoData: m.NoData}
		if m.EventName != "message" {
			s.Event = m.EventName
		}
		if m.HasID != nil {
			s.HasID = *m.HasID
		} else {
			s.HasID = m.EventID != lastID // Chrome's eventId is the last id so far
		}
		lastID = m.EventID
		if !s.HasID {
			s.ID = ""
		}
		e := &format.Event{Type: format.TypeMessage, Session: id, Time: t, Dir: format.Receive,
			Opcode: format.Text, Data: []byte(m.Data), SSE: s}
		if !utf8.ValidString(m.Data) {
			e.Opcode = format.Binary
		}
		evs = append(evs, e)
	}
	return appendEnding(evs, ent.Wsreplay, id), nil
}

func appendEnding(evs []*format.Event, w *harWsreplay, id string) []*format.Event {
	if w == nil || w.Close == nil {
		return evs
	}
	c := w.Close
	return append(evs, &format.Event{Type: format.TypeClose, Session: id, Time: time.Time(c.Time), By: c.By,
		Code: c.Code, Reason: c.Reason, Clean: c.Clean, Lost: c.Lost})
}

// pollReader gathers the entries of poll sessions that Write wrote, each
// marked with its session in "_wsreplay".
type pollReader struct {
	open map[string]bool
}

// read turns one exchange into its lines: the session line first, if the
// session is new, then the request and the response, and its ending if it
// is the last.
func (p *pollReader) read(ent harEntry) ([]*format.Event, error) {
	w := ent.Wsreplay
	id := w.Session
	start, err := time.Parse(time.RFC3339Nano, ent.StartedDateTime)
	if err != nil {
		return nil, fmt.Errorf("startedDateTime: %q is not an RFC 3339 time", ent.StartedDateTime)
	}
	if start, err = format.CheckTime(start); err != nil {
		return nil, fmt.Errorf("startedDateTime: %w", err)
	}
	var evs []*format.Event
	if p.open == nil {
		p.open = map[string]bool{}
	}
	if !p.open[id] {
		p.open[id] = true
		line := harSessionLine(ent, id, start)
		line.Kind, line.ResponseHeaders = format.KindPoll, nil // a poller's session line has its first request's headers
		evs = append(evs, line)
	}
	reqURL := ent.Request.URL
	if u, err := url.Parse(reqURL); err == nil {
		reqURL = u.RequestURI()
	}
	req := &format.Event{Type: format.TypeMessage, Session: id, Time: start, Dir: format.Send,
		HTTP: &format.HTTP{Method: ent.Request.Method, URL: reqURL, Headers: harHeaders(ent.Request)}}
	req.Opcode, req.Data = bodyData(ent.Request.PostData)
	respAt := start.Add(time.Duration(math.Round(ent.Time*1000)) * time.Microsecond)
	resp := &format.Event{Type: format.TypeMessage, Session: id, Time: respAt, Dir: format.Receive,
		HTTP: &format.HTTP{Status: ent.Response.Status, Headers: harHeaders(ent.Response)}}
	resp.Opcode, resp.Data = bodyData(ent.Response.Content)
	return appendEnding(append(evs, req, resp), w, id), nil
}

func bodyData(b *harBodyIn) (format.Opcode, []byte) {
	if b == nil {
		return format.Text, []byte{}
	}
	if b.Encoding == "base64" {
		if d, err := base64.StdEncoding.DecodeString(b.Text); err == nil {
			return format.Binary, d
		}
	}
	return format.Text, []byte(b.Text)
}

// readHTTP reads an entry of a session HTTP carried: an event stream
// (messages in "_eventSourceMessages", or an eventsource entry of a file
// wsreplay wrote) or an exchange of a poll session wsreplay wrote. ok is
// false for any other entry.
func readHTTP(ent harEntry, i int, polls *pollReader) (evs []*format.Event, ok bool, err error) {
	w := ent.Wsreplay
	switch {
	case len(ent.EventSource) > 0 || w != nil && w.Kind == format.KindSSE.String():
		id := fmt.Sprintf("har-%d", i)
		if w != nil && w.Session != "" {
			id = w.Session
		}
		evs, err = readSSE(ent, id)
		return evs, true, err
	case w != nil && w.Kind == format.KindPoll.String() && w.Session != "":
		evs, err = polls.read(ent)
		return evs, true, err
	}
	return nil, false, nil
}
