package diff

import (
	"fmt"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// DefaultWindow is the number of messages of each side Compare holds when
// Options.Window is zero.
const DefaultWindow = 1024

// maxWindow keeps the alignment table's uint16 cells from overflowing.
const maxWindow = 65534

// Options configures Compare. A nil *Options, like the zero value, compares
// every field of every message, not the timing, with DefaultWindow.
type Options struct {
	// Ignore names the parts of JSON messages left out of the comparison.
	Ignore []Path
	// TimeTolerance, if positive, makes matched messages whose offsets
	// from their sessions' starts differ by more than it a difference
	// (Retimed). Zero: timing is not compared.
	TimeTolerance time.Duration
	// Window is how many messages of each side are held to align a
	// difference; it bounds memory. Zero means DefaultWindow.
	Window int
	// Context is how many equal messages are kept around each
	// difference. Zero means 3; negative, none.
	Context int
	// Max is how many differences are kept (Result.Hunks), with their
	// context; the rest are counted (Result.More). Zero means DefaultMax.
	// It bounds the messages a Result holds.
	Max int
	// ExactIDs compares the ids a client chose (graphql operation ids,
	// JSON-RPC ids, ack ids, refs) as recorded. False, the zero value:
	// when both sessions speak one protocol whose profile has an Echoer,
	// or both speak none (the generic rule, protocol.NewLearned), those
	// ids are matched as a replay matches them (the k-th request of a
	// kind on one side with the k-th of that kind on the other) and
	// compare equal; see ids.go.
	ExactIDs bool
}

// Kind is what happened to a message between A and B.
type Kind string

const (
	Equal   Kind = "equal"
	Removed Kind = "removed" // in A only
	Added   Kind = "added"   // in B only
	Changed Kind = "changed" // a message of A replaced by one of B at its place
	Retimed Kind = "retimed" // the same message, beyond TimeTolerance
)

// Edit is one step of the alignment: A, B or both, by Kind.
type Edit struct {
	Kind Kind
	A, B *Message // nil for an Added A, a Removed B
}

// Result is what Compare found. The counts cover every message; Hunks
// hold the first Options.Max differences in their context.
type Result struct {
	Equal, Removed, Added, Changed, Retimed int
	// Hunks are the differences kept, in order, each run of them with up
	// to Options.Context equal messages before and after it. Empty when
	// the messages are the same.
	Hunks []Hunk
	// More counts the differences past Options.Max, left out of Hunks.
	More int
	// EndingA and EndingB are the sessions' endings; nil when there is no
	// close line (the session was open when the recording stopped).
	EndingA, EndingB *Ending
	// URLA and URLB are the recorded request paths.
	URLA, URLB string
	// EndingDiffers reports different codes, reasons or cleanness, or one
	// ending missing.
	EndingDiffers bool
}

// Same reports whether no difference was found.
func (r *Result) Same() bool {
	return r.Removed+r.Added+r.Changed+r.Retimed == 0 && !r.EndingDiffers
}

// Compare aligns the messages of a and b, each the events of one session
// (a *format.Reader of a file that holds one, or a *format.SessionReader),
// and counts their differences. It reads both streams to the end; a torn
// tail (format.ErrTruncated) ends a stream as io.EOF does, the caller
// having warned about it, and any other error reading either is returned as
// it is. It does not close the streams.
func Compare(a, b format.Stream, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Window > maxWindow {
		return nil, fmt.Errorf("window of %d messages: at most %d", o.Window, maxWindow)
	}
	if o.Context == 0 {
		o.Context = 3
	}
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	c := newComparison(o)
	sa := &side{src: a, ignore: o.Ignore}
	sb := &side{src: b, ignore: o.Ignore}
	if err := settle(sa, sb, o.Window, o.ExactIDs); err != nil {
		return nil, err
	}
	if err := c.run(sa, sb); err != nil {
		return nil, err
	}
	r := c.result()
	r.EndingA, r.EndingB, r.URLA, r.URLB = sa.ending, sb.ending, sa.URL, sb.URL
	r.EndingDiffers = !sameEnding(sa.ending, sb.ending)
	return r, nil
}

// settle finds the protocol of both sides from their first window of
// messages and chooses how their ids are compared: renamed through the
// profile's Echoer when both have the same one; when neither has a
// profile, through the generic rule, at the places where either side's
// first window shows a client's value echoed; else as they are.
func settle(a, b *side, window int, exact bool) error {
	if err := a.prime(window); err != nil {
		return err
	}
	if err := b.prime(window); err != nil {
		return err
	}
	pa, pb := a.profile(), b.profile()
	var ea, eb protocol.Echoer
	var only map[string]bool
	switch {
	case exact:
	case pa == nil && pb == nil:
		only = map[string]bool{}
		echoedPlaces(a.pending(), only)
		echoedPlaces(b.pending(), only)
		if len(only) > 0 {
			ea, eb = protocol.NewLearned(), protocol.NewLearned()
		}
	case pa != nil && pb != nil && pa.Name() == pb.Name():
		ea, _ = pa.(protocol.Echoer)
		eb, _ = pb.(protocol.Echoer)
	}
	a.settle(ea, only)
	b.settle(eb, only)
	return nil
}

func sameEnding(a, b *Ending) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Code == b.Code && a.Reason == b.Reason && a.Clean == b.Clean
}

