package har

import (
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// WriteOptions says how Write writes. A nil *WriteOptions is the zero
// value.
type WriteOptions struct {
	// Creator names the program in the file's "log.creator". Empty fields:
	// "wsreplay" and "dev".
	Creator Creator
}

// Creator is a HAR file's "log.creator": the program that wrote it.
type Creator struct {
	Name, Version string
}

type harOut struct {
	Log harLogOut `json:"log"`
}

type harLogOut struct {
	Version string         `json:"version"`
	Creator map[string]any `json:"creator"`
	Pages   []any          `json:"pages"`
	Entries []any          `json:"entries"` // *harEntryOut and *harHTTPEntryOut
}

type harEntryOut struct {
	StartedDateTime string         `json:"startedDateTime"`
	Time            float64        `json:"time"`
	Request         harRequestOut  `json:"request"`
	Response        harResponseOut `json:"response"`
	Cache           struct{}       `json:"cache"`
	Timings         map[string]int `json:"timings"`
	ServerIPAddress string         `json:"serverIPAddress,omitempty"`
	ResourceType    string         `json:"_resourceType"`
	Messages        []harWSFrame   `json:"_webSocketMessages"`
	Wsreplay        *harWsreplay   `json:"_wsreplay,omitempty"`
}

type harRequestOut struct {
	Method      string   `json:"method"`
	URL         string   `json:"url"`
	HTTPVersion string   `json:"httpVersion"`
	Headers     []harNV  `json:"headers"`
	QueryString []harNV  `json:"queryString"`
	Cookies     []any    `json:"cookies"`
	HeadersSize int      `json:"headersSize"`
	BodySize    int      `json:"bodySize"`
	PostData    *harBody `json:"postData,omitempty"`
}

type harResponseOut struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Headers     []harNV        `json:"headers"`
	Cookies     []any          `json:"cookies"`
	Content     map[string]any `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
}

// Write writes the events as a HAR 1.2 file: one entry per session,
// with the handshake as request and response (headers as recorded,
// redactions kept) and the messages in "_webSocketMessages" as Chrome writes
// them, so that Chrome DevTools can import it. The events may hold several
// sessions, in any interleaving. The package doc says what HAR cannot
// carry.
func Write(w io.Writer, evs []*format.Event, o *WriteOptions) error {
	hw := NewWriter(w, o)
	for _, e := range evs {
		if err := hw.Write(e); err != nil {
			return err
		}
	}
	return hw.Close()
}

// creator returns "log.creator" with its defaults filled in.
func (o *WriteOptions) creator() map[string]any {
	c := Creator{"wsreplay", "dev"}
	if o != nil && o.Creator.Name != "" {
		c.Name = o.Creator.Name
	}
	if o != nil && o.Creator.Version != "" {
		c.Version = o.Creator.Version
	}
	return map[string]any{"name": c.Name, "version": c.Version}
}

func newHAREntry() *harEntryOut {
	return &harEntryOut{
		ResourceType: "websocket",
		Request: harRequestOut{Method: "GET", URL: "ws://localhost/", HTTPVersion: "HTTP/1.1",
			Headers: []harNV{}, QueryString: []harNV{}, Cookies: []any{}, HeadersSize: -1},
		Response: harResponseOut{Status: 101, StatusText: "Switching Protocols", HTTPVersion: "HTTP/1.1",
			Headers: []harNV{}, Cookies: []any{}, Content: map[string]any{"size": 0, "mimeType": "x-unknown"},
			HeadersSize: -1, BodySize: -1},
		// Chrome's importer wants every timing as a number; -1 is "does
		// not apply".
		Timings:  map[string]int{"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
		Messages: []harWSFrame{},
	}
}

func fillHAREntry(ent *harEntryOut, e *format.Event) {
	u := e.Upstream
	if u == "" {
		u = "ws://localhost" + e.URL
	}
	ent.Request.URL = u
	if parsed, err := url.Parse(u); err == nil {
		ent.Request.QueryString = append(ent.Request.QueryString, splitQuery(parsed.RawQuery)...)
	}
	ent.Request.Headers = harNVs(e.RequestHeaders)
	ent.Response.Headers = harNVs(e.ResponseHeaders)
	ent.Wsreplay = &harWsreplay{Session: e.Session, URL: e.URL, Upstream: e.Upstream, Subprotocol: e.Subprotocol,
		Extensions: e.Extensions, Protocol: e.Protocol}
	if e.Kind == format.KindSockJS {
		ent.Wsreplay.Kind = e.Kind.String() // its messages are the application's, as a WebSocket's are
	}
	if e.Kind == format.KindSocketIO {
		ent.Wsreplay.Kind = e.Kind.String()
		if x := e.EngineIO; x != nil {
			ent.Wsreplay.EngineIO = &harEngineIO{Version: x.Version, SID: x.SID, PingInterval: x.PingInterval,
				PingTimeout: x.PingTimeout, MaxPayload: x.MaxPayload, Upgrades: x.Upgrades}
		}
	}
}

func splitQuery(q string) []harNV {
	var out []harNV
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		out = append(out, harNV{name, value})
	}
	return out
}

func harNVs(h map[string][]string) []harNV {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := []harNV{}
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNV{k, v})
		}
	}
	return out
}

// harTimeJSON writes t as epoch seconds with six decimals.
func harTimeJSON(t time.Time) json.RawMessage {
	us := t.UnixMicro()
	if us < 0 {
		return json.RawMessage(strconv.FormatFloat(float64(us)/1e6, 'f', 6, 64))
	}
	s := strconv.FormatInt(us/1e6, 10) + "." + leftPad(strconv.FormatInt(us%1e6, 10), 6)
	return json.RawMessage(s)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
