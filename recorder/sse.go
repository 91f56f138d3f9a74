package recorder

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/sse"
)

// sseStream records one text/event-stream response as a KindSSE session:
// each event a receive message, timed when its blank line passed, and the
// stream's ending as the close line.
type sseStream struct {
	x      *exchange
	s      *httpSession
	parser sse.Parser
	done   func() // unregisters the stream from Proxy.streams
}

// isEventStream reports whether a response is a Server-Sent Events stream.
func isEventStream(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "text/event-stream"
}

// watchSSE starts recording resp if it is an event stream: the hooks it
// returns read the body as the client gets it.
func (p *Proxy) watchSSE(x *exchange, resp *http.Response) (func([]byte), func(error)) {
	if !isEventStream(resp.Header) {
		return nil, nil
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		// Its events could be neither read as they pass nor redacted.
		p.logger().Warn("relaying an event stream unrecorded: it comes in a Content-Encoding",
			"path", p.redactURL(x.req.URL), "encoding", enc)
		p.stats.unrecorded.add("encoded_stream")
		return nil, nil
	}
	done := p.streams.add(x)
	if done == nil {
		return nil, nil // the proxy is shutting down: x is ended, unrecorded
	}
	s := p.openHTTPSession(x.req, resp.Header, format.KindSSE, x.start, "")
	st := &sseStream{x: x, s: s, done: done}
	st.parser.MaxLine = int(p.maxMessageSize())
	st.parser.MaxEvent = int(p.maxMessageSize())
	st.parser.Grow = st.grow
	return st.chunk, st.end
}

// grow charges the parser's buffers to the PartialBudget, as a WebSocket
// message being received is: past it, the line or event is relayed and not
// recorded.
func (st *sseStream) grow(n int) bool {
	if n < 0 {
		st.s.p.partial.Add(int64(n))
		return true
	}
	if st.s.p.reserve(int64(n)) {
		return true
	}
	if !st.s.budgetLogged.Swap(true) {
		st.s.log.Warn("event relayed but not recorded: lines and messages being received hold the whole memory budget (--partial-budget); traffic is not affected",
			"budget", st.s.p.partialBudget())
	}
	return false
}

// chunk parses the bytes just relayed, recording the events they end.
func (st *sseStream) chunk(b []byte) {
	st.parser.Write(b, st.event)
}

func (st *sseStream) event(ev sse.Event) {
	e := &format.Event{Time: st.s.now(), Dir: format.Receive, Data: []byte(ev.Data),
		SSE: &format.SSE{ID: ev.ID, HasID: ev.HasID, Event: ev.Type, Retry: ev.Retry, NoData: !ev.HasData}}
	e.Opcode = bodyOpcode(e.Data)
	st.s.message(e)
}

// end records how the stream ended: the upstream ended it (EOF), or it was
// cut, or the client left, or the proxy shut down.
func (st *sseStream) end(err error) {
	defer st.done()
	st.parser.Release()
	if st.parser.Skipped > 0 {
		st.s.log.Warn("lines of the stream were longer than the largest message, or past the memory budget (--partial-budget): not recorded", "lines", st.parser.Skipped)
	}
	if n := st.parser.SkippedEvents; n > 0 {
		st.s.log.Warn("events of the stream were larger than the largest message: not recorded", "events", n)
		st.s.lost.Add(int64(n))
		st.s.p.stats.lost.Add(int64(n))
	}
	end := streamEnding(st.x, err)
	if end.By == format.ByServer && !end.Clean {
		st.s.log.Info("event stream cut", "err", err)
	}
	st.s.close(end.By, end.Code, end.Reason, end.Clean)
}

// streamEnding says how a streamed response x ended, its body's end being
// err: the upstream ended it (EOF), or the proxy shut down, or the client
// left, or it was cut. It fills a close line's By, Code, Reason and Clean.
func streamEnding(x *exchange, err error) format.Event {
	switch {
	case err == nil:
		return format.Event{By: format.ByServer, Code: 1000, Clean: true}
	case errors.Is(context.Cause(x.ctx), errShutdown):
		return format.Event{By: format.ByProxy, Code: 1001, Reason: "proxy shutting down", Clean: true}
	case x.req.Context().Err() != nil || errors.Is(err, errClosedEarly):
		return format.Event{By: format.ByClient, Code: 1001, Clean: true}
	}
	return format.Event{By: format.ByServer, Code: format.CodeAbnormal}
}