// comparison is the state of one Compare.
type comparison struct {
	opts Options
	res  *Result
	kept hunks
}

func newComparison(o Options) *comparison {
	return &comparison{opts: o, res: &Result{}, kept: hunks{ctx: max(o.Context, 0), max: o.Max}}
}

// result returns the Result, its hunks complete.
func (c *comparison) result() *Result {
	c.kept.close()
	c.res.Hunks, c.res.More = c.kept.done, c.kept.more
	return c.res
}

// run aligns the two sides window by window.
func (c *comparison) run(a, b *side) error {
	w := c.opts.Window
	for {
		if err := a.fill(w); err != nil {
			return err
		}
		if err := b.fill(w); err != nil {
			return err
		}
		switch {
		case a.len() == 0 && b.len() == 0:
			return nil
		case a.len() > 0 && b.len() > 0 && same(a.at(0), b.at(0)):
			c.match(a.at(0), b.at(0))
			a.pop(1)
			b.pop(1)
			continue
		}
		ops := lcs(a.pending(), b.pending())
		k := commitLen(ops, a.len(), b.len(), a.eof && b.eof)
		c.apply(a, b, ops[:k])
	}
}

// apply acts on a committed part of an alignment: matches are matches, and
// each run of removals and additions between them pairs up as changes,
// the rest removed or added.
func (c *comparison) apply(a, b *side, ops []op) {
	i, j := 0, 0
	var rem, add []*Message
	flush := func() {
		n := min(len(rem), len(add))
		for k := range n {
			c.record(Edit{Kind: Changed, A: rem[k], B: add[k]})
		}
		for _, m := range rem[n:] {
			c.record(Edit{Kind: Removed, A: m})
		}
		for _, m := range add[n:] {
			c.record(Edit{Kind: Added, B: m})
		}
		rem, add = rem[:0], add[:0]
	}
	for _, o := range ops {
		switch o {
		case opMatch:
			flush()
			c.match(a.at(i), b.at(j))
			i, j = i+1, j+1
		case opRemove:
			rem = append(rem, a.at(i))
			i++
		case opAdd:
			add = append(add, b.at(j))
			j++
		}
	}
	flush()
	a.pop(i)
	b.pop(j)
}

// match records two messages that compare equal, as Equal or Retimed.
func (c *comparison) match(x, y *Message) {
	k := Equal
	if tol := c.opts.TimeTolerance; tol > 0 {
		if d := x.Offset - y.Offset; d > tol || -d > tol {
			k = Retimed
		}
	}
	c.record(Edit{Kind: k, A: x, B: y})
}

// record counts an edit and keeps it if it is among the differences kept
// or their context.
func (c *comparison) record(e Edit) {
	r := c.res
	switch e.Kind {
	case Equal:
		r.Equal++
	case Removed:
		r.Removed++
	case Added:
		r.Added++
	case Changed:
		r.Changed++
	case Retimed:
		r.Retimed++
	}
	c.kept.add(e)
}
