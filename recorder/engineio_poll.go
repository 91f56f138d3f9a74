package recorder

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// This file records Engine.IO's polling transport: each GET or POST is
// relayed by the plain-HTTP reverse proxy, unchanged and unslowed, as an
// exchange (exchange.go) whose hooks keep a copy of the POST's body and of
// the GET's response, charged to the PartialBudget, which the session's
// recording goroutine (engineio_queue.go) splits into packets for the
// sid's session (engineio.go), off the relay path. A response that is not
// an Engine.IO payload (its Content-Type, its first bytes) is relayed
// unrecorded, and counted.

// handshakeLimit bounds a handshake response kept to be recorded: it holds
// the open packet, whose sid must be known before the client's next
// request, so it is read on the request's goroutine.
const handshakeLimit = 64 << 10

// errorBodyLimit bounds the copy of a response other than 200 OK, kept to
// see whether it says the sid is unknown.
const errorBodyLimit = 1 << 10

// watchEngineIO sets the hooks of an Engine.IO polling exchange x (see
// exchange.go): the handshake (a GET without sid) starts a session, a
// request with a sid the proxy knows adds to it, any other is relayed
// unrecorded (no hooks). A POST's body is kept to be recorded; a GET's
// response is, and a POST's answer ("ok") is not.
func (p *Proxy) watchEngineIO(x *exchange, q engineio.Query) {
	var es *eioSession
	switch {
	case q.SID != "":
		es = p.eio.get(q.SID)
	case x.req.Method == http.MethodGet && !p.shuttingDown():
		es = p.newEIOSession(x.req, q, x.start) // none once Shutdown began: relayed unrecorded
	}
	if es == nil {
		return
	}
	es.polling(1)
	var once sync.Once
	done := func() { once.Do(func() { es.polling(-1) }) }
	if x.req.Method == http.MethodPost {
		body := &postBody{es: es, held: p.holdBody(p.pollLimit()),
			binary: strings.HasPrefix(x.req.Header.Get("Content-Type"), "application/octet-stream")}
		x.RequestBody, x.RequestEnd = body.chunk, body.end
	}
	x.Response = func(resp *http.Response) (func([]byte), func(error)) {
		if x.req.Method != http.MethodGet {
			return nil, func(error) { done() }
		}
		c := newPollResponse(es, resp, q.SID == "")
		return c.chunk, func(error) {
			es.response(c)
			done()
		}
	}
	x.Failed = func(error) { done() }
}

// pollLimit bounds the copy of one polling body kept to be recorded.
func (p *Proxy) pollLimit() int64 {
	if p.MaxMessageSize > 0 {
		return min(p.MaxMessageSize, format.MaxMessageSize)
	}
	return DefaultMaxMessageSize
}

// response records the packets of a polling GET's response: a handshake's
// at once, any other's by the session's recording goroutine. A 400 saying
// the sid is unknown means the server has forgotten the session.
func (es *eioSession) response(c *pollResponse) {
	handshake := c.handshake
	if c.status == http.StatusBadRequest && bytes.Contains(c.errBody, []byte("Session ID unknown")) {
		es.end(format.ByServer, format.CodeAbnormal, "", false)
	}
	switch {
	case c.status != http.StatusOK:
		c.held.release()
	case c.notPayload || handshake && c.held.over:
		c.held.release()
		es.notPayload(handshake)
	case c.held.over:
		es.unrecordedBody(c.held)
	case handshake:
		es.recordBody(pollWork{dir: format.Receive, at: es.now(), body: c.held, binary: c.binary,
			encoding: c.encoding})
	default:
		es.enqueue(pollWork{dir: format.Receive, at: es.now(), body: c.held, binary: c.binary,
			encoding: c.encoding})
	}
}

// notPayload counts a response relayed unrecorded for not being an
// Engine.IO payload: the handshake's is no Engine.IO session at all.
func (es *eioSession) notPayload(handshake bool) {
	if handshake {
		es.p.stats.unrecorded.add("not_engineio")
		es.end(format.ByServer, format.CodeAbnormal, "", false) // never opened: writes nothing
		if !es.p.notEIOLogged.Swap(true) {
			es.log.Warn("relaying unrecorded a response to an Engine.IO query that is not an Engine.IO payload (its Content-Type or first bytes); such responses are counted, not logged again")
		}
		return
	}
	es.queued(false)
	es.log.Warn("polling response relayed unrecorded: not an Engine.IO payload (its Content-Type or first bytes)")
}

