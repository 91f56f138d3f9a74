package protocol

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// SockJS is the profile of SockJS (the sockjs-protocol 0.3 document;
// sockjs-client, sockjs-node, Spring's and Vert.x's servers) over its
// websocket transport. The client first asks GET <base>/info (Bootstrapper)
// and then opens <base>/<server>/<session>/websocket, two path parts it
// makes up for every connection (Endpointer). The server frames what it
// sends: "o" opens, "h" is a heartbeat (every 25 s by default,
// HeartbeatSender), a["m1","m2"] carries the application's messages, and
// c[3000,"Go away!"] closes with SockJS's own code and reason; the
// client sends a JSON array of strings, or one string.
//
// Its xhr_streaming and xhr transports are recorded and replayed as one
// session of kind sockjs with the websocket (recorder/sockjs.go,
// replayer/sockjs.go); the others (eventsource, htmlfile, iframe, jsonp)
// are named by Fallbacker, not served.
type SockJS struct{}

// Name returns "sockjs".
func (SockJS) Name() string { return "sockjs" }

// sockJSTransports are the last path parts of a SockJS session's
// transports (sockjs-protocol 0.3), the websocket aside.
var sockJSTransports = map[string]string{
	"xhr": "xhr-polling", "xhr_send": "xhr send", "xhr_streaming": "xhr-streaming",
	"eventsource": "eventsource", "htmlfile": "htmlfile", "jsonp": "jsonp-polling", "jsonp_send": "jsonp send",
}

