package browser

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
)

// tab is a target the recorder is attached to (a tab, a frame in its own
// process, a worker): its URL, the "page" of the sessions it opens.
type tab struct {
	id   target.ID
	kind string // "page", "iframe", "worker", "shared_worker", "service_worker"...
	url  string
}

// attachBrowser asks the browser to attach the recorder to every target,
// present and future, each paused until its network events are on
// (waitForDebuggerOnStart), so that no socket opens unseen; then opens
// Recorder.Open.
func (r *Recorder) attachBrowser(ctx context.Context) error {
	flat := true
	if err := r.c.call(ctx, "", target.CommandSetDiscoverTargets, &target.SetDiscoverTargetsParams{Discover: true}, nil); err != nil {
		return fmt.Errorf("attach to the browser: %w", err)
	}
	err := r.c.call(ctx, "", target.CommandSetAutoAttach,
		&target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &flat}, nil)
	if err != nil {
		return fmt.Errorf("attach to the browser: %w", err)
	}
	r.handleAll(ctx) // the targets there already
	if r.Attached != nil {
		r.Attached()
	}
	if r.Open != "" && !r.opened {
		r.opened = true
		err := r.c.call(ctx, "", target.CommandCreateTarget, &target.CreateTargetParams{URL: r.Open}, nil)
		if err != nil {
			return fmt.Errorf("open %s: %w", r.redactString(r.Open), err)
		}
	}
	return nil
}

// attached sets up a target just attached: its network events on, its own
// workers and frames attached in turn, then let run. The first tab is sent
// to Recorder.Open.
func (r *Recorder) attached(ctx context.Context, parent target.SessionID, ev *target.EventAttachedToTarget) {
	s, ti := ev.SessionID, ev.TargetInfo
	if ti == nil {
		return
	}
	r.tabs[s] = &tab{id: ti.TargetID, kind: ti.Type, url: ti.URL}
	log := r.logger().With("target", ti.Type, "url", r.redactString(ti.URL))
	if err := r.c.call(ctx, s, network.CommandEnable, &network.EnableParams{}, nil); err != nil {
		log.Debug("network events unavailable", "err", err)
	}
	if err := r.watchCloses(ctx, s, ti.Type); err != nil {
		log.Debug("cannot watch the target's WebSocket closes", "err", err)
	}
	flat := true
	if err := r.c.call(ctx, s, target.CommandSetAutoAttach,
		&target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &flat}, nil); err != nil {
		log.Debug("cannot attach to the target's workers", "err", err)
	}
	if ev.WaitingForDebugger {
		if err := r.c.call(ctx, s, runtime.CommandRunIfWaitingForDebugger, nil, nil); err != nil {
			log.Debug("cannot resume target", "err", err)
		}
	}
	log.Debug("recording target", "parent", parent)
	if r.Open != "" && !r.opened && ti.Type == "page" {
		r.opened = true
		if err := r.c.call(ctx, s, page.CommandNavigate, &page.NavigateParams{URL: r.Open}, nil); err != nil {
			log.Warn("cannot open the page", "page", r.redactString(r.Open), "err", err)
		}
	}
}

// infoChanged follows a target's URL as it navigates.
func (r *Recorder) infoChanged(ti *target.Info) {
	if ti == nil {
		return
	}
	for _, t := range r.tabs {
		if t.id == ti.TargetID {
			t.url = ti.URL
		}
	}
}

// detached ends what the target of session s had open, as drops: it went
// away (closed, crashed) without saying more.
func (r *Recorder) detached(s target.SessionID) {
	delete(r.tabs, s)
	end := endDropped
	end.Time = time.Now()
	for k, so := range r.sockets {
		if k.s == s {
			so.end(r, end)
			delete(r.sockets, k)
		}
	}
	for k, x := range r.xs {
		if k.s == s {
			x.abandon(r, end)
			delete(r.xs, k)
		}
	}
	for k, pl := range r.polls {
		if pl.tab == s {
			pl.rec.close(end)
			delete(r.polls, k)
		}
	}
	for _, es := range r.eio {
		if es.tab == s {
			es.end(end)
		}
	}
}

// pageOf returns the URL of the target of session s, redacted.
func (r *Recorder) pageOf(s target.SessionID) string {
	if t, ok := r.tabs[s]; ok {
		return r.redactString(t.url)
	}
	return ""
}

// at is the wall time of a browser timestamp.
func (r *Recorder) at(ts cdp.MonotonicTime) time.Time { return r.clock.at(ts) }
