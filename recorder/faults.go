package recorder

import (
	"slices"
	"sync"

	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

// Faults are the faults a Proxy applies to live traffic, for testing a
// real backend and a real frontend together: link faults (latency,
// bandwidth, stalls) and message faults (package fault), on what the
// server sends a WebSocket client. They are opt-in: a Proxy without Faults,
// or with none set, relays every byte as it comes. Each session takes the
// faults set when it opens; the faults it got and each message fault
// applied are written into its recording as fault lines, and its message
// lines are what the client received, when it received it.
//
// Only WebSocket sessions of their own (not those carrying Engine.IO or
// SockJS) get faults. A Faults is safe for concurrent use; the zero value
// has none.
type Faults struct {
	mu    sync.Mutex
	link  *fault.Link
	rules []*fault.Rule
}

// Set replaces the faults of the sessions opened from now on; link nil
// and no rules: none.
func (f *Faults) Set(link *fault.Link, rules []*fault.Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.link, f.rules = link, slices.Clone(rules)
}

// Get returns the faults set.
func (f *Faults) Get() (*fault.Link, []*fault.Rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.link, f.rules
}

// faultPlan is the faults one session got.
type faultPlan struct {
	link  *fault.Link
	rules []*fault.Rule
	path  string
}

// faultsFor returns the faults of a new session on path, or nil when none
// can act on it: its messages are then relayed as they come.
func (p *Proxy) faultsFor(path string) *faultPlan {
	if p.Faults == nil {
		return nil
	}
	link, rules := p.Faults.Get()
	var mine []*fault.Rule
	for _, r := range rules {
		if r.MatchesPath(path) {
			mine = append(mine, r)
		}
	}
	if link == nil && len(mine) == 0 {
		return nil
	}
	return &faultPlan{link: link, rules: mine, path: path}
}

// faultLines is what records the faults applied to a session: its own
// recording (socketRecord).
type faultLines interface {
	faulted(dir format.Dir, spec, action string)
	// corrupted records what the corrupt action made of a message whose
	// payload was orig (taken): the corruption of orig redacted, so that
	// the fault never takes a secret past redaction.
	corrupted(dir format.Dir, text bool, orig []byte)
}

func (l socketRecord) faulted(dir format.Dir, spec, action string) {
	l.r.add(&format.Event{Type: format.TypeFault, Session: l.r.id, Time: l.r.now(), Dir: dir, Fault: spec, Action: action})
}

func (l socketRecord) corrupted(dir format.Dir, text bool, orig []byte) {
	e := &format.Event{Time: l.r.now(), Dir: dir, Opcode: format.Binary, Data: orig}
	if text {
		e.Opcode = format.Text
	}
	l.r.messageThen(e, func(b []byte) []byte { return fault.CorruptData(b, text) })
}
