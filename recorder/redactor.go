package recorder

import (
	"net/url"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// Redactor redacts the lines of whole sessions as the Proxy redacts what it
// records, for programs that write recordings of traffic the Proxy did not
// carry (wsreplay drive's recording of what a target answered), so that
// they hide what record hides: the URLs, headers and subprotocol of the
// session line, the URL and headers of each HTTP exchange, the JSON fields
// of text messages, and the secrets a bootstrap's answer hands out
// (SignalR's connectionToken), whose values it then hides in later URLs'
// id= too, as the Proxy does.
//
// The zero value redacts with the zero Redaction: the defaults. Redaction
// must not change after the first use. A Redactor is safe for concurrent
// use, and must not be copied after the first use.
type Redactor struct {
	Redaction Redaction
	tokens    BootstrapTokens // secrets redacted bootstrap answers handed out
}

// Session returns redacted copies of the lines of one session, its session
// line first; lines and what they point to are not changed. unparsed
// counts the text messages that name a JSON field of Redaction but could
// not be parsed: they are kept whole, as the Proxy keeps them.
//
// Lines redacted already (a recording made by the Proxy with the same
// Redaction) come out as they went in, so that a recording and a new one
// redacted here compare equal where only their secrets differ.
func (r *Redactor) Session(lines []*format.Event) (out []*format.Event, unparsed int) {
	boot := len(lines) > 0 && isBootstrap(lines[0])
	out = make([]*format.Event, len(lines))
	for i, e := range lines {
		c := *e
		switch c.Type {
		case format.TypeSession:
			r.sessionLine(&c)
		case format.TypeMessage:
			if r.message(&c, boot) {
				unparsed++
			}
		}
		out[i] = &c
	}
	return out, unparsed
}

// URL returns u as it is recorded: the secrets of Redaction hidden, and
// the tokens of the bootstrap answers this Redactor redacted (see
// Redaction.URL).
func (r *Redactor) URL(u *url.URL) string { return r.tokens.URL(&r.Redaction, u) }

// isBootstrap reports a session line of a bootstrap exchange (bootstrap.go):
// a poll session of a protocol that has bootstraps.
func isBootstrap(e *format.Event) bool {
	if e.Type != format.TypeSession || e.Kind != format.KindPoll || e.Protocol == "" {
		return false
	}
	_, ok := protocol.Set(nil).Lookup(e.Protocol).(protocol.Bootstrapper)
	return ok
}

func (r *Redactor) sessionLine(e *format.Event) {
	e.URL, e.Upstream = r.urlString(e.URL), r.urlString(e.Upstream)
	e.Subprotocol = r.Redaction.subprotocol(e.Subprotocol)
	if e.RequestHeaders != nil {
		e.RequestHeaders = r.Redaction.headers(e.RequestHeaders)
	}
	if e.ResponseHeaders != nil {
		e.ResponseHeaders = r.Redaction.headers(e.ResponseHeaders)
	}
}

// message redacts a message line in the Proxy's order: the exchange, a
// bootstrap's answer, then the JSON fields of a text. It reports a text
// that names a field but could not be parsed.
func (r *Redactor) message(e *format.Event, boot bool) (unparsed bool) {
	if e.HTTP != nil {
		h := *e.HTTP
		h.URL = r.urlString(h.URL)
		if h.Headers != nil {
			h.Headers = r.Redaction.headers(h.Headers)
		}
		e.HTTP = &h
		if boot && e.Dir == format.Receive {
			e.Data = nonNil(r.tokens.Answer(&r.Redaction, e.Data))
		}
	}
	if e.Opcode == format.Text {
		e.Data, unparsed = r.Redaction.Message(e.Data)
	}
	return unparsed
}

// urlString redacts a URL written as a string. One that cannot be read
// cannot be shown safely: it is hidden whole.
func (r *Redactor) urlString(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return Redacted
	}
	return r.URL(u)
}
