package browser

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/longpoll"
	"github.com/wsreplay/wsreplay/recorder"
)

// exchange is an HTTP request of a target in flight that may belong to a
// session: an Engine.IO polling request, a poller's request on a
// Recorder.Poll path, or any other that may turn out to be an event
// stream (its response says).
type exchange struct {
	kind     exchangeKind
	u        *url.URL
	method   string
	request  http.Header
	start    time.Time
	status   int
	response http.Header
	respAt   time.Time   // when its headers came (responseReceived)
	bodyAt   time.Time   // kindEIO: when the last of its body came (dataReceived, loadingFinished); zero: not yet
	eio      *eioSession // kindEIO
	read     bool        // kindEIO: the response's packets are recorded already
	sid      string      // kindEIO with no eio yet: the sid it names, whose handshake is not read yet
	post     []byte      // kindEIO with no eio yet: the POST's body; kindBootstrap: the request's body
	boot     bool        // kindBootstrap, or kindPoll on a bootstrap's path: its answer may hand out tokens
	learned  bool        // boot: its answer's tokens are known already (learnTokens)
	poller   *poller     // kindPoll
	stream   *record     // kindSSE
	lastID   string      // kindSSE: the stream's last event id
}

type exchangeKind int

const (
	kindPlain exchangeKind = iota // not (yet) recorded
	kindEIO
	kindPoll
	kindSSE
	kindBootstrap // a protocol's request before its socket (SignalR's negotiate, SockJS's /info)
)

// poller is one target polling one Recorder.Poll pattern: its session.
type poller struct {
	rec      *record
	tab      target.SessionID
	inFlight bool
	last     time.Time // when its last exchange ended
}

// request starts following a request that may belong to a session.
func (r *Recorder) request(ctx context.Context, s target.SessionID, ev *network.EventRequestWillBeSent) {
	r.clock.pair(ev.Timestamp, ev.WallTime)
	k := reqKey{s, ev.RequestID}
	if old := r.xs[k]; old != nil { // a redirect: the same id asks again
		old.abandon(r, format.Event{Time: r.at(ev.Timestamp), By: format.ByServer, Code: format.CodeAbnormal})
		delete(r.xs, k)
	}
	if ev.Request == nil {
		return
	}
	u, err := url.Parse(ev.Request.URL)
	if err != nil {
		return
	}
	r.learnTokens(ctx, u)
	x := &exchange{u: u, method: ev.Request.Method, request: httpHeader(ev.Request.Headers), start: r.at(ev.Timestamp)}
	x.boot = r.Protocols.Bootstrap(x.httpRequest()) != nil
	switch q, eio := r.engineIO(u); {
	case eio && q.Transport == "polling":
		x.kind = kindEIO
		if q.SID != "" {
			x.eio = r.sidSession(ctx, s, q.SID)
		} else if x.method == http.MethodGet {
			x.eio = r.newEIOSession(s, u, x.request, q, x.start)
		}
		var body []byte
		if x.method == http.MethodPost {
			body = r.postData(ctx, s, ev)
		}
		if x.eio == nil {
			if q.SID == "" {
				return
			}
			// Its handshake's answer may not be reported yet: adopted
			// when it is (adopt), else not recorded.
			x.sid, x.post = q.SID, body
			break
		}
		r.readAnswered(ctx, x.eio)
		x.eio.busy++
		if body != nil {
			x.eio.fromBody(r, format.Send, body, x.binaryBody(), x.start)
		}
	case longpoll.Match(r.Poll, u.Path) != "":
		x.kind = kindPoll
		x.poller = r.pollerFor(s, longpoll.Match(r.Poll, u.Path), x)
		body := r.postData(ctx, s, ev)
		e := &format.Event{Time: x.start, Dir: format.Send, Data: body, Opcode: bodyOpcode(body),
			HTTP: &format.HTTP{Method: x.method, URL: r.redactURL(pathOnly(u)),
				Headers: r.Redaction.Header(recorder.EndToEnd(x.request))}}
		x.poller.rec.message(e)
	case x.boot:
		x.kind, x.post = kindBootstrap, r.postData(ctx, s, ev) // recorded once answered (bootstrap.go)
	case ev.Type == network.ResourceTypeEventSource || ev.Type == network.ResourceTypeFetch || ev.Type == network.ResourceTypeXHR:
		// may be an event stream: the response says
	default:
		return
	}
	r.xs[k] = x
}

