package browser

import (
	"context"
	"encoding/json"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
)

// How a WebSocket ended. Chromium's DevTools events do not say: it reports
// data frames only (no close frame, opcode 8, as of Chromium 156), and
// Network.webSocketClosed has a timestamp and nothing more. The page does
// know: its socket's close event has the code, the reason and wasClean.
// So each page and worker gets, before its own scripts run, a script that
// wraps the WebSocket constructor (a Proxy: instanceof and the constants
// still hold) to report every socket's close event through a binding, and
// notes whether the page called close() first (the client closed). A
// socket whose network end comes first waits here for its report, and the
// report that comes first waits for its socket, matched by target and URL
// in order. A socket with no report within closeInfoWait (a page that went
// away, a context the script could not reach) is recorded as the drop the
// network saw.

// closeBinding is the name of the binding the script reports through.
const closeBinding = "__wsreplayClose"

// closeScript is the script put in every page and worker.
const closeScript = `(() => {
  const W = globalThis.WebSocket, report = globalThis.` + closeBinding + `;
  if (typeof W !== 'function' || typeof report !== 'function' || W.__wsreplay) return;
  const closing = new WeakSet(), close = W.prototype.close;
  W.prototype.close = function (...a) { if (this.readyState < 2) closing.add(this); return close.apply(this, a); };
  const P = new Proxy(W, { construct(t, args, nt) {
    const ws = Reflect.construct(t, args, nt);
    ws.addEventListener('close', (e) => report(JSON.stringify({ url: ws.url, code: e.code, reason: e.reason, clean: e.wasClean, client: closing.has(ws) })));
    return ws;
  }, get(t, k) { return k === '__wsreplay' ? true : Reflect.get(t, k); } });
  globalThis.WebSocket = P;
})();`

// closeInfoWait bounds how long a closed socket waits for its page's
// report.
const closeInfoWait = 2 * time.Second

// closeReport is what the script reports of a close event.
type closeReport struct {
	URL    string `json:"url"`
	Code   int    `json:"code"`
	Reason string `json:"reason"`
	Clean  bool   `json:"clean"`
	Client bool   `json:"client"` // the page called close() first
}

// closeKey names the sockets of one target to one URL.
type closeKey struct {
	s   target.SessionID
	url string
}

// closedSocket is a socket whose network end came before its report.
type closedSocket struct {
	so  *socket
	end format.Event // the drop the network saw, until a report says more
}

// watchCloses puts the script in the target of session s: in every
// document of a page from now on (and the current one), or in a worker
// now, before it runs.
func (r *Recorder) watchCloses(ctx context.Context, s target.SessionID, kind string) error {
	// Runtime.bindingCalled comes only with the Runtime domain on.
	if err := r.c.call(ctx, s, runtime.CommandEnable, nil, nil); err != nil {
		return err
	}
	if err := r.c.call(ctx, s, runtime.CommandAddBinding, &runtime.AddBindingParams{Name: closeBinding}, nil); err != nil {
		return err
	}
	if kind == "page" || kind == "iframe" {
		if err := r.c.call(ctx, s, page.CommandEnable, nil, nil); err != nil {
			return err
		}
		now := true
		return r.c.call(ctx, s, page.CommandAddScriptToEvaluateOnNewDocument,
			&page.AddScriptToEvaluateOnNewDocumentParams{Source: closeScript, RunImmediately: &now}, nil)
	}
	return r.c.call(ctx, s, runtime.CommandEvaluate, &runtime.EvaluateParams{Expression: closeScript}, nil)
}

// closeReported matches a page's report to its socket.
func (r *Recorder) closeReported(s target.SessionID, ev *runtime.EventBindingCalled) {
	if ev.Name != closeBinding {
		return
	}
	var rep closeReport
	if json.Unmarshal([]byte(ev.Payload), &rep) != nil {
		return
	}
	k := closeKey{s, rep.URL}
	if q := r.closed[k]; len(q) > 0 {
		cs := q[0]
		r.closed[k] = q[1:]
		cs.so.end(r, reportedEnd(rep, cs.end.Time))
		return
	}
	r.reports[k] = append(r.reports[k], rep)
}

// closeNetwork is a socket's network end: recorded now if its report came
// first, else when it comes (or as a drop after closeInfoWait).
func (r *Recorder) closeNetwork(s target.SessionID, so *socket, at time.Time) {
	k := closeKey{s, so.u.String()}
	if q := r.reports[k]; len(q) > 0 {
		r.reports[k] = q[1:]
		so.end(r, reportedEnd(q[0], at))
		return
	}
	r.closed[k] = append(r.closed[k], closedSocket{so: so,
		end: format.Event{Time: at, By: format.ByServer, Code: format.CodeAbnormal}})
}

// reportedEnd is the close line a report says.
func reportedEnd(rep closeReport, at time.Time) format.Event {
	end := format.Event{Time: at, By: format.ByServer, Code: rep.Code, Reason: rep.Reason, Clean: rep.Clean}
	if rep.Client {
		end.By = format.ByClient
	}
	if !rep.Clean {
		end.Code = format.CodeAbnormal
	}
	return end
}

// closeExpired records, as drops, the sockets that waited closeInfoWait
// for a report, and forgets reports of a target no socket claimed.
func (r *Recorder) closeExpired(now time.Time, all bool) {
	for k, q := range r.closed {
		for len(q) > 0 && (all || now.Sub(q[0].end.Time) >= closeInfoWait) {
			q[0].so.end(r, q[0].end)
			q = q[1:]
		}
		if len(q) == 0 {
			delete(r.closed, k)
		} else {
			r.closed[k] = q
		}
	}
	if all {
		clear(r.reports)
	}
}
