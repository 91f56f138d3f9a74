package fault

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Action is what a Rule does to the messages it selects.
type Action string

// The actions of message faults.
const (
	Drop      Action = "drop"      // the message never arrives
	Duplicate Action = "duplicate" // it arrives twice, one after the other
	Delay     Action = "delay"     // it arrives Rule.Delay later; later messages may overtake it
	Reorder   Action = "reorder"   // it arrives just after the next message
	Corrupt   Action = "corrupt"   // text that is not valid JSON; binary cut to half its length
)

// Rule is one message fault: an action and the messages it acts on. A
// message is selected when every selector matches it; a Rule with no
// selector selects every server message. Rules apply to the messages the
// server sends (dir receive).
type Rule struct {
	Action Action
	Delay  time.Duration // for Delay; ParseRule keeps it to MaxDuration
	// Seq selects messages by position: numbered from 1 in both
	// directions, as the timeline and the control API number them, from
	// SeqFrom to SeqTo included. Zero: any.
	SeqFrom, SeqTo int
	// At selects by time since the session (or connection) began: with
	// Until zero, the first server message at or after At (once); else
	// every one from At to before Until. Zero both: any. HasAt says At
	// was given (At may be 0).
	At, Until time.Duration
	HasAt     bool
	// JSONPath, if set, must name a value in the message's JSON payload
	// ($.a.b[0]); with HasValue, a value equal to Value (a string's text,
	// or a number, true, false or null as written).
	JSONPath []string
	Value    string
	HasValue bool
	Contains string // the payload contains this text; "": any
	// Event is a kind-aware event name: a Socket.IO event's name, an SSE
	// event's type ("message" when it has none), or on a plain WebSocket
	// the "type" or "event" string field of a JSON object. "": any.
	Event string
	Path  string // the session's URL path matches this path.Match glob (a trailing * is a prefix); "": any
	text  string
}

// String returns the rule as ParseRule read it.
func (r *Rule) String() string { return r.text }

// ParseRule parses a message fault, ACTION[:SELECTOR[;SELECTOR...]]:
//
//	drop:event=tick                  every Socket.IO/SSE/JSON event named tick
//	duplicate:#5                     the 5th message of the session (#5-9: 5th to 9th)
//	delay=200ms:path=/feed           every message on /feed, 200 ms late
//	reorder:@10s                     the first message at or after 10 s, with the next
//	drop:@10s-12s                    every message from 10 s to 12 s
//	corrupt:$.type==snapshot         JSON payloads whose type is "snapshot"
//	drop:$.user.id                   JSON payloads that have user.id
//	drop:~heartbeat                  payloads that contain "heartbeat"
//
// Actions: drop, duplicate, delay=D (D at most MaxDuration), reorder,
// corrupt. Times of @ selectors have no upper bound: they are only
// compared with a message's offset.
func ParseRule(s string) (*Rule, error) {
	head, sels, _ := strings.Cut(s, ":")
	r := &Rule{text: s}
	act, arg, hasArg := strings.Cut(head, "=")
	r.Action = Action(strings.TrimSpace(act))
	switch r.Action {
	case Drop, Duplicate, Reorder, Corrupt:
		if hasArg {
			return nil, fmt.Errorf("fault %q: %s takes no value", s, r.Action)
		}
	case Delay:
		d, err := parseDur("delay", arg)
		if err != nil || d == 0 {
			return nil, fmt.Errorf("fault %q: delay needs a duration (delay=200ms)", s)
		}
		if d > MaxDuration {
			return nil, fmt.Errorf("fault %q: %w", s, overLimit("delay", arg))
		}
		r.Delay = d
	default:
		return nil, fmt.Errorf("fault %q: unknown action %q (drop, duplicate, delay=D, reorder, corrupt)", s, act)
	}
	if strings.TrimSpace(sels) == "" {
		return r, nil
	}
	for sel := range strings.SplitSeq(sels, ";") {
		if err := r.parseSelector(sel); err != nil {
			return nil, fmt.Errorf("fault %q: %w", s, err)
		}
	}
	return r, nil
}