// pollerFor returns the poller of pattern on target s, marked in flight,
// opening its session if it has none: a request while the poller has one
// in flight comes from a second poller, which gets a session of its own.
func (r *Recorder) pollerFor(s target.SessionID, pattern string, x *exchange) *poller {
	key := pattern + "\x00" + string(s)
	pl := r.polls[key]
	if pl != nil && pl.inFlight {
		key += "\x00" + x.start.String()
		pl = nil
	}
	if pl == nil {
		line := &format.Event{Time: x.start, Kind: format.KindPoll, URL: r.redactURL(pathOnly(x.u)),
			Upstream: r.redactURL(x.u), RequestHeaders: r.Redaction.Header(recorder.EndToEnd(x.request)),
			Page: r.pageOf(s)}
		pl = &poller{rec: r.open(line), tab: s}
		r.polls[key] = pl
	}
	pl.inFlight = true
	return pl
}

// postData returns a request's body: from the event, or asked for when
// the event left it out.
func (r *Recorder) postData(ctx context.Context, s target.SessionID, ev *network.EventRequestWillBeSent) []byte {
	var body []byte
	for _, e := range ev.Request.PostDataEntries {
		body = append(body, e.Bytes...)
	}
	if body == nil && ev.Request.HasPostData {
		var res network.GetRequestPostDataResult
		if err := r.c.call(ctx, s, network.CommandGetRequestPostData, &network.GetRequestPostDataParams{RequestID: ev.RequestID}, &res); err == nil {
			body = res.PostData
		}
	}
	if body == nil {
		body = []byte{}
	}
	return body
}

// response notes a response's status and headers; an event stream's
// opens its session.
func (r *Recorder) response(s target.SessionID, ev *network.EventResponseReceived) {
	x := r.xs[reqKey{s, ev.RequestID}]
	if x == nil || ev.Response == nil {
		return
	}
	x.status, x.response, x.respAt = int(ev.Response.Status), httpHeader(ev.Response.Headers), r.at(ev.Timestamp)
	if x.kind != kindPlain {
		return
	}
	if mt, _, err := mime.ParseMediaType(x.response.Get("Content-Type")); err != nil || mt != "text/event-stream" {
		delete(r.xs, reqKey{s, ev.RequestID})
		return
	}
	x.kind = kindSSE
	x.stream = r.open(&format.Event{Time: x.start, Kind: format.KindSSE, URL: r.redactURL(pathOnly(x.u)),
		Upstream: r.redactURL(x.u), RequestHeaders: r.Redaction.Header(recorder.EndToEnd(x.request)),
		ResponseHeaders: r.Redaction.Header(recorder.EndToEnd(x.response)), Page: r.pageOf(s)})
}

// dataReceived notes when a chunk of an Engine.IO polling response's body
// came.
func (r *Recorder) dataReceived(s target.SessionID, ev *network.EventDataReceived) {
	if x := r.xs[reqKey{s, ev.RequestID}]; x != nil && x.kind == kindEIO && !x.read {
		x.bodyAt = r.at(ev.Timestamp)
	}
}

