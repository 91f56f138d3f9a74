package browser

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// This file records bootstraps, a protocol's HTTP request before its
// socket (SignalR's POST <hub>/negotiate, SockJS's GET <base>/info), as
// the proxy does (recorder/bootstrap.go): once answered with the
// protocol's shape (recorder.RecognizeBootstrap), a poll session of its
// own naming the protocol, with a request line, a response line and a
// close line. The secrets an answer hands out (SignalR's connectionToken)
// are recorded hidden and remembered (recorder.BootstrapTokens), and
// hidden in every URL recorded or logged after (<hub>?id=<token>).

// recordBootstrap records a bootstrap exchange finished at at, whose
// answer is body, if the answer has the protocol's shape.
func (r *Recorder) recordBootstrap(s target.SessionID, x *exchange, body []byte, at time.Time) {
	name, ok := recorder.RecognizeBootstrap(r.Protocols, x.httpRequest(), x.status, body)
	if !ok {
		return // an application's own /info or /negotiate: plain HTTP
	}
	answer := r.boots.Answer(&r.Redaction, body) // the tokens learned before any URL below
	rec := r.open(&format.Event{Time: x.start, Kind: format.KindPoll, Protocol: name, URL: r.redactURL(pathOnly(x.u)),
		Upstream: r.redactURL(x.u), RequestHeaders: r.Redaction.Header(recorder.EndToEnd(x.request)), Page: r.pageOf(s)})
	req := nonNil(x.post)
	rec.message(&format.Event{Time: x.start, Dir: format.Send, Data: req, Opcode: bodyOpcode(req),
		HTTP: &format.HTTP{Method: x.method, URL: r.redactURL(pathOnly(x.u)), Headers: r.Redaction.Header(recorder.EndToEnd(x.request))}})
	h := recorder.EndToEnd(x.response)
	h.Del("Content-Encoding") // the browser hands the body decoded, as the proxy records it
	respAt := x.respAt
	if respAt.IsZero() {
		respAt = at
	}
	rec.message(&format.Event{Time: respAt, Dir: format.Receive, Data: answer, Opcode: bodyOpcode(answer),
		HTTP: &format.HTTP{Status: x.status, Headers: r.Redaction.Header(h)}})
	rec.close(format.Event{Time: at, By: format.ByServer, Code: 1000, Reason: recorder.BootstrapAnswered, Clean: true})
}

// bootstrapBody returns the answer to a poller's request on a bootstrap's
// path (--poll on a negotiate) as it is recorded: with the secrets of a
// recognized bootstrap answer hidden and remembered.
func (r *Recorder) bootstrapBody(x *exchange, status int, body []byte) []byte {
	if _, ok := recorder.RecognizeBootstrap(r.Protocols, x.httpRequest(), status, body); ok {
		return r.boots.Answer(&r.Redaction, body)
	}
	return body
}

// learnTokens reads the answers of bootstraps answered but not yet
// reported finished, for the tokens they hand out, before u, which may
// present one (?id=), is recorded or logged: the page presents its token
// as soon as it has the answer, which can be before DevTools reports the
// answer finished. Their lines are recorded when it does.
func (r *Recorder) learnTokens(ctx context.Context, u *url.URL) {
	if r.Redaction.Off || !u.Query().Has("id") {
		return
	}
	for k, x := range r.xs {
		if !x.boot || x.learned || x.status == 0 {
			continue
		}
		body := r.responseBody(ctx, k.s, k.id)
		if _, ok := recorder.RecognizeBootstrap(r.Protocols, x.httpRequest(), x.status, body); ok {
			r.boots.Answer(&r.Redaction, body)
			x.learned = true
		}
	}
}

// redactURL returns u as it is recorded and logged: as
// recorder.Redaction.URL does, with the tokens recorded bootstraps handed
// out hidden too.
func (r *Recorder) redactURL(u *url.URL) string { return r.boots.URL(&r.Redaction, u) }

// httpRequest is the exchange's request as a server sees it, for the
// protocol profiles.
func (x *exchange) httpRequest() *http.Request {
	return &http.Request{Method: x.method, URL: pathOnly(x.u), Header: x.request, Host: x.u.Host}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