// parseSelector adds one selector to r.
func (r *Rule) parseSelector(sel string) error {
	switch {
	case strings.HasPrefix(sel, "#"):
		return r.parseSeq(sel[1:])
	case strings.HasPrefix(sel, "@"):
		return r.parseAt(sel[1:])
	case strings.HasPrefix(sel, "$"):
		return r.parseJSON(sel)
	case strings.HasPrefix(sel, "~"):
		if len(sel) == 1 {
			return fmt.Errorf("selector %q: nothing to match", sel)
		}
		r.Contains = sel[1:]
		return nil
	case strings.HasPrefix(sel, "event="):
		if r.Event = sel[len("event="):]; r.Event == "" {
			return fmt.Errorf("selector %q: no event name", sel)
		}
		return nil
	case strings.HasPrefix(sel, "path="):
		r.Path = sel[len("path="):]
		if _, err := path.Match(r.Path, "/"); err != nil || r.Path == "" {
			return fmt.Errorf("selector %q: not a path glob", sel)
		}
		return nil
	}
	return fmt.Errorf("selector %q is none of #N, @D, $.path, ~text, event=NAME, path=GLOB", sel)
}

func (r *Rule) parseSeq(s string) error {
	from, to, rng := strings.Cut(s, "-")
	a, err := strconv.Atoi(from)
	b := a
	if err == nil && rng {
		b, err = strconv.Atoi(to)
	}
	if err != nil || a < 1 || b < a {
		return fmt.Errorf("selector %q: not a position (#5, #5-9)", "#"+s)
	}
	r.SeqFrom, r.SeqTo = a, b
	return nil
}

func (r *Rule) parseAt(s string) error {
	from, to, rng := strings.Cut(s, "-")
	a, err := parseDur("time", from)
	if err != nil {
		return fmt.Errorf("selector %q: %w", "@"+s, err)
	}
	r.At, r.HasAt = a, true
	if rng {
		b, err := parseDur("time", to)
		if err != nil {
			return fmt.Errorf("selector %q: %w", "@"+s, err)
		}
		if b <= a {
			return fmt.Errorf("selector %q: the window ends before it starts", "@"+s)
		}
		r.Until = b
	}
	return nil
}

// Match reports whether r selects m (time-based "once" selection is left
// to Matcher).
func (r *Rule) Match(m *Message) bool {
	e := m.Event
	switch {
	case e == nil || e.Type != format.TypeMessage || e.Dir != format.Receive:
		return false
	case r.SeqFrom > 0 && (m.Seq < r.SeqFrom || m.Seq > r.SeqTo):
		return false
	case r.HasAt && (m.Offset < r.At || r.Until > 0 && m.Offset >= r.Until):
		return false
	case r.Path != "" && !pathMatch(r.Path, m.Path):
		return false
	case r.Contains != "" && !strings.Contains(string(e.Data), r.Contains):
		return false
	case r.Event != "" && eventName(m.Kind, e) != r.Event:
		return false
	case r.JSONPath != nil && !r.matchJSON(m.Kind, e.Data):
		return false
	}
	return true
}

func pathMatch(glob, p string) bool {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if ok, _ := path.Match(glob, p); ok {
		return true
	}
	// A trailing * is a prefix, as --poll PATH* is: /feed* takes /feed/1.
	prefix, ok := strings.CutSuffix(glob, "*")
	return ok && strings.HasPrefix(p, prefix)
}

// MatchesPath reports whether r may select messages of a session on the
// URL path p: it names no path, or p matches it.
func (r *Rule) MatchesPath(p string) bool { return r.Path == "" || pathMatch(r.Path, p) }

// once reports whether r selects one message only (@D with no end).
func (r *Rule) once() bool { return r.HasAt && r.Until == 0 }

// Message is a message as rules see it.
type Message struct {
	Seq    int           // from 1, both directions
	Offset time.Duration // since the session (or connection) began
	Kind   format.Kind
	Path   string // the session's URL path (a query is ignored)
	Event  *format.Event
}

// Matcher applies rules to the messages of one connection, in order. The
// zero Matcher has no rules. It is not safe for concurrent use.
type Matcher struct {
	rules []*Rule
	fired []bool
}

// NewMatcher returns a Matcher of rules for one connection.
func NewMatcher(rules []*Rule) *Matcher {
	return &Matcher{rules: rules, fired: make([]bool, len(rules))}
}

// Match returns the first rule that selects m, or nil.
func (x *Matcher) Match(m *Message) *Rule {
	if x == nil {
		return nil
	}
	for i, r := range x.rules {
		if x.fired[i] || !r.Match(m) {
			continue
		}
		if r.once() {
			x.fired[i] = true
		}
		return r
	}
	return nil
}