// eventSourceMessage records an event of an EventSource's stream.
func (r *Recorder) eventSourceMessage(s target.SessionID, ev *network.EventEventSourceMessageReceived) {
	x := r.xs[reqKey{s, ev.RequestID}]
	if x == nil || x.kind != kindSSE {
		return
	}
	name := ev.EventName
	if name == "message" {
		name = "" // the default type, which the stream did not name
	}
	// DevTools gives the EventSource's last event id, which an event
	// without an id field keeps: an id is the event's own when it
	// changed (one repeated by the stream is taken as kept).
	hasID := ev.EventID != x.lastID
	x.lastID = ev.EventID
	data := []byte(ev.Data)
	x.stream.message(&format.Event{Time: r.at(ev.Timestamp), Dir: format.Receive, Data: data, Opcode: bodyOpcode(data),
		SSE: &format.SSE{ID: ev.EventID, HasID: hasID, Event: name}})
}

// finished ends an exchange whose response is whole.
func (r *Recorder) finished(ctx context.Context, s target.SessionID, id network.RequestID, ts cdp.MonotonicTime) {
	k := reqKey{s, id}
	x := r.xs[k]
	if x == nil {
		return
	}
	delete(r.xs, k)
	at := r.at(ts)
	switch x.kind {
	case kindSSE:
		x.stream.close(format.Event{Time: at, By: format.ByServer, Code: 1000, Clean: true})
	case kindEIO:
		if x.eio == nil {
			r.sidSession(ctx, s, x.sid) // adopts x if it can
		}
		if x.eio == nil {
			return
		}
		x.bodyAt = at
		r.pollPackets(ctx, s, id, x)
		x.eio.busy--
		x.eio.last = at
	case kindPoll:
		body := r.responseBody(ctx, s, id)
		r.pollResponse(x, x.status, body, at)
	case kindBootstrap:
		r.recordBootstrap(s, x, r.responseBody(ctx, s, id), at)
	}
}

// pollPackets records the packets of an Engine.IO polling GET's response,
// once.
func (r *Recorder) pollPackets(ctx context.Context, s target.SessionID, id network.RequestID, x *exchange) {
	if x.read || x.method != http.MethodGet || x.status != http.StatusOK {
		return
	}
	x.read = true
	body := r.responseBody(ctx, s, id)
	binaryBody := strings.HasPrefix(x.response.Get("Content-Type"), "application/octet-stream")
	at := x.bodyAt // the page has the packets once the body came, not at the headers
	if at.IsZero() {
		at = x.respAt
	}
	x.eio.fromBody(r, format.Receive, body, binaryBody, at)
	if x.eio.rec != nil {
		r.adopt(x.eio)
	}
}

// binaryBody reports whether an Engine.IO request's body is binary (v3).
func (x *exchange) binaryBody() bool {
	return strings.HasPrefix(x.request.Get("Content-Type"), "application/octet-stream")
}

// adopt gives es the requests that named its sid before its handshake's
// answer was read, recording their POST bodies.
func (r *Recorder) adopt(es *eioSession) {
	for _, x := range r.xs {
		if x.kind != kindEIO || x.eio != nil || x.sid != es.sid {
			continue
		}
		x.eio, x.sid = es, ""
		es.busy++
		if x.post != nil {
			es.fromBody(r, format.Send, x.post, x.binaryBody(), x.start)
			x.post = nil
		}
	}
}

// sidSession returns the Engine.IO session of sid, nil if none is known.
// A client sends its next requests as soon as it has the handshake's
// answer, which can be before DevTools reports that answer finished: a
// handshake answered but not yet read is read now, for its sid.
func (r *Recorder) sidSession(ctx context.Context, s target.SessionID, sid string) *eioSession {
	if es := r.eio[sid]; es != nil {
		return es
	}
	for k, x := range r.xs {
		if k.s == s && x.kind == kindEIO && x.eio != nil && x.eio.rec == nil && x.status != 0 {
			r.pollPackets(ctx, k.s, k.id, x)
		}
	}
	return r.eio[sid]
}

// readAnswered records the packets of es's polling GETs answered but not
// yet reported finished, before a packet that came after them (a POST, a
// WebSocket frame) is: lines go in in the order they happened.
func (r *Recorder) readAnswered(ctx context.Context, es *eioSession) {
	if es.busy == 0 {
		return
	}
	for k, x := range r.xs {
		if x.kind == kindEIO && x.eio == es && x.status != 0 && !x.read && x.eio != nil {
			r.pollPackets(ctx, k.s, k.id, x)
		}
	}
}