// unrecordedBody counts a polling body that was relayed but not kept.
func (es *eioSession) unrecordedBody(b *heldBody) {
	b.release()
	es.queued(false)
	if b.overBudget && !es.budgetLogged.Swap(true) {
		es.log.Warn("polling body relayed but not recorded: bodies and messages being received hold the whole memory budget (--partial-budget); traffic is not affected",
			"budget", es.p.partialBudget())
	}
}

// decodeBody undoes the Content-Encoding Engine.IO servers use for long
// polling responses (gzip, deflate), into a copy held as a body is, which
// the caller releases. A body that decodes to more than limit is an error.
func (p *Proxy) decodeBody(encoding string, body []byte, limit int64) (*heldBody, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		r = bytes.NewReader(body)
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = zr
	case "deflate":
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			r = flate.NewReader(bytes.NewReader(body)) // raw deflate, as some servers send
		} else {
			r = zr
		}
	default:
		return nil, &unknownEncoding{encoding}
	}
	held := p.holdBody(limit)
	if _, err := io.Copy(held, r); err != nil {
		held.release()
		return nil, err
	}
	if held.over {
		return nil, errDecodedTooLarge
	}
	return held, nil
}

type unknownEncoding struct{ name string }

func (e *unknownEncoding) Error() string { return "unknown Content-Encoding " + e.name }

type decodedTooLarge struct{}

func (decodedTooLarge) Error() string {
	return "decoded, it is larger than the largest message, or than the memory budget left"
}

var errDecodedTooLarge error = decodedTooLarge{}

// pollResponse keeps a copy of a polling GET's response as it passes,
// held as a body is, to be recorded once it is whole; of a response other
// than 200 OK, only its start. Its hooks are called on the goroutine
// relaying the response, one at a time.
type pollResponse struct {
	version    int
	handshake  bool // the response to the handshake: its open packet starts the session
	binary     bool // revision 3's binary payload
	encoding   string
	held       *heldBody
	status     int
	errBody    []byte // the start of a response other than 200 OK
	started    bool   // its first bytes were seen
	notPayload bool   // not an Engine.IO payload: not recorded
}

func newPollResponse(es *eioSession, resp *http.Response, handshake bool) *pollResponse {
	limit := es.p.pollLimit()
	if handshake {
		limit = handshakeLimit
	}
	c := &pollResponse{version: es.version, handshake: handshake, held: es.p.holdBody(limit), status: resp.StatusCode,
		binary:   strings.HasPrefix(resp.Header.Get("Content-Type"), "application/octet-stream"),
		encoding: resp.Header.Get("Content-Encoding")}
	if c.status != http.StatusOK || !engineIOType(resp.Header.Get("Content-Type")) {
		c.notPayload = c.status == http.StatusOK
		c.held.drop()
	}
	return c
}

func (c *pollResponse) chunk(b []byte) {
	switch {
	case c.status != http.StatusOK:
		if n := min(len(b), errorBodyLimit-len(c.errBody)); n > 0 {
			c.errBody = append(c.errBody, b[:n]...)
		}
	case !c.started:
		c.started = true
		if (c.encoding == "" || strings.EqualFold(c.encoding, "identity")) && !engineio.LooksLikePayload(c.version, c.binary, b[0]) {
			c.notPayload = true
			c.held.drop()
		}
		c.held.write(b)
	default:
		c.held.write(b)
	}
}

// engineIOType reports whether a response's Content-Type is one an
// Engine.IO server answers polling with: text/plain, or revision 3's
// binary application/octet-stream (or none).
func engineIOType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "text/plain" || mt == "application/octet-stream")
}

// postBody keeps a copy of a polling POST's body as it is read by the
// round trip, held as a body is; read whole, it is handed to the session's
// recording goroutine.
type postBody struct {
	es      *eioSession
	held    *heldBody
	binary  bool // revision 3's binary payload
	started bool
}

func (b *postBody) chunk(p []byte) {
	if !b.started {
		b.started = true
		if !engineio.LooksLikePayload(b.es.version, b.binary, p[0]) {
			b.held.drop()
		}
	}
	b.held.write(p)
}

// end hands the body to be recorded if it was read whole (err nil).
func (b *postBody) end(err error) {
	switch {
	case err != nil:
		b.held.release()
	case b.held.over:
		b.es.unrecordedBody(b.held)
	default:
		b.es.enqueue(pollWork{dir: format.Send, at: b.es.now(), body: b.held, binary: b.binary})
	}
}
