package recorder

import (
	"context"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// minFlushGap keeps a busy recorder from flushing on every drained queue.
const minFlushGap = 50 * time.Millisecond

// queued is a line waiting for the writer, with the redaction its message
// still needs (nil: none), done there rather than on the relay path.
type queued struct {
	e   *format.Event
	red func([]byte) ([]byte, bool) // Redaction.Message, or nil
}

// Add queues e, or drops it if the queue is full or the sink closed.
func (s *FileSink) Add(e *format.Event) bool { return s.AddRedacted(e, nil) }

// AddRedacted queues e as Add does; the writer goroutine redacts its text
// with redact, if not nil, and logs the messages it cannot parse, per
// session (see RedactingSink).
func (s *FileSink) AddRedacted(e *format.Event, redact func([]byte) ([]byte, bool)) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	// A line larger than the whole queue is taken if the queue is empty:
	// only a queue that holds other lines is one that cannot keep up.
	n := int64(len(e.Data))
	if q := s.queued.Add(n); q > s.opts.MaxQueueBytes && q != n {
		s.queued.Add(-n)
		return false
	}
	select {
	case s.ch <- queued{e, redact}:
		return true
	default:
		s.queued.Add(-n)
		return false
	}
}

// AddWait queues e as Add does, but waits for room in a full queue until
// ctx is done or the sink is closed: for a session's close line, once the
// session's traffic is over (see WaitingSink). MaxQueueBytes does not bound
// it: a close line has no payload, and adds nothing to the bytes waiting.
func (s *FileSink) AddWait(ctx context.Context, e *format.Event) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return false
	}
	n := int64(len(e.Data))
	s.queued.Add(n)
	select {
	case s.ch <- queued{e, nil}: // room now: taken even if ctx is done
		return true
	default:
	}
	select {
	case s.ch <- queued{e, nil}:
		return true
	case <-ctx.Done():
	case <-s.closing: // Close waits for the lock this holds
	}
	s.queued.Add(-n)
	return false
}

// Close writes what is queued, finishes every file and stops the writer.
func (s *FileSink) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	s.mu.Unlock()
	<-s.done
	return s.err
}

// drainEvery is how often a busy writer goroutine collects queued lines.
// It polls rather than waking for every line: on a busy proxy a wake-up per
// message costs more CPU than the writing itself. An idle writer (nothing
// queued, nothing waiting in memory) blocks until a line comes instead.
const drainEvery = 5 * time.Millisecond

// drainQueue is the writer goroutine: while lines come, every drainEvery it
// writes what is queued, and flushes once the queue has drained; when
// nothing is queued or waits to be written, it sleeps until a line comes. It
// closes the store when Close has closed the queue.
func (s *FileSink) drainQueue() {
	defer close(s.done)
	gap := min(minFlushGap, s.opts.FlushInterval)
	lastFlush := time.Now()
	dirty, failing := false, false
	for {
		wrote, open := s.writeQueued()
		dirty = dirty || wrote
		// Flush once the queue has drained, but not more often than
		// minFlushGap (or FlushInterval, if that is shorter).
		if (dirty || s.store.unfinished()) && (time.Since(lastFlush) >= gap || !open) {
			failing = s.flush(failing)
			lastFlush, dirty = time.Now(), false
		}
		if !open {
			if err := s.store.close(); err != nil {
				s.log.Error("finish recordings", "err", err)
				s.err = err
			}
			return
		}
		if dirty || s.store.unfinished() {
			time.Sleep(drainEvery)
			continue
		}
		s.awaitLine()
	}
}

// awaitLine blocks until a line is queued or Close closes the queue, and
// writes that line; the loop in drainQueue takes the rest.
func (s *FileSink) awaitLine() {
	q, ok := <-s.ch
	if !ok {
		return
	}
	s.write(q)
	// Let the lines of the same burst gather, as a busy writer does.
	time.Sleep(drainEvery)
}

// writeQueued writes the lines queued until the queue is empty. It reports
// whether it took any, and false for open once Close has closed the queue.
func (s *FileSink) writeQueued() (wrote, open bool) {
	for {
		select {
		case q, ok := <-s.ch:
			if !ok {
				return wrote, false
			}
			s.write(q)
			wrote = true
		default:
			return wrote, true
		}
	}
}

// write redacts and writes one queued line.
func (s *FileSink) write(q queued) {
	e := q.e
	s.queued.Add(-int64(len(e.Data)))
	s.redact(q)
	if e.Type == format.TypeMessage {
		s.stats.payloadBytes.Add(int64(len(e.Data)))
	}
	if err := s.store.write(e); err != nil {
		s.stats.writeErrors.Add(1)
		s.log.Debug("write recording line", "session", e.Session, "err", err)
	} else {
		s.stats.written.Add(1)
	}
}

// flush flushes the store and reports whether it is failing. A failing
// disk is logged when it starts failing (failing was false), not at every
// flush; the sessions say what they lost.
func (s *FileSink) flush(failing bool) bool {
	began := time.Now()
	err := s.store.flush()
	s.stats.flushed(time.Since(began))
	if err != nil {
		s.stats.flushErrors.Add(1)
		if !failing {
			s.log.Error("writing recordings failed; traffic goes on", "err", err)
		}
	}
	return err != nil
}

// redact applies a queued line's redaction. A message that names a field
// but cannot be parsed is kept whole and counted; the count is logged at
// the session's end, and the first one when it happens.
func (s *FileSink) redact(q queued) {
	e := q.e
	if q.red != nil {
		var unparsed bool
		if e.Data, unparsed = q.red(e.Data); unparsed {
			if s.unredacted[e.Session]++; s.unredacted[e.Session] == 1 {
				s.log.Warn("a message names a --redact-json field but is not JSON: recorded unchanged", "session", e.Session)
			}
		}
	}
	if e.Type == format.TypeClose {
		if n := s.unredacted[e.Session]; n > 0 {
			s.log.Warn("messages recorded without JSON redaction", "session", e.Session, "unredacted", n)
			delete(s.unredacted, e.Session)
		}
	}
}