// sockJSSession splits a path <base>/<server>/<session>/<transport>: the
// session part is any non-empty string without a dot, the server part
// digits (sockjs-client makes three; the protocol allows any string, but
// "/api/v1/websocket" is not SockJS).
func sockJSSession(path string) (base, transport string, ok bool) {
	parts := strings.Split(path, "/")
	n := len(parts)
	if n < 4 || parts[n-2] == "" || strings.Contains(parts[n-2], ".") || !digits(parts[n-3]) {
		return "", "", false
	}
	return strings.Join(parts[:n-3], "/"), parts[n-1], true
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Recognize reports a WebSocket on a SockJS session's websocket path
// whose server, once heard, begins with the open frame "o".
func (SockJS) Recognize(o Opening) bool {
	if o.Kind != format.KindWebSocket || o.URL == nil {
		return false
	}
	if _, transport, ok := sockJSSession(o.URL.Path); !ok || transport != "websocket" {
		return false
	}
	for _, m := range o.First {
		if m.Dir == format.Receive {
			return !m.Binary && string(m.Data) == "o"
		}
	}
	return true
}

// Endpoint returns the websocket path with its server and session parts
// as "*": "/echo/*/*/websocket", for the paths of a session's websocket,
// xhr_streaming and xhr (a session recorded on one transport is played on
// whichever the client picks).
func (SockJS) Endpoint(u *url.URL) (string, bool) {
	base, transport, ok := sockJSSession(u.Path)
	if !ok || transport != "websocket" && transport != "xhr_streaming" && transport != "xhr" {
		return "", false
	}
	return base + "/*/*/websocket", true
}

// Describe reads a frame: the server's open, heartbeat, message array and
// close; the client's message array.
func (SockJS) Describe(m Message) Description {
	if m.Binary || len(m.Data) == 0 {
		return Description{}
	}
	if m.Dir == format.Send {
		return describeSockJSMessages(m.Data, m.Data[0] == '"')
	}
	switch m.Data[0] {
	case 'o':
		if len(m.Data) == 1 {
			return Description{Kind: "open", Summary: "open"}
		}
	case 'h':
		if len(m.Data) == 1 {
			return Description{Kind: "heartbeat", Heartbeat: true, Summary: "heartbeat"}
		}
	case 'a':
		return describeSockJSMessages(m.Data[1:], false)
	case 'c':
		var c []json.RawMessage
		var code int
		var reason string
		if json.Unmarshal(m.Data[1:], &c) != nil || len(c) != 2 || json.Unmarshal(c[0], &code) != nil || json.Unmarshal(c[1], &reason) != nil {
			return Description{}
		}
		return Description{Kind: "close", Summary: "close " + strconv.Itoa(code) + " " + strconv.Quote(reason)}
	}
	return Description{}
}

// describeSockJSMessages reads a JSON array of strings (one string if
// single): the application's messages, shown as they are, one per line.
func describeSockJSMessages(data []byte, single bool) Description {
	var msgs []string
	if single {
		var one string
		if json.Unmarshal(data, &one) != nil {
			return Description{}
		}
		msgs = []string{one}
	} else if json.Unmarshal(data, &msgs) != nil || msgs == nil {
		return Description{}
	}
	summary := strings.Join(msgs, "\n")
	switch {
	case len(msgs) == 0:
		summary = "no messages"
	case summary == "":
		summary = strconv.Quote(summary) // an empty message is shown, not nothing
	}
	return Description{Kind: "message", Summary: summary}
}

// SendHeartbeat returns the server's "h" every 25 s, sockjs-node's and
// Spring's default heartbeat_delay.
func (SockJS) SendHeartbeat(Opening) (Beat, bool) {
	return Beat{Interval: 25e9, Message: Message{Dir: format.Receive, Data: []byte("h")}}, true
}

// Bootstrap reports GET <base>/info.
func (SockJS) Bootstrap(r *http.Request) bool {
	return r.Method == http.MethodGet && (r.URL.Path == "/info" || strings.HasSuffix(r.URL.Path, "/info"))
}

// sockJSInfo is what the recorder checks and the replay copies of an /info
// answer.
type sockJSInfo struct {
	WebSocket    *bool           `json:"websocket"`
	CookieNeeded *bool           `json:"cookie_needed"`
	Origins      json.RawMessage `json:"origins"`
	Entropy      *json.Number    `json:"entropy"`
}

// RecognizeBootstrap reports a 200 answer that is a JSON object with
// "websocket", "cookie_needed", "origins" and "entropy".
func (SockJS) RecognizeBootstrap(_ *http.Request, status int, body []byte) bool {
	var info sockJSInfo
	return status == http.StatusOK && json.Unmarshal(body, &info) == nil &&
		info.WebSocket != nil && info.CookieNeeded != nil && info.Origins != nil && info.Entropy != nil
}

// AnswerBootstrap answers /info with the recorded websocket, cookie_needed
// and origins (without a recording: websocket true, no cookie, any
// origin) and a fresh entropy, uncached, as sockjs-node does.
func (SockJS) AnswerBootstrap(w http.ResponseWriter, r *http.Request, recorded []byte) {
	info := struct {
		WebSocket    bool            `json:"websocket"`
		CookieNeeded bool            `json:"cookie_needed"`
		Origins      json.RawMessage `json:"origins"`
		Entropy      uint32          `json:"entropy"`
	}{WebSocket: true, Origins: json.RawMessage(`["*:*"]`)}
	var rec sockJSInfo
	if json.Unmarshal(recorded, &rec) == nil {
		if rec.WebSocket != nil {
			info.WebSocket = *rec.WebSocket
		}
		if rec.CookieNeeded != nil {
			info.CookieNeeded = *rec.CookieNeeded
		}
		var origins []string
		if json.Unmarshal(rec.Origins, &origins) == nil && origins != nil {
			info.Origins = rec.Origins
		}
	}
	var b [4]byte
	rand.Read(b[:])
	info.Entropy = binary.BigEndian.Uint32(b[:])
	body, _ := json.Marshal(info)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Cache-Control", "no-store, no-cache, no-transform, must-revalidate, max-age=0")
	w.Write(body)
}

// Fallback names a request for one of SockJS's transports a replay does
// not serve (eventsource, htmlfile, jsonp, the iframe page), and for its
// xhr ones when no kind sockjs session is recorded to serve them.
func (SockJS) Fallback(r *http.Request) (what, need string, ok bool) {
	need = "a client on the websocket, xhr-streaming or xhr-polling transport (sockjs-client: new SockJS(url, null, {transports: [\"websocket\", \"xhr-streaming\", \"xhr-polling\"]})); SockJS's other transports are not replayed"
	last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	if strings.HasPrefix(last, "iframe") && strings.HasSuffix(last, ".html") {
		return "the SockJS iframe page (" + last + ")", need, true
	}
	_, transport, ok := sockJSSession(r.URL.Path)
	if !ok || sockJSTransports[transport] == "" {
		return "", "", false
	}
	if strings.HasPrefix(transport, "xhr") {
		need = "a SockJS session recorded by wsreplay record (kind sockjs, any transport); these recordings have none (a SockJS websocket recorded as a plain WebSocket session replays on the websocket transport only)"
	}
	return "the SockJS " + sockJSTransports[transport] + " transport", need, true
}

// SockJSPath splits the path of a SockJS session's transport request,
// <base>/<server>/<session>/<transport>: base, the session's key (its
// server and session parts, "<server>/<session>") and the transport's
// last path part ("websocket", "xhr", "xhr_send", "xhr_streaming", ...).
func SockJSPath(path string) (base, session, transport string, ok bool) {
	base, transport, ok = sockJSSession(path)
	if !ok {
		return "", "", "", false
	}
	rest := strings.TrimSuffix(strings.TrimPrefix(path, base+"/"), "/"+transport)
	return base, rest, transport, true
}

// SockJSTransport names a transport path part as sockjs-client's
// transports option does ("xhr_streaming": "xhr-streaming", "xhr":
// "xhr-polling"), or returns it unchanged.
func SockJSTransport(part string) string {
	if name, ok := sockJSTransports[part]; ok {
		return name
	}
	return part
}

// SockJSFrames reads the application messages of a frame a SockJS server
// sent: a["m1","m2"]'s strings; ok false when it is not a message frame.
func SockJSFrames(frame []byte) (msgs []string, ok bool) {
	if len(frame) < 2 || frame[0] != 'a' || json.Unmarshal(frame[1:], &msgs) != nil {
		return nil, false
	}
	return msgs, true
}

// SockJSClose reads a close frame c[code,"reason"].
func SockJSClose(frame []byte) (code int, reason string, ok bool) {
	var c []json.RawMessage
	if len(frame) < 2 || frame[0] != 'c' || json.Unmarshal(frame[1:], &c) != nil || len(c) != 2 ||
		json.Unmarshal(c[0], &code) != nil || json.Unmarshal(c[1], &reason) != nil {
		return 0, "", false
	}
	return code, reason, true
}

// SockJSSent reads what a SockJS client sent: a JSON array of strings, or
// one string.
func SockJSSent(data []byte) ([]string, bool) {
	var msgs []string
	if json.Unmarshal(data, &msgs) == nil && msgs != nil {
		return msgs, true
	}
	var one string
	if json.Unmarshal(data, &one) == nil {
		return []string{one}, true
	}
	return nil, false
}