// pollResponse records a poller's response line and frees the poller.
func (r *Recorder) pollResponse(x *exchange, status int, body []byte, at time.Time) {
	h := x.response
	if h != nil {
		h = recorder.EndToEnd(h)
		h.Del("Content-Encoding") // the browser hands the body decoded, as the proxy records it
	}
	if x.boot {
		body = r.bootstrapBody(x, status, body)
	}
	e := &format.Event{Time: x.respAt, Dir: format.Receive, Data: body, Opcode: bodyOpcode(body),
		HTTP: &format.HTTP{Status: status}}
	if e.Time.IsZero() {
		e.Time = at
	}
	if h != nil {
		e.HTTP.Headers = r.Redaction.Header(h)
	}
	x.poller.rec.message(e)
	x.poller.inFlight, x.poller.last = false, at
}

// responseBody asks for a finished response's body ([]byte{} if it
// cannot be had, or is larger than the largest message).
func (r *Recorder) responseBody(ctx context.Context, s target.SessionID, id network.RequestID) []byte {
	var res network.GetResponseBodyResult
	if err := r.c.call(ctx, s, network.CommandGetResponseBody, &network.GetResponseBodyParams{RequestID: id}, &res); err != nil {
		r.logger().Debug("response body unavailable", "err", err)
		return []byte{}
	}
	if res.Body == nil || int64(len(res.Body)) > r.maxMessageSize() {
		return []byte{}
	}
	return res.Body
}

// failed ends an exchange that got no whole response.
func (r *Recorder) failed(s target.SessionID, ev *network.EventLoadingFailed) {
	k := reqKey{s, ev.RequestID}
	x := r.xs[k]
	if x == nil {
		return
	}
	delete(r.xs, k)
	at := r.at(ev.Timestamp)
	if ev.Canceled {
		x.abandon(r, format.Event{Time: at, By: format.ByClient, Code: 1001, Clean: true})
		return
	}
	x.abandon(r, format.Event{Time: at, By: format.ByServer, Code: format.CodeAbnormal})
}

// abandon ends an exchange with no response to record: an event stream
// ends as end says; a poller's request is answered 499 (the client left)
// or 502, as the proxy records it.
func (x *exchange) abandon(r *Recorder, end format.Event) {
	switch x.kind {
	case kindSSE:
		x.stream.close(end)
	case kindEIO:
		if x.eio != nil {
			x.eio.busy--
			x.eio.last = end.Time
		}
	case kindBootstrap:
		// no answer: not recorded, as the proxy does not record it
	case kindPoll:
		status := http.StatusBadGateway
		if end.By == format.ByClient {
			status = 499
		}
		x.respAt = time.Time{}
		r.pollResponse(x, status, []byte{}, end.Time)
	}
}

// expire ends the pollers idle for PollIdle and the Engine.IO sessions
// whose client stopped polling, and forgets ended Engine.IO sessions.
func (r *Recorder) expire(now time.Time) {
	idle := r.PollIdle
	if idle <= 0 {
		idle = recorder.DefaultPollIdle
	}
	for k, pl := range r.polls {
		if !pl.inFlight && now.Sub(pl.last) >= idle {
			pl.rec.close(format.Event{Time: now, By: format.ByClient, Code: 1000, Reason: "poller idle", Clean: true})
			delete(r.polls, k)
		}
	}
	for sid, es := range r.eio {
		es.quiet(now)
		if es.ended {
			delete(r.eio, sid)
		}
	}
}

// bodyOpcode returns how a body is recorded: as text when it is UTF-8.
func bodyOpcode(b []byte) format.Opcode {
	if utf8.Valid(b) {
		return format.Text
	}
	return format.Binary
}
