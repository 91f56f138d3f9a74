package replayer

import (
	"io"
	"sync/atomic"

	"github.com/wsreplay/wsreplay/format"
)

// Reading ahead: a replay decodes its session's events in a goroutine of its
// own, so that reading and decoding overlap with writing to the client.
// Events travel in batches, which keeps the cost of the hand-over small at
// full speed; batchSize*batches bounds the events held per connection.
//
// What is read ahead is bounded in bytes too, or a client that does not
// read would make its replay hold the whole session (twenty messages of
// 170 MiB held 5.4 GB): an event counts from its decoding until the player
// releases it (the one the player is writing included). A replay reads
// ahead only while it holds less than readAheadBytes and all replays
// together less than readAheadTotal; past either it waits. A replay that
// holds nothing decodes its next event whatever its size: the player
// waits for it, and never for another replay's client.
const (
	batchSize = 16
	batches   = 2
	// prefetchDepth is how many events can be out at once: the batches
	// queued, the one being filled, and the one being consumed.
	prefetchDepth = batchSize * (batches + 2)
)

var (
	readAheadBytes int64 = 4 << 20  // per replay
	readAheadTotal int64 = 64 << 20 // all replays of the process
)

// readAhead is what every replay holds read ahead, in bytes. A replay
// waits for room only while it holds events itself, so it is woken by its
// own player releasing one, never by other replays: no wake-up for all.
var readAhead atomic.Int64

// prefetcher reads a session's events ahead.
type prefetcher struct {
	src  eventStream
	ch   chan []prefetched
	stop chan struct{}
	done chan struct{}
	cur  []prefetched // the batch being consumed

	held     atomic.Int64  // bytes of the events decoded and not released
	released chan struct{} // a token when the player releases an event
	inMemory bool          // src's events are held anyway (a shared copy): they count nothing
}

type prefetched struct {
	e   *format.Event
	err error
}

// cost is what an event counts against the read-ahead bounds.
func (p *prefetcher) cost(e *format.Event) int64 {
	if e == nil || p.inMemory {
		return 0
	}
	return int64(len(e.Data)) + eventOverhead
}

// inMemoryStream is a stream whose events are in memory already.
type inMemoryStream interface{ inMemory() }

func prefetch(src eventStream) *prefetcher {
	p := &prefetcher{src: src, ch: make(chan []prefetched, batches), stop: make(chan struct{}), done: make(chan struct{}),
		released: make(chan struct{}, 1)}
	_, p.inMemory = src.(inMemoryStream)
	go p.pumpEvents()
	return p
}

func (p *prefetcher) pumpEvents() {
	defer close(p.done)
	for {
		batch := make([]prefetched, 0, batchSize)
		var err error
		for len(batch) < batchSize && err == nil && (len(batch) == 0 || p.room()) {
			var e *format.Event
			e, err = p.src.Next()
			n := p.cost(e)
			p.held.Add(n)
			readAhead.Add(n)
			batch = append(batch, prefetched{e, err})
		}
		select {
		case p.ch <- batch:
		case <-p.stop:
			return
		}
		if err != nil || !p.waitRoom() {
			return
		}
	}
}

// room reports whether the replay may decode one more event now.
func (p *prefetcher) room() bool {
	held := p.held.Load()
	return held == 0 || held < readAheadBytes && readAhead.Load() < readAheadTotal
}

// waitRoom waits until the replay may decode one more event; false if it
// was stopped meanwhile. Not room means the replay holds an event, which
// its player releases in time (or the replay ends).
func (p *prefetcher) waitRoom() bool {
	for !p.room() {
		select {
		case <-p.released:
		case <-p.stop:
			return false
		}
	}
	return true
}

// Next returns the next event; after an error, it returns io.EOF.
func (p *prefetcher) Next() (*format.Event, error) {
	if len(p.cur) == 0 {
		select {
		case p.cur = <-p.ch:
		case <-p.done:
			// The pump ended; what it sent before is still buffered.
			select {
			case p.cur = <-p.ch:
			default:
				return nil, io.EOF
			}
		}
	}
	r := p.cur[0]
	p.cur = p.cur[1:]
	return r.e, r.err
}

// Release hands an event back to the source for reuse, and its bytes back
// to the read-ahead bounds.
func (p *prefetcher) Release(e *format.Event) {
	n := p.cost(e)
	p.src.Release(e)
	p.held.Add(-n)
	readAhead.Add(-n)
	select {
	case p.released <- struct{}{}:
	default:
	}
}

// Close stops the reading ahead, waits for it, gives back what the
// replay held, and closes the source.
func (p *prefetcher) Close() error {
	close(p.stop)
	<-p.done
	readAhead.Add(-p.held.Swap(0))
	return p.src.Close()
}
