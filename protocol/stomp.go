package protocol

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// STOMP is the profile of STOMP 1.0, 1.1 and 1.2 over a WebSocket (the
// STOMP 1.2 specification at stomp.github.io; the subprotocols v10.stomp,
// v11.stomp and v12.stomp). A frame is a command line, header lines
// "name:value", an empty line, a body and a NUL; lines end in LF or CRLF.
// A message carries one frame or more (a server may batch them), or only
// line ends: a heart-beat.
//
// The client chooses two kinds of ids: a "receipt" header on any frame,
// which the server's RECEIPT (or an ERROR) echoes as "receipt-id", and a
// SUBSCRIBE's "id", which every MESSAGE of that subscription echoes as
// "subscription". A frame is the same request as a recorded one when its
// command and destination are. Heart-beats are negotiated in the CONNECT
// (or STOMP) and CONNECTED frames' "heart-beat" headers; the server's
// beats are made live (HeartbeatSender), and a client's beat needs no
// answer.
//
// Header values are read and written with STOMP 1.2's escapes (\r \n \c
// \\) in every frame but CONNECT and CONNECTED, which have none. STOMP 1.0
// has no escapes: a 1.0 header value with a backslash is read as if
// escaped, and a replaced id with a colon or a line end is written
// escaped, which a 1.0 client would not undo.
type STOMP struct{}

// Name returns "stomp".
func (STOMP) Name() string { return "stomp" }

// Recognize reports a subprotocol v10.stomp, v11.stomp or v12.stomp, or,
// with no subprotocol, a session whose first client message is a CONNECT
// or STOMP frame.
func (STOMP) Recognize(o Opening) bool {
	switch o.Subprotocol {
	case "v10.stomp", "v11.stomp", "v12.stomp":
		return true
	case "":
	default:
		return false
	}
	for _, m := range o.First {
		if m.Dir != format.Send {
			continue
		}
		fs, _ := parseSTOMP(m.Data)
		return len(fs) > 0 && (fs[0].command == "CONNECT" || fs[0].command == "STOMP")
	}
	return false
}

// stompFrame is one frame of a message: its command, headers in order
// (decoded) and body.
type stompFrame struct {
	command string
	headers []stompHeader
	body    []byte
}

type stompHeader struct {
	name, value string
	at          span // where the value is in the message, escaped
}

// header returns the value of the frame's header name: its first
// occurrence, which STOMP 1.2 says is the one that counts.
func (f *stompFrame) header(name string) (stompHeader, bool) {
	for _, h := range f.headers {
		if h.name == name {
			return h, true
		}
	}
	return stompHeader{}, false
}

// maxSTOMPFrames bounds the frames read of one message.
const maxSTOMPFrames = 256

// parseSTOMP reads the frames of a message; beat is true when it holds
// nothing but line ends (a heart-beat). A message that is not STOMP gives
// no frames and no beat.
func parseSTOMP(data []byte) (frames []stompFrame, beat bool) {
	i := skipEOLs(data, 0)
	if i == len(data) {
		return nil, len(data) > 0
	}
	for i < len(data) && len(frames) < maxSTOMPFrames {
		f, end, ok := parseSTOMPFrame(data, i)
		if !ok {
			return nil, false
		}
		frames = append(frames, f)
		i = skipEOLs(data, end)
	}
	return frames, false
}

func skipEOLs(data []byte, i int) int {
	for i < len(data) {
		switch {
		case data[i] == '\n':
			i++
		case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
			i += 2
		default:
			return i
		}
	}
	return i
}

// line returns the line that starts at data[i], without its line end,
// and where the next begins; false when no line end comes.
func line(data []byte, i int) (s []byte, next int, ok bool) {
	n := bytes.IndexByte(data[i:], '\n')
	if n < 0 {
		return nil, 0, false
	}
	return bytes.TrimSuffix(data[i:i+n], []byte("\r")), i + n + 1, true
}

