package recorder

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// httpSession is a recorded session whose messages HTTP exchanges carry (a
// poller's long-polls, a Server-Sent Events stream): its record, and the
// count of open sessions it is in. Its methods may be called from any
// goroutine, but a session's lines must be handed over in order, which the
// kinds ensure (a poller has one exchange in flight; a stream is read by
// one goroutine).
type httpSession struct {
	sessionRecord
}

// openHTTPSession starts a session of kind for the request r (answered
// with the headers resp, nil if not yet), speaking protocol ("" if none),
// recording its session line, unless the Filter or a full disk leaves it
// unrecorded (its sink is then nil, and its lines go nowhere).
func (p *Proxy) openHTTPSession(r *http.Request, resp http.Header, kind format.Kind, start time.Time, protocol string) *httpSession {
	s := &httpSession{p.newRecord(p.redactURL(r.URL), kind, start)}
	s.sink = p.sinkFor(r, s.log)
	up := p.upstreamURL(r)
	up.Scheme = httpScheme(up.Scheme)
	e := &format.Event{Type: format.TypeSession, Version: format.Version, Session: s.id, Time: start,
		Kind: kind, Protocol: protocol, URL: p.redactURL(r.URL), Upstream: p.redactURL(up),
		RequestHeaders: p.Redaction.headers(endToEnd(r.Header))}
	if resp != nil {
		e.ResponseHeaders = p.Redaction.headers(endToEnd(resp))
	}
	s.add(e)
	p.stats.open.Add(1)
	logStarted(s.log, p.redactURL(up), s.sink != nil)
	return s
}

// maxMessageSize is the largest message recorded: MaxMessageSize or its
// default, at most format.MaxMessageSize.
func (p *Proxy) maxMessageSize() int64 {
	n := p.MaxMessageSize
	if n <= 0 {
		n = DefaultMaxMessageSize
	}
	return min(n, format.MaxMessageSize)
}

// message counts and records a message line (see sessionRecord.message).
func (s *httpSession) message(e *format.Event) {
	s.counts[dirIndex(e.Dir)].Add(1)
	s.p.stats.message(e.Dir, int64(len(e.Data)), s.sink != nil)
	s.sessionRecord.message(e)
}

// close records how the session ended and logs it.
func (s *httpSession) close(by string, code int, reason string, clean bool) {
	s.p.stats.open.Add(-1)
	s.sessionRecord.close(format.Event{By: by, Code: code, Reason: reason, Clean: clean})
}

// bodyOpcode returns how a body is recorded: as text when it is UTF-8.
func bodyOpcode(b []byte) format.Opcode {
	if utf8.Valid(b) {
		return format.Text
	}
	return format.Binary
}

// connectionHeaders are the headers of one connection, not of the exchange
// (RFC 9110, section 7.6.1), and Content-Length, which a replay sets for
// itself.
var connectionHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer",
	"Transfer-Encoding", "Upgrade", "Content-Length", "Proxy-Authenticate"}

// endToEnd returns h without the headers of one connection.
func endToEnd(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range connectionHeaders {
		out.Del(k)
	}
	for _, f := range h["Connection"] {
		for _, k := range strings.Split(f, ",") {
			out.Del(strings.TrimSpace(k))
		}
	}
	return out
}

// EndToEnd returns a copy of h without the headers of one connection
// (RFC 9110, section 7.6.1) and Content-Length: the headers a session
// line and an exchange's lines record. It is for recorders of other
// packages (a browser's DevTools events) that write the lines the Proxy
// writes.
func EndToEnd(h http.Header) http.Header { return endToEnd(h) }
