package browser

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
	"github.com/wsreplay/wsreplay/recorder"
)

// Recorder records a browser's traffic from its DevTools protocol events
// (see the package doc). Its fields mean what the recorder.Proxy fields of
// the same names mean; its zero value records nothing (a nil Sink) and is
// safe. Run may be called once at a time; the fields must not change while
// it runs.
type Recorder struct {
	// Sink receives the lines; nil: sessions are logged, not recorded.
	Sink recorder.Sink
	// Redaction hides secrets before anything reaches Sink.
	Redaction recorder.Redaction
	// Poll are the long-polling paths recorded (a trailing "*" makes a
	// prefix); one tab's or worker's exchanges on one pattern are one
	// session.
	Poll []string
	// PollIdle ends a poller's session after this long without a request;
	// zero: recorder.DefaultPollIdle.
	PollIdle time.Duration
	// Protocols and Protocol name the protocol of a WebSocket session as
	// the Proxy's do; Protocols also names the bootstraps recorded
	// (SignalR's negotiate, SockJS's /info), as the Proxy's does.
	Protocols protocol.Set
	Protocol  string
	// NoEngineIO records Engine.IO requests as plain ones.
	NoEngineIO bool
	// MaxMessageSize bounds a message or body recorded (larger ones are
	// left out and counted as lost); zero: recorder.DefaultMaxMessageSize.
	MaxMessageSize int64
	// Open is a URL the first tab is sent to once recording has begun
	// ("": none).
	Open string
	// Logger receives the session records; nil: slog.Default().
	Logger *slog.Logger
	// Attached, if set, is called once Run is attached to every target
	// there is (and will be), before Open is opened: from then on no
	// socket opens unseen.
	Attached func()

	c       *conn
	clock   clock
	tabs    map[target.SessionID]*tab
	sockets map[reqKey]*socket
	xs      map[reqKey]*exchange
	eio     map[string]*eioSession      // by sid
	polls   map[string]*poller          // by pattern and tab session
	opened  bool                        // Open has been navigated to
	closed  map[closeKey][]closedSocket // sockets waiting for their page's report (closeinfo.go)
	reports map[closeKey][]closeReport  // reports waiting for their socket
	// boots are the tokens recorded bootstraps handed out, hidden in
	// every URL recorded or logged (bootstrap.go); kept from one Run to
	// the next.
	boots recorder.BootstrapTokens
}

// reqKey names a request or socket: ids are the target's own.
type reqKey struct {
	s  target.SessionID
	id network.RequestID
}

func (r *Recorder) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// Run connects to the browser's DevTools address (ws://.../devtools/browser/...,
// see DebuggerURL and Launch), attaches to every tab and worker, present
// and future, and records until ctx is done (open sessions are then ended
// as stopped by the recorder) or the browser goes away (they end as
// drops). It returns nil in both cases, and an error when it cannot
// connect or attach.
func (r *Recorder) Run(ctx context.Context, addr string) error {
	tr, err := remote.DialContext(ctx, addr)
	if err != nil {
		return fmt.Errorf("connect to the browser at %s: %w", addr, err)
	}
	return r.RunTransport(ctx, tr)
}

// RunTransport is Run on a connection made already, which it closes.
func (r *Recorder) RunTransport(ctx context.Context, tr chromedp.Transport) error {
	defer tr.Close()
	r.c = newConn(tr)
	r.reset()
	readCtx, stopRead := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRead()
	go r.c.read(readCtx)
	if err := r.attachBrowser(ctx); err != nil {
		return err
	}
	return r.loop(ctx)
}

// reset empties what Run keeps of the browser.
func (r *Recorder) reset() {
	r.clock, r.opened = clock{}, false
	r.tabs, r.sockets, r.xs = map[target.SessionID]*tab{}, map[reqKey]*socket{}, map[reqKey]*exchange{}
	r.eio, r.polls = map[string]*eioSession{}, map[string]*poller{}
	r.closed, r.reports = map[closeKey][]closedSocket{}, map[closeKey][]closeReport{}
}

// loop handles the events in order until ctx is done or the browser goes
// away, checking idle pollers once a second.
func (r *Recorder) loop(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			r.handleAll(ctx)
			r.endAll(endStopped, time.Now())
			return nil
		case <-r.c.lost:
			r.handleAll(ctx)
			r.logger().Info("browser connection closed: recording ended", "err", r.c.err)
			r.endAll(endDropped, time.Now())
			return nil
		case <-r.c.more:
			r.handleAll(ctx)
		case now := <-tick.C:
			r.closeExpired(now, false)
			r.expire(now)
		}
	}
}

func (r *Recorder) handleAll(ctx context.Context) {
	for _, m := range r.c.next() {
		r.handle(ctx, m)
	}
}

// handle records one event of the target of the session it came on.
func (r *Recorder) handle(ctx context.Context, m *cdproto.Message) {
	ev, err := cdproto.UnmarshalMessage(m, chromedp.DefaultUnmarshalOptions)
	if err != nil {
		return // an event this cdproto does not know: nothing recorded from it
	}
	s := m.SessionID
	switch ev := ev.(type) {
	case *target.EventAttachedToTarget:
		r.attached(ctx, s, ev)
	case *target.EventDetachedFromTarget:
		r.detached(ev.SessionID)
	case *target.EventTargetInfoChanged:
		r.infoChanged(ev.TargetInfo)
	case *network.EventWebSocketCreated:
		r.socketCreated(s, ev)
	case *network.EventWebSocketWillSendHandshakeRequest:
		r.socketRequest(s, ev)
	case *network.EventWebSocketHandshakeResponseReceived:
		r.socketOpened(ctx, s, ev)
	case *network.EventWebSocketFrameSent:
		r.frame(ctx, s, ev.RequestID, format.Send, ev.Timestamp, ev.Response)
	case *network.EventWebSocketFrameReceived:
		r.frame(ctx, s, ev.RequestID, format.Receive, ev.Timestamp, ev.Response)
	case *network.EventWebSocketFrameError:
		r.socketError(s, ev)
	case *network.EventWebSocketClosed:
		r.socketClosed(s, ev)
	case *runtime.EventBindingCalled:
		r.closeReported(s, ev)
	case *network.EventRequestWillBeSent:
		r.request(ctx, s, ev)
	case *network.EventResponseReceived:
		r.response(s, ev)
	case *network.EventEventSourceMessageReceived:
		r.eventSourceMessage(s, ev)
	case *network.EventDataReceived:
		r.dataReceived(s, ev)
	case *network.EventLoadingFinished:
		r.finished(ctx, s, ev.RequestID, ev.Timestamp)
	case *network.EventLoadingFailed:
		r.failed(s, ev)
	}
}

// endAll ends every open session as end says, at now.
func (r *Recorder) endAll(end format.Event, now time.Time) {
	end.Time = now
	r.closeExpired(now, true)
	for k, so := range r.sockets {
		so.end(r, end)
		delete(r.sockets, k)
	}
	for k, x := range r.xs {
		x.abandon(r, end)
		delete(r.xs, k)
	}
	for _, es := range r.eio {
		es.end(end)
	}
	for k, pl := range r.polls {
		pl.rec.close(end)
		delete(r.polls, k)
	}
}

// maxMessageSize is the largest message or body recorded.
func (r *Recorder) maxMessageSize() int64 {
	n := r.MaxMessageSize
	if n <= 0 {
		n = recorder.DefaultMaxMessageSize
	}
	return min(n, format.MaxMessageSize)
}