// parseSTOMPFrame reads the frame that starts at data[i] and returns
// where it ends, past its NUL.
func parseSTOMPFrame(data []byte, i int) (stompFrame, int, bool) {
	cmd, i, ok := line(data, i)
	if !ok || !stompCommand(cmd) {
		return stompFrame{}, 0, false
	}
	f := stompFrame{command: string(cmd)}
	escaped := f.command != "CONNECT" && f.command != "CONNECTED"
	for {
		start := i
		var h []byte
		if h, i, ok = line(data, i); !ok {
			return stompFrame{}, 0, false
		}
		if len(h) == 0 {
			break
		}
		colon := bytes.IndexByte(h, ':')
		if colon < 0 {
			return stompFrame{}, 0, false
		}
		name, value := h[:colon], h[colon+1:]
		f.headers = append(f.headers, stompHeader{name: stompUnescape(name, escaped),
			value: stompUnescape(value, escaped), at: span{start + colon + 1, start + len(h)}})
	}
	if cl, ok := f.header("content-length"); ok {
		if n, err := strconv.Atoi(cl.value); err == nil && n >= 0 && n < len(data)-i && data[i+n] == 0 {
			f.body = data[i : i+n]
			return f, i + n + 1, true
		}
	}
	n := bytes.IndexByte(data[i:], 0)
	if n < 0 {
		return stompFrame{}, 0, false
	}
	f.body = data[i : i+n]
	return f, i + n + 1, true
}

// stompCommand reports a command of the protocol.
func stompCommand(cmd []byte) bool {
	switch string(cmd) {
	case "CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
		"BEGIN", "COMMIT", "ABORT", "DISCONNECT", "MESSAGE", "RECEIPT", "ERROR":
		return true
	}
	return false
}

// stompUnescape undoes STOMP 1.2's header escapes; an escape the
// specification does not define is kept as written.
func stompUnescape(b []byte, escaped bool) string {
	if !escaped || bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			sb.WriteByte(b[i])
			continue
		}
		switch b[i+1] {
		case 'r':
			sb.WriteByte('\r')
		case 'n':
			sb.WriteByte('\n')
		case 'c':
			sb.WriteByte(':')
		case '\\':
			sb.WriteByte('\\')
		default:
			sb.WriteByte('\\')
			continue
		}
		i++
	}
	return sb.String()
}

