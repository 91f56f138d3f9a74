package replayer

import (
	"io"

	"github.com/wsreplay/wsreplay/format"
)

// Reading ahead: a replay decodes its session's events in a goroutine of its
// own, so that reading and decoding overlap with writing to the client.
// Events travel in batches, which keeps the cost of the hand-over small at
// full speed; batchSize*batches bounds the events held per connection.
const (
	batchSize = 16
	batches   = 2
	// prefetchDepth is how many events can be out at once: the batches
	// queued, the one being filled, and the one being consumed.
	prefetchDepth = batchSize * (batches + 2)
)

// prefetcher reads a session's events ahead.
type prefetcher struct {
	src  eventStream
	ch   chan []prefetched
	stop chan struct{}
	done chan struct{}
	cur  []prefetched // the batch being consumed
}

type prefetched struct {
	e   *format.Event
	err error
}

func prefetch(src eventStream) *prefetcher {
	p := &prefetcher{src: src, ch: make(chan []prefetched, batches), stop: make(chan struct{}), done: make(chan struct{})}
	go p.pumpEvents()
	return p
}

func (p *prefetcher) pumpEvents() {
	defer close(p.done)
	for {
		batch := make([]prefetched, 0, batchSize)
		var err error
		for len(batch) < batchSize && err == nil {
			var e *format.Event
			e, err = p.src.Next()
			batch = append(batch, prefetched{e, err})
		}
		select {
		case p.ch <- batch:
		case <-p.stop:
			return
		}
		if err != nil {
			return
		}
	}
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

// Release hands an event back to the source for reuse.
func (p *prefetcher) Release(e *format.Event) { p.src.Release(e) }

// Close stops the reading ahead, waits for it, and closes the source.
func (p *prefetcher) Close() error {
	close(p.stop)
	<-p.done
	return p.src.Close()
}
