package recorder

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// This file records Engine.IO's polling transport: each GET or POST is
// relayed by the plain-HTTP reverse proxy, unchanged and unslowed, while a
// copy of the POST's body and of the GET's response is split into packets
// for the sid's session (engineio.go).

// pollEngineIO relays an Engine.IO polling request and records the
// packets it carries: the handshake (a GET without sid) starts a session,
// a request with a sid the proxy knows adds to it, any other is relayed
// unrecorded.
func (p *Proxy) pollEngineIO(w http.ResponseWriter, r *http.Request, q engineio.Query) {
	var es *eioSession
	switch {
	case q.SID != "":
		es = p.eio.get(q.SID)
	case r.Method == http.MethodGet && !p.shuttingDown():
		es = p.newEIOSession(r, q, time.Now()) // none once Shutdown began: relayed unrecorded
	}
	if es == nil {
		p.passthru.ServeHTTP(w, r)
		return
	}
	es.polling(1)
	defer es.polling(-1)
	limit := p.pollLimit()
	var body *pollBody
	if r.Method == http.MethodPost && r.Body != nil && r.Body != http.NoBody {
		body = &pollBody{ReadCloser: r.Body, es: es, limit: limit,
			binary: strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream")}
		r.Body = body
	}
	cw := &pollCapture{ResponseWriter: w, limit: limit}
	p.passthru.ServeHTTP(cw, r)
	if body != nil {
		body.done()
	}
	if r.Method == http.MethodGet {
		es.response(cw)
	}
}

// pollLimit bounds the copy of one polling body kept to be recorded.
func (p *Proxy) pollLimit() int64 {
	if p.MaxMessageSize > 0 {
		return min(p.MaxMessageSize, format.MaxMessageSize)
	}
	return DefaultMaxMessageSize
}

// response records the packets of a polling GET's response. A 400 saying
// the sid is unknown means the server has forgotten the session.
func (es *eioSession) response(c *pollCapture) {
	if c.status == http.StatusBadRequest && bytes.Contains(c.buf.Bytes(), []byte("Session ID unknown")) {
		es.end(format.ByServer, format.CodeAbnormal, "", false)
		return
	}
	if c.status != http.StatusOK {
		return
	}
	if c.over {
		es.queued(false)
		return
	}
	body, err := decodeBody(c.Header().Get("Content-Encoding"), c.buf.Bytes(), c.limit)
	if err != nil {
		es.log.Warn("polling response not recorded: cannot undo its Content-Encoding", "err", err)
		es.queued(false)
		return
	}
	binary := strings.HasPrefix(c.Header().Get("Content-Type"), "application/octet-stream")
	es.packets(format.Receive, body, binary)
}

// packets records the packets of a polling body.
func (es *eioSession) packets(dir format.Dir, body []byte, binary bool) {
	pks, err := engineio.DecodePayload(es.version, body, binary)
	for _, pk := range pks {
		es.record(dir, "polling", pk)
	}
	if err != nil {
		es.log.Warn("polling body is not an Engine.IO payload: the rest of it is not recorded", "dir", dir, "err", err)
		es.queued(false)
	}
}

// decodeBody undoes the Content-Encoding Engine.IO servers use for long
// polling responses (gzip, deflate).
func decodeBody(encoding string, body []byte, limit int64) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, nil
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
	return io.ReadAll(io.LimitReader(r, limit))
}

type unknownEncoding struct{ name string }

func (e *unknownEncoding) Error() string { return "unknown Content-Encoding " + e.name }

// pollCapture passes a polling response on to the client as it comes and
// keeps a copy of it, up to limit, to be recorded once it is whole.
type pollCapture struct {
	http.ResponseWriter
	limit  int64
	status int
	buf    bytes.Buffer
	over   bool // the body passed limit: not recorded
}

func (c *pollCapture) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *pollCapture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.over && int64(c.buf.Len()+len(b)) <= c.limit {
		c.buf.Write(b)
	} else {
		c.over = true
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController (ReverseProxy's flushes) reach the
// connection's writer.
func (c *pollCapture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// pollBody passes a polling POST's body on to the upstream as it is read
// and keeps a copy, up to limit, recorded once the body has been read
// whole.
type pollBody struct {
	io.ReadCloser
	es     *eioSession
	limit  int64
	binary bool // revision 3's binary payload
	buf    bytes.Buffer
	over   bool
	eof    bool
	once   sync.Once
}

func (b *pollBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if !b.over && int64(b.buf.Len()+n) <= b.limit {
		b.buf.Write(p[:n])
	} else {
		b.over = true
	}
	if err == io.EOF {
		b.eof = true
		b.done()
	}
	return n, err
}

// done records the body's packets, once, if it was read whole.
func (b *pollBody) done() {
	b.once.Do(func() {
		switch {
		case b.over:
			b.es.queued(false)
		case b.eof:
			b.es.packets(format.Send, b.buf.Bytes(), b.binary)
		}
	})
}
