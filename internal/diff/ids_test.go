package diff

import (
	"fmt"
	"testing"
)

// rpcSession is a JSON-RPC session of n calls with ids made by id(i),
// each answered at once.
func rpcSession(n int, id func(int) string) *events {
	var lines []string
	for i := range n {
		lines = append(lines,
			fmt.Sprintf(`-> {"jsonrpc":"2.0","method":"get","params":{"k":%d},"id":%s}`, i%7, id(i)),
			fmt.Sprintf(`<- {"jsonrpc":"2.0","result":{"k":%d},"id":%s}`, i%7, id(i)))
	}
	return session(lines...)
}

// TestCompareIDsBounded: a long session whose every request has a fresh
// id compares equal to its twin with other ids, and each side remembers
// at most maxTokens ids, however long the session.
func TestCompareIDsBounded(t *testing.T) {
	n := 3 * maxTokens
	a := rpcSession(n, func(i int) string { return fmt.Sprintf(`"a-%d"`, i*7919%100003) })
	b := rpcSession(n, func(i int) string { return fmt.Sprintf(`"b-%d"`, i*104729%100019) })
	sa, sb := &side{src: a}, &side{src: b}
	if err := settle(sa, sb, DefaultWindow, false); err != nil {
		t.Fatal(err)
	}
	c := newComparison(Options{Window: DefaultWindow, Context: 3, Max: DefaultMax})
	if err := c.run(sa, sb); err != nil {
		t.Fatal(err)
	}
	if c.res.Equal != 2*n || !c.res.Same() {
		t.Errorf("got %d equal, same %v; want %d, the same", c.res.Equal, c.res.Same(), 2*n)
	}
	for _, s := range []*side{sa, sb} {
		if s.ids == nil || len(s.ids.to) > maxTokens || len(s.ids.known) > 2*maxTokens {
			t.Errorf("a side remembers %d ids (%d leaves), want at most %d", len(s.ids.to), len(s.ids.known), maxTokens)
		}
	}
	res, err := Compare(rpcSession(3, func(i int) string { return fmt.Sprint(i + 1) }), rpcSession(3, func(i int) string { return fmt.Sprint(i + 11) }), &Options{ExactIDs: true})
	if err != nil || res.Same() {
		t.Errorf("ExactIDs: same %v (%v), want different", res != nil && res.Same(), err)
	}
}