var stompEscaper = strings.NewReplacer(`\`, `\\`, "\r", `\r`, "\n", `\n`, ":", `\c`)

// describeHeaders are the headers a description shows, in this order;
// others (login, passcode, custom ones) are left out.
var describeHeaders = []string{"id", "subscription", "receipt", "receipt-id", "message-id", "ack",
	"version", "accept-version", "heart-beat", "message"}

// Describe reads a message's first frame: its command as Kind, its
// destination as Channel, and as ID its receipt-id, receipt, subscription
// or id (the first it has); the summary also gives the headers that tie
// frames together, the body, and how many more frames the message holds.
// A message of line ends alone is a heart-beat.
func (STOMP) Describe(m Message) Description {
	frames, beat := parseSTOMP(m.Data)
	if beat {
		return Description{Kind: "heart-beat", Heartbeat: true, Summary: "heart-beat"}
	}
	if len(frames) == 0 {
		return Description{}
	}
	f := frames[0]
	d := Description{Kind: f.command}
	parts := []string{f.command}
	if h, ok := f.header("destination"); ok {
		d.Channel = h.value
		parts = append(parts, h.value)
	}
	for _, name := range []string{"receipt-id", "receipt", "subscription", "id"} {
		if h, ok := f.header(name); ok && d.ID == "" {
			d.ID = h.value
		}
	}
	for _, name := range describeHeaders {
		if h, ok := f.header(name); ok {
			parts = append(parts, name+":"+h.value)
		}
	}
	if len(f.body) > 0 {
		parts = append(parts, string(f.body))
	}
	if len(frames) > 1 {
		parts = append(parts, "+"+strconv.Itoa(len(frames)-1)+" frames")
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// SendHeartbeat returns the server's beat ("\n") that the CONNECT (or
// STOMP) and CONNECTED frames among o.First negotiated: with the client's
// heart-beat:cx,cy and the server's sx,sy, every max(sx, cy) ms when both
// are above zero.
func (STOMP) SendHeartbeat(o Opening) (Beat, bool) {
	var cy, sx int
	var client, server bool
	for _, m := range o.First {
		frames, _ := parseSTOMP(m.Data)
		if len(frames) == 0 {
			continue
		}
		f := frames[0]
		switch {
		case !client && m.Dir == format.Send && (f.command == "CONNECT" || f.command == "STOMP"):
			client = true
			_, cy = heartBeat(f)
		case !server && m.Dir == format.Receive && f.command == "CONNECTED":
			server = true
			sx, _ = heartBeat(f)
		}
	}
	if cy <= 0 || sx <= 0 {
		return Beat{}, false
	}
	return Beat{Interval: time.Duration(max(sx, cy)) * time.Millisecond,
		Message: Message{Dir: format.Receive, Data: []byte("\n")}}, true
}

// maxBeat bounds a heart-beat interval read from a frame, in ms (a day).
const maxBeat = 24 * 60 * 60 * 1000

// heartBeat reads a frame's heart-beat header "x,y"; 0, 0 when it has
// none or it does not read.
func heartBeat(f stompFrame) (x, y int) {
	h, ok := f.header("heart-beat")
	if !ok {
		return 0, 0
	}
	a, b, ok := strings.Cut(h.value, ",")
	x, errX := strconv.Atoi(strings.TrimSpace(a))
	y, errY := strconv.Atoi(strings.TrimSpace(b))
	if !ok || errX != nil || errY != nil || x < 0 || y < 0 {
		return 0, 0
	}
	return min(x, maxBeat), min(y, maxBeat)
}

// Request reads a client's frames that choose ids: a receipt on any
// frame, and a SUBSCRIBE's id. The same command and destination are the
// same request.
func (STOMP) Request(m Message) (Request, bool) {
	if m.Dir != format.Send {
		return Request{}, false
	}
	frames, _ := parseSTOMP(m.Data)
	var r Request
	var same []string
	for _, f := range frames {
		n := len(r.IDs)
		if h, ok := f.header("id"); ok && f.command == "SUBSCRIBE" {
			r.IDs = append(r.IDs, ID{Scope: "subscription", Value: h.value})
		}
		if h, ok := f.header("receipt"); ok {
			r.IDs = append(r.IDs, ID{Scope: "receipt", Value: h.value})
		}
		if len(r.IDs) > n {
			dest, _ := f.header("destination")
			same = append(same, f.command+" "+dest.value)
		}
	}
	if len(r.IDs) == 0 {
		return Request{}, false
	}
	r.Same = strings.Join(same, "\x00")
	return r, true
}

// stompEchoes returns the ids a server message's frames echo, each with
// its header: a RECEIPT's or an ERROR's receipt-id, a MESSAGE's
// subscription.
func stompEchoes(m Message) ([]ID, []stompHeader) {
	if m.Dir != format.Receive {
		return nil, nil
	}
	frames, _ := parseSTOMP(m.Data)
	var ids []ID
	var hs []stompHeader
	for _, f := range frames {
		if h, ok := f.header("receipt-id"); ok && (f.command == "RECEIPT" || f.command == "ERROR") {
			ids, hs = append(ids, ID{Scope: "receipt", Value: h.value}), append(hs, h)
		}
		if h, ok := f.header("subscription"); ok && f.command == "MESSAGE" {
			ids, hs = append(ids, ID{Scope: "subscription", Value: h.value}), append(hs, h)
		}
	}
	return ids, hs
}

// Echoes returns the receipts and subscriptions a server message echoes.
func (STOMP) Echoes(m Message) []ID {
	ids, _ := stompEchoes(m)
	return ids
}

// Rewrite gives the echoed headers the values to() names, escaped as
// STOMP 1.2 says; the bodies and their content-length are untouched.
func (STOMP) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	ids, hs := stompEchoes(m)
	var edits []edit
	for i, id := range ids {
		if v, ok := to(id); ok && v != id.Value {
			edits = append(edits, edit{hs[i].at, []byte(stompEscaper.Replace(v))})
		}
	}
	return splice(m.Data, edits)
}
