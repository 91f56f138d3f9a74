package recorder

// Messages are reassembled in memory to be recorded whole. One budget,
// Proxy.PartialBudget, bounds what all messages still being received hold
// together, so that many clients each sending most of a large message and
// then waiting cannot take the proxy's memory: past the budget, a message is
// relayed as always but not recorded.

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
