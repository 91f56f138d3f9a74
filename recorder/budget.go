package recorder

import "sync"

// Messages are reassembled in memory to be recorded whole. One budget,
// Proxy.PartialBudget, bounds what everything held for recording holds
// together: WebSocket messages still being received, the copies of HTTP
// bodies kept until they are whole (Engine.IO polling bodies, long-poll
// exchanges: heldBody), what waits for an Engine.IO session's recording
// goroutine, and the line and event an event stream's parser is reading. So
// many clients each sending most of a large message and then waiting, or
// downloading large bodies from a URL that looks like Engine.IO, cannot take
// the proxy's memory: past the budget, the message or body is relayed as
// always but not recorded, and counted.

// DefaultPartialBudget is Proxy.PartialBudget when zero: room for four
// messages of DefaultMaxMessageSize at once, on a staging box.
const DefaultPartialBudget = 256 << 20

func (p *Proxy) partialBudget() int64 {
	if p.PartialBudget > 0 {
		return p.PartialBudget
	}
	return DefaultPartialBudget
}

// reserve takes n bytes of the budget, or reports false if they are not
// there.
func (p *Proxy) reserve(n int64) bool {
	if p.partial.Add(n) > p.partialBudget() {
		p.partial.Add(-n)
		return false
	}
	return true
}

// grow makes room in the message buffer for k more bytes, charged to the
// budget. It reports false, having let the buffer go, if the budget is
// spent: the message is then not recorded. The buffer grows by doubling, up
// to the message's length as far as its frames have said it.
func (p *pump) grow(k int) bool {
	need := len(p.m.data) + k
	if need <= cap(p.m.data) {
		return true
	}
	size := max(int64(need), min(2*int64(cap(p.m.data)), p.m.length))
	if !p.s.p.reserve(size - int64(cap(p.m.data))) {
		p.abandon()
		return false
	}
	b := make([]byte, len(p.m.data), size)
	copy(b, p.m.data)
	p.s.p.partial.Add(int64(cap(b)) - size) // the allocator's rounding
	p.m.charged += int64(cap(b) - cap(p.m.data))
	p.m.data = b
	return true
}

// startMessage takes a first buffer of n bytes for a message that is to be
// recorded, if the budget has them.
func (p *pump) startMessage(n int64) {
	if !p.s.p.reserve(n) {
		p.abandon()
		return
	}
	p.m.data = make([]byte, 0, n)
	p.m.charged = n
}

// abandon gives up recording the message being received; it is counted as
// lost when it is whole (see session.overBudget).
func (p *pump) abandon() {
	p.release()
	p.m.data, p.m.skip = nil, true
	if !p.s.budgetLogged.Swap(true) {
		p.s.log.Warn("message relayed but not recorded: messages being received hold the whole memory budget (--partial-budget); traffic is not affected",
			"from", p.by, "budget", p.s.p.partialBudget())
	}
}

// release gives the message buffer's charge back to the budget: the buffer
// is let go, or handed to the sink, whose queue has a bound of its own.
func (p *pump) release() {
	p.s.p.partial.Add(-p.m.charged)
	p.m.charged = 0
}

// heldBody is a copy of an HTTP body kept to be recorded once it is whole
// (a polling body, a long-poll's request or response), charged to the
// Proxy's PartialBudget as it grows, as a WebSocket message being received
// is. Past limit or past the budget it lets its copy go and is over: the
// body is relayed as always, and not recorded (overBudget says the budget
// was why). release gives the charge back once the copy is let go or handed
// to the sink. It is safe for concurrent use; its fields are read once the
// body has ended, or under mu. A nil p charges nothing.
type heldBody struct {
	mu         sync.Mutex
	p          *Proxy
	limit      int64
	buf        []byte
	charged    int64
	over       bool
	overBudget bool
}

func (p *Proxy) holdBody(limit int64) *heldBody { return &heldBody{p: p, limit: limit} }

// Write keeps a copy of chunk; it never fails, so that a body can be
// copied into it.
func (b *heldBody) Write(chunk []byte) (int, error) {
	b.write(chunk)
	return len(chunk), nil
}

func (b *heldBody) write(chunk []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.over || len(chunk) == 0 {
		return
	}
	need := int64(len(b.buf) + len(chunk))
	if need > b.limit {
		b.dropLocked(false)
		return
	}
	if need > int64(cap(b.buf)) {
		size := max(need, min(2*int64(cap(b.buf)), b.limit), 512)
		if b.p != nil && !b.p.reserve(size-int64(cap(b.buf))) {
			b.dropLocked(true)
			return
		}
		nb := make([]byte, len(b.buf), size)
		copy(nb, b.buf)
		b.charged += size - int64(cap(b.buf))
		b.buf = nb
	}
	b.buf = append(b.buf, chunk...)
}

// drop lets the copy go: the body is not recorded.
func (b *heldBody) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropLocked(false)
}

func (b *heldBody) dropLocked(budget bool) {
	b.over, b.overBudget, b.buf = true, budget, nil
	b.releaseLocked()
}

// release gives the copy's charge back to the budget.
func (b *heldBody) release() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.releaseLocked()
}

func (b *heldBody) releaseLocked() {
	if b.p != nil {
		b.p.partial.Add(-b.charged)
	}
	b.charged = 0
}
