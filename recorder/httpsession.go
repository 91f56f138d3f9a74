package recorder

import (
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// httpSession is a recorded session whose messages HTTP exchanges carry (a
// poller's long-polls, a Server-Sent Events stream): its id, its clock and
// where its lines go. Its methods may be called from any goroutine, but a
// session's lines must be handed over in order, which the kinds ensure (a
// poller has one exchange in flight; a stream is read by one goroutine).
type httpSession struct {
	p     *Proxy
	sink  Sink // nil: relayed unrecorded
	id    string
	start time.Time // with its monotonic reading
	log   *slog.Logger

	lost            atomic.Int64
	counts          [2]atomic.Int64 // messages sent (requests) and received (responses, events)
	lostLogged      atomic.Bool
	unredactedNoted atomic.Bool
}

// openHTTPSession starts a session of kind for the request r (answered
// with the headers resp, nil if not yet), recording its session line, unless the Filter or a full disk leaves it
// unrecorded (its sink is then nil, and its lines go nowhere).
func (p *Proxy) openHTTPSession(r *http.Request, resp http.Header, kind format.Kind, start time.Time) *httpSession {
	s := &httpSession{p: p, id: newSessionID(), start: start}
	s.log = p.logger().With("session", s.id, "path", p.Redaction.url(r.URL), "kind", kind.String())
	s.sink = p.sinkFor(r, s.log)
	up := p.upstreamURL(r)
	up.Scheme = httpScheme(up.Scheme)
	e := &format.Event{Type: format.TypeSession, Version: format.Version, Session: s.id, Time: start,
		Kind: kind, URL: p.Redaction.url(r.URL), Upstream: p.Redaction.url(up),
		RequestHeaders: p.Redaction.headers(endToEnd(r.Header))}
	if resp != nil {
		e.ResponseHeaders = p.Redaction.headers(endToEnd(resp))
	}
	s.add(e)
	p.stats.open.Add(1)
	logStarted(s.log, p.Redaction.url(up), s.sink != nil)
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

// at returns the time of a line that happened at t, on the session's clock.
func (s *httpSession) at(t time.Time) time.Time { return s.start.Add(t.Sub(s.start)) }

func (s *httpSession) now() time.Time { return s.at(time.Now()) }

// add hands a line to the sink, counting it as lost if the sink is full.
func (s *httpSession) add(e *format.Event) {
	if s.sink == nil {
		return
	}
	if s.sink.Add(e) {
		return
	}
	s.dropped()
}

func (s *httpSession) dropped() {
	s.lost.Add(1)
	s.p.stats.lost.Add(1)
	if !s.lostLogged.Swap(true) {
		s.log.Warn("recording cannot keep up: dropping lines of this session; traffic is not affected")
	}
}

// message records a message line; its text has the JSON fields of
// Redaction hidden, by the sink when it is a RedactingSink (addRedacted).
func (s *httpSession) message(e *format.Event) {
	s.counts[dirIndex(e.Dir)].Add(1)
	s.p.stats.message(e.Dir, int64(len(e.Data)), s.sink != nil)
	if s.sink == nil {
		return
	}
	e.Type, e.Session = format.TypeMessage, s.id
	ok, unparsed := addRedacted(s.sink, e, &s.p.Redaction, e.Opcode == format.Text)
	if !ok {
		s.dropped()
	}
	if unparsed && !s.unredactedNoted.Swap(true) {
		s.log.Warn("a message names a --redact-json field but is not JSON: recorded unchanged")
	}
}

// close records how the session ended and logs it.
func (s *httpSession) close(by string, code int, reason string, clean bool) {
	s.p.stats.open.Add(-1)
	end := &format.Event{Type: format.TypeClose, Session: s.id, Time: s.now(), By: by, Code: code,
		Reason: reason, Clean: clean, Lost: s.lost.Load()}
	if s.sink != nil && !addCloseLine(s.sink, end) {
		s.log.Error("close line of session lost: recording queue full")
	}
	how := "clean"
	if !clean {
		how = "drop"
	}
	s.p.stats.ended.add(how)
	logEnded(s.log, sessionEnd{by: by, code: code, clean: clean, reason: reason,
		sent: s.counts[0].Load(), received: s.counts[1].Load(), notQueued: end.Lost, start: s.start})
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
