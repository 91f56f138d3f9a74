package replayer

import (
	"bytes"
	"hash/maphash"
	"sync"
	"time"
)

// clientLog keeps what Server.Wait needs of the client's messages: for each
// one not yet matched, its arrival time, size, a hash and its first bytes,
// never the whole message. Matched ones are forgotten, and at most
// maxAhead are kept ahead of the replay: a client sending thousands of
// large messages costs a bounded amount of memory. Without Wait there is
// no clientLog.
//
// Its methods are safe for concurrent use: the connection's reader adds, the
// player gets and forgets.
type clientLog struct {
	mu      sync.Mutex
	seed    maphash.Seed
	base    int         // messages forgotten: msgs[0] is message base+1
	n       int         // messages received
	msgs    []clientMsg // messages base+1 to base+len(msgs)
	changed chan struct{}
}

// maxAhead bounds the messages kept ahead of the replay. Past it, messages
// are counted only: the replay takes them as arriving when it asks for them,
// and does not compare them.
const maxAhead = 4096

// clientHead is how many bytes of a client message are kept for the log.
const clientHead = 80

// clientMsg is what is kept of one client message.
type clientMsg struct {
	at      time.Time
	checked bool // size, sum and head are known
	size    int
	sum     uint64
	head    []byte
	seed    maphash.Seed
}

// same reports whether the message is data, as far as its hash can tell.
func (m clientMsg) same(data []byte) bool {
	return m.size == len(data) && m.sum == maphash.Bytes(m.seed, data)
}

func newClientLog() *clientLog {
	return &clientLog{seed: maphash.MakeSeed(), changed: make(chan struct{})}
}

// add notes a message from the client. It does not keep data.
func (l *clientLog) add(data []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Kept only while the kept messages run on from the last one matched
	// and are fewer than maxAhead; the others are counted.
	if l.n == l.base+len(l.msgs) && len(l.msgs) < maxAhead {
		l.msgs = append(l.msgs, clientMsg{at: time.Now(), checked: true, size: len(data), sum: maphash.Bytes(l.seed, data),
			head: bytes.Clone(data[:min(len(data), clientHead)]), seed: l.seed})
	}
	l.n++
	close(l.changed)
	l.changed = make(chan struct{})
}

// get returns the k-th message (1-based) if it has arrived, else a channel
// closed when the next one does. A message that arrived past maxAhead is
// returned unchecked, with the time it is asked for.
func (l *clientLog) get(k int) (clientMsg, bool, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case k > l.n:
		return clientMsg{}, false, l.changed
	case k > l.base && k <= l.base+len(l.msgs):
		return l.msgs[k-l.base-1], true, nil
	}
	return clientMsg{at: time.Now()}, true, nil
}

// forget drops messages up to the k-th: the replay has matched them.
func (l *clientLog) forget(k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	drop := min(max(k-l.base, 0), len(l.msgs))
	l.msgs = append(l.msgs[:0], l.msgs[drop:]...) // reuses the array: never more than maxAhead
	l.base += drop
	if len(l.msgs) == 0 {
		l.base = max(l.base, k) // past messages that were only counted
	}
}
