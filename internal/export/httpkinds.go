package export

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// SSE and poll sessions are HTTP responses: their modules route requests
// (Playwright's page.route, MSW's sse and http handlers) rather than
// WebSockets. This file writes their data; sse_module.go and
// poll_module.go their code.

// sseLiteral writes one recorded event on one line: its offset, and the
// fields it had (an id even when empty; data absent for a block with none).
func sseLiteral(m *Message, asJSON bool) string {
	k := keyer(asJSON)
	quote := jsQuote
	if asJSON {
		quote = jsString
	}
	var b strings.Builder
	b.WriteString("{ " + k("at") + ms(m.At))
	e := m.SSE
	if e == nil {
		e = &format.SSE{}
	}
	if e.Event != "" {
		b.WriteString(", " + k("event") + jsString(e.Event))
	}
	if e.HasID {
		b.WriteString(", " + k("id") + jsString(e.ID))
	}
	if e.Retry > 0 {
		b.WriteString(", " + k("retry") + strconv.FormatInt(e.Retry, 10))
	}
	if !e.NoData {
		b.WriteString(", " + k("data") + quote(m.Text))
	}
	b.WriteString(" }")
	return b.String()
}

// sseEvents are the server's events of an SSE session, as lines.
func sseEvents(s *Session, asJSON bool) string {
	var lines []string
	for i := range s.Messages {
		if m := &s.Messages[i]; m.Dir == format.Receive {
			lines = append(lines, sseLiteral(m, asJSON))
		}
	}
	return arrayLines(lines, asJSON)
}

// exchange is a recorded poll request and its response.
type exchange struct {
	req, resp *Message
}

// pollExchanges pairs each request with the response after it; a request
// the recording has no response for is left out, as serve leaves it.
func pollExchanges(s *Session) []exchange {
	var out []exchange
	var req *Message
	for i := range s.Messages {
		m := &s.Messages[i]
		switch {
		case m.Dir == format.Send:
			req = m
		case req != nil:
			out = append(out, exchange{req, m})
			req = nil
		}
	}
	return out
}

// pollLiteral writes one exchange on one line: the response's offset from
// the first request, the request's method and URL (for the reader), the
// response's status, headers and body.
func pollLiteral(x exchange, first *Message, asJSON bool) string {
	k := keyer(asJSON)
	quote := jsQuote
	if asJSON {
		quote = jsString
	}
	var b strings.Builder
	b.WriteString("{ " + k("at") + ms(x.resp.At-first.At))
	if h := x.req.HTTP; h != nil {
		b.WriteString(", " + k("method") + jsString(h.Method) + ", " + k("url") + jsString(h.URL))
	}
	status := http.StatusOK
	var headers map[string][]string
	if h := x.resp.HTTP; h != nil {
		status, headers = h.Status, h.Headers
	}
	b.WriteString(", " + k("status") + strconv.Itoa(status) + ", " + k("headers") + headersLiteral(headers, asJSON))
	if x.resp.IsText {
		b.WriteString(", " + k("body") + quote(x.resp.Text))
	} else {
		b.WriteString(", " + k("binary") + jsString(x.resp.Binary))
	}
	b.WriteString(" }")
	return b.String()
}

// unreplayed are response headers a mock does not send again: framing and
// hop-by-hop ones (the mock's body is whole and plain), and cookies, which
// recordings keep redacted.
var unreplayed = map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Content-Encoding": true,
	"Connection": true, "Keep-Alive": true, "Set-Cookie": true, "Date": true}

// headersLiteral writes the response headers a mock sends, names in lower
// case and sorted, several values joined by ", ".
func headersLiteral(h map[string][]string, asJSON bool) string {
	var names []string
	for name := range h {
		if !unreplayed[http.CanonicalHeaderKey(name)] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var parts []string
	for _, name := range names {
		parts = append(parts, jsString(strings.ToLower(name))+": "+jsString(strings.Join(h[name], ", ")))
	}
	if len(parts) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// pollArray writes the exchanges as an array, one a line.
func pollArray(xs []exchange, asJSON bool) string {
	lines := make([]string, len(xs))
	for i, x := range xs {
		lines[i] = pollLiteral(x, xs[0].req, asJSON)
	}
	return arrayLines(lines, asJSON)
}

// keyer writes an object key: bare for JavaScript, quoted for JSON.
func keyer(asJSON bool) func(string) string {
	return func(k string) string {
		if asJSON {
			return `"` + k + `": `
		}
		return k + ": "
	}
}

// writeHTTPKind writes the module of an SSE or poll session: header,
// imports, the session, its data as name (or in a sidecar), an event
// stream's ending, and code.
func writeHTTPKind(target Target, s *Session, opts *Options, name, doc, data, dataJSON, code string) (*Files, error) {
	useSidecar, err := sidecarFor(opts, data)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(commentLines(header(target, s, opts)))
	b.WriteString("\n")
	if target == MSW {
		what := "http, HttpResponse"
		if s.Kind == format.KindSSE {
			what = "sse, matchRequestUrl"
		}
		fmt.Fprintf(&b, "import { %s } from \"msw\";\n", what)
	}
	b.WriteString(strings.TrimPrefix(imports(Playwright, useSidecar && target == Playwright, opts.SidecarName), "\n"))
	if useSidecar && target == MSW {
		fmt.Fprintf(&b, "import sidecar from %s with { type: \"json\" };\n\n", jsString("./"+opts.SidecarName))
	} else if target == MSW {
		b.WriteString("\n")
	}
	b.WriteString("/** The recorded session. */\n")
	fmt.Fprintf(&b, "export const session = {\n  id: %s,\n  url: %s,\n  path: %s,\n};\n\n", jsString(s.ID), jsString(s.URL), jsString(s.path()))
	b.WriteString(doc)
	b.WriteString(timelineConst(target, name, data, useSidecar, opts.SidecarName))
	if s.Kind == format.KindSSE {
		b.WriteString(sseEndingDoc)
		fmt.Fprintf(&b, "export const ending = %s;\n\n", endingLiteral(s.Ending))
	}
	b.WriteString(code)
	b.WriteString("\n")
	b.WriteString(pacing)
	f := &Files{Module: []byte(b.String())}
	if useSidecar {
		f.Sidecar = []byte(dataJSON + "\n")
	}
	return f, nil
}

const sseEndingDoc = `/**
 * How the stream ended: clean, the server ended it; not clean (code 1006),
 * it was cut; code 1001, the client left. null: no recorded ending.
 */
`
