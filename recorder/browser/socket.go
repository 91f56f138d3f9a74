package browser

import (
	"context"
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/protocol"
)

// socket is one WebSocket of a target, from its creation to its end:
// recorded as a session of its own (rec), or as the transport of an
// Engine.IO session (eio).
type socket struct {
	u       *url.URL
	page    string
	request http.Header
	rec     *record     // its own session, once open
	eio     *eioSession // the Engine.IO session it carries packets of
	carried bool        // eio began on this socket (no sid: the WebSocket transport alone)
	// closing is the first close frame seen, which says who closed and
	// how; nil: none yet.
	closing *format.Event
}

// Frame opcodes of RFC 6455 as DevTools reports them.
const (
	opText   = 1
	opBinary = 2
	opClose  = 8
	opPing   = 9
	opPong   = 10
)

func (r *Recorder) socketCreated(s target.SessionID, ev *network.EventWebSocketCreated) {
	u, err := url.Parse(ev.URL)
	if err != nil {
		return
	}
	r.sockets[reqKey{s, ev.RequestID}] = &socket{u: u, page: r.pageOf(s)}
}

func (r *Recorder) socketRequest(s target.SessionID, ev *network.EventWebSocketWillSendHandshakeRequest) {
	r.clock.pair(ev.Timestamp, ev.WallTime)
	if so := r.sockets[reqKey{s, ev.RequestID}]; so != nil && ev.Request != nil {
		so.request = httpHeader(ev.Request.Headers)
	}
}

// socketOpened starts recording a socket whose handshake succeeded: the
// Engine.IO session it belongs to, or a session of its own.
func (r *Recorder) socketOpened(ctx context.Context, s target.SessionID, ev *network.EventWebSocketHandshakeResponseReceived) {
	so := r.sockets[reqKey{s, ev.RequestID}]
	if so == nil || ev.Response == nil || so.rec != nil || so.eio != nil {
		return
	}
	r.learnTokens(ctx, so.u)
	if ev.Response.Status != http.StatusSwitchingProtocols {
		delete(r.sockets, reqKey{s, ev.RequestID})
		return
	}
	start := r.at(ev.Timestamp)
	if q, ok := r.engineIO(so.u); ok {
		if q.SID != "" {
			so.eio = r.eio[q.SID] // nil: a sid from before the recorder: not recorded
		} else {
			so.eio = r.newEIOSession(s, so.u, so.request, q, start)
			so.carried = true
		}
		return
	}
	resp := httpHeader(ev.Response.Headers)
	sub := resp.Get("Sec-WebSocket-Protocol")
	line := &format.Event{Time: start, URL: r.redactURL(pathOnly(so.u)), Upstream: r.redactURL(so.u),
		Subprotocol: r.Redaction.Subprotocol(sub), Extensions: resp.Get("Sec-WebSocket-Extensions"),
		RequestHeaders: r.Redaction.Header(so.request), ResponseHeaders: r.Redaction.Header(resp),
		Protocol: r.socketProtocol(so, sub), Page: so.page}
	so.rec = r.open(line)
}

// socketProtocol names a socket's protocol as the proxy does
// (Recorder.Protocol, else the profile that knows the opening).
func (r *Recorder) socketProtocol(so *socket, sub string) string {
	if r.Protocol != "" {
		return r.Protocol
	}
	req := &http.Request{Method: http.MethodGet, URL: pathOnly(so.u), Header: so.request, Host: so.u.Host}
	if prof := r.Protocols.Detect(protocol.RequestOpening(req, sub)); prof != nil {
		return prof.Name()
	}
	return ""
}

// frame records one frame a socket sent or received: a message, or the
// close frame that tells how it ends.
func (r *Recorder) frame(ctx context.Context, s target.SessionID, id network.RequestID, dir format.Dir, ts cdp.MonotonicTime, f *network.WebSocketFrame) {
	so := r.sockets[reqKey{s, id}]
	if so == nil || f == nil {
		return
	}
	at := r.at(ts)
	switch int(f.Opcode) {
	case opText, opBinary:
		text := int(f.Opcode) == opText
		if int64(len(f.PayloadData)) > r.maxMessageSize() {
			so.lose()
			return
		}
		if so.eio != nil {
			r.readAnswered(ctx, so.eio)
			so.eio.fromSocket(r, dir, text, f.PayloadData, at)
			return
		}
		if so.rec != nil {
			so.rec.message(messageLine(dir, text, f.PayloadData, at))
		}
	case opClose:
		if so.closing == nil {
			so.closing = closeLine(dir, f.PayloadData)
		}
	}
}

// lose counts a message left out.
func (so *socket) lose() {
	switch {
	case so.rec != nil:
		so.rec.lost++
	case so.eio != nil && so.eio.rec != nil:
		so.eio.rec.lost++
	}
}

// messageLine is a message line: text that is not UTF-8 is kept as
// binary with its opcode, as the proxy keeps it (format does the rest).
func messageLine(dir format.Dir, text bool, data []byte, at time.Time) *format.Event {
	e := &format.Event{Time: at, Dir: dir, Opcode: format.Binary, Data: data}
	if text {
		e.Opcode = format.Text
	}
	return e
}

// closeLine reads a close frame's payload (RFC 6455 section 5.5.1: a
// 2-byte code and a UTF-8 reason; empty: no code, 1005) into the ending it
// says, by the side that sent it first.
func closeLine(dir format.Dir, p []byte) *format.Event {
	end := &format.Event{By: format.ByServer, Code: 1005, Clean: true}
	if dir == format.Send {
		end.By = format.ByClient
	}
	if len(p) >= 2 {
		end.Code = int(binary.BigEndian.Uint16(p))
		if reason := p[2:]; utf8.Valid(reason) {
			end.Reason = string(reason)
		}
	}
	return end
}

func (r *Recorder) socketError(s target.SessionID, ev *network.EventWebSocketFrameError) {
	if so := r.sockets[reqKey{s, ev.RequestID}]; so != nil {
		r.logger().Debug("WebSocket frame error", "url", r.redactURL(so.u), "err", ev.ErrorMessage)
	}
}

// socketClosed ends a socket: as its first close frame says, when the
// browser reports close frames, else as its page reports (closeinfo.go).
func (r *Recorder) socketClosed(s target.SessionID, ev *network.EventWebSocketClosed) {
	k := reqKey{s, ev.RequestID}
	so := r.sockets[k]
	if so == nil {
		return
	}
	delete(r.sockets, k)
	if so.closing != nil { // a Chromium that reports close frames
		end := *so.closing
		end.Time = r.at(ev.Timestamp)
		so.end(r, end)
		return
	}
	r.closeNetwork(s, so, r.at(ev.Timestamp))
}

// end records the socket's ending in its session.
func (so *socket) end(r *Recorder, end format.Event) {
	switch {
	case so.rec != nil:
		so.rec.close(end)
	case so.eio != nil:
		so.eio.socketEnded(end, so.carried)
	}
}

// engineIO reports whether u is an Engine.IO request to record as one.
func (r *Recorder) engineIO(u *url.URL) (engineio.Query, bool) {
	if r.NoEngineIO {
		return engineio.Query{}, false
	}
	return engineio.ParseQuery(u.Query())
}

// pathOnly is u's path and query, as a server sees a request's URL.
func pathOnly(u *url.URL) *url.URL {
	return &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}
}

// redactString is a URL as recorded (redactURL), "" if it does not parse.
func (r *Recorder) redactString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return r.redactURL(u)
}

// httpHeader converts DevTools headers (a value per name, several values
// joined by newlines) into an http.Header.
func httpHeader(h network.Headers) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		s, ok := v.(string)
		if !ok {
			continue
		}
		for _, part := range strings.Split(s, "\n") {
			out.Add(http.CanonicalHeaderKey(k), part)
		}
	}
	return out
}
