package recorder

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// sessionRecord is what every kind of recorded session keeps (a
// WebSocket's, an Engine.IO sid's, a poller's, an event stream's): its id,
// where its lines go, its clock, its logger and its counts. add, message
// and close hand its lines to the Sink the one way every kind shares, and
// close logs the one "session ended" record (sessionlog.go). Its methods
// are safe for concurrent use; each kind hands its lines over in order.
type sessionRecord struct {
	p     *Proxy
	sink  Sink // nil: relayed unrecorded, its lines go nowhere
	id    string
	start time.Time // with its monotonic reading: line times are start + elapsed
	log   *slog.Logger

	counts [2]atomic.Int64 // messages sent (from the client) and received, for the log
	lost   atomic.Int64    // lines not handed to the sink: the close line's "lost"

	lostLogged       atomic.Bool // a line the sink did not take was logged
	unredactedLogged atomic.Bool // a message that could not be redacted was logged
	budgetLogged     atomic.Bool // a message or body over Proxy.PartialBudget was logged
}

// newRecord returns the record of a new session on a request to path,
// logged with the fields every kind's records carry.
func (p *Proxy) newRecord(path string, kind format.Kind, start time.Time) sessionRecord {
	id := newSessionID()
	return sessionRecord{p: p, id: id, start: start,
		log: p.logger().With("session", id, "path", path, "kind", kind.String())}
}

// at returns the time of a line that happened at t, on the session's clock.
func (r *sessionRecord) at(t time.Time) time.Time { return r.start.Add(t.Sub(r.start)) }

func (r *sessionRecord) now() time.Time { return r.at(time.Now()) }

// add hands a line to the sink, counting it as lost if the sink is full.
func (r *sessionRecord) add(e *format.Event) {
	if r.sink != nil {
		r.queued(r.sink.Add(e))
	}
}

// queued counts a line the sink did not take, and logs the first.
func (r *sessionRecord) queued(ok bool) {
	if ok {
		return
	}
	r.lost.Add(1)
	r.p.stats.lost.Add(1)
	if !r.lostLogged.Swap(true) {
		r.log.Warn("recording cannot keep up: dropping lines of this session; traffic is not affected")
	}
}

// message hands a message line to the sink, the JSON fields of
// Proxy.Redaction hidden in its text (by the sink, when it is a
// RedactingSink), and reports whether the sink took it.
func (r *sessionRecord) message(e *format.Event) bool { return r.messageThen(e, nil) }

// messageThen hands a message line to the sink as message does, its
// payload replaced, once redacted, by what then makes of it (nil: kept).
func (r *sessionRecord) messageThen(e *format.Event, then func([]byte) []byte) bool {
	if r.sink == nil {
		return false
	}
	e.Type, e.Session = format.TypeMessage, r.id
	ok, unparsed := r.p.addRedacted(r.sink, e, e.Opcode == format.Text, then)
	r.queued(ok)
	if unparsed && !r.unredactedLogged.Swap(true) {
		r.log.Warn("a message names a --redact-json field but is not JSON: recorded unchanged")
	}
	return ok
}

// close records how the session ended, as end says (By, Code, Reason,
// Clean; Time, or now if zero), and logs it. It never waits: the close line
// may wait for room, but off the caller's goroutine (Proxy.writeClose).
func (r *sessionRecord) close(end format.Event) {
	if end.Time.IsZero() {
		end.Time = r.now()
	}
	end.Type, end.Session, end.Lost = format.TypeClose, r.id, r.lost.Load()
	if r.sink != nil {
		r.p.writeClose(r.sink, &end, r.log)
	}
	r.p.stats.ended.add(howEnded(end.Clean))
	// not_queued: lines the proxy could not hand to the sink (a full
	// queue, a message over the memory budget). What the disk then fails
	// to take is the sink's to know: it logs it when it writes the close
	// line, whose "lost" counts both.
	logEnded(r.log, sessionEnd{by: end.By, code: end.Code, clean: end.Clean, reason: end.Reason,
		sent: r.counts[0].Load(), received: r.counts[1].Load(), notQueued: end.Lost, start: r.start})
}

// addRedacted hands the message line e to sink, its text redacted with
// Redaction when text is true and Redaction names JSON fields. A
// RedactingSink redacts it later, off the relay path: parsing a large JSON
// message must not hold up the traffic. Another Sink gets the line
// redacted, and unparsed reports a message that names a field but could
// not be parsed (kept whole). then, if not nil, replaces the payload once
// it is redacted (a fault's corruption of it).
func (p *Proxy) addRedacted(sink Sink, e *format.Event, text bool, then func([]byte) []byte) (ok, unparsed bool) {
	red := &p.Redaction
	if !text || len(red.JSONFields) == 0 {
		if then != nil {
			e.Data = then(e.Data)
		}
		return sink.Add(e), false
	}
	redact := p.redactText()
	if then != nil {
		redact = func(b []byte) ([]byte, bool) {
			out, unparsed := p.redactText()(b)
			return then(out), unparsed
		}
	}
	if rs, late := sink.(RedactingSink); late {
		return rs.AddRedacted(e, redact), false
	}
	e.Data, unparsed = redact(e.Data)
	return sink.Add(e), unparsed
}

// closeLineWait bounds how long a session's close line waits for room in
// a full recording queue.
const closeLineWait = time.Second

// writeClose hands a session's close line to sink, on a goroutine of its
// own counted in Proxy.recording (which Shutdown waits for), where it may
// wait for room in a sink that can (WaitingSink) for up to closeLineWait:
// the session's traffic is over, and the close line says how it ended and
// what the recording lost, but the wait must hold up neither the goroutine
// that ended the session (a relay's, a polling request's) nor a lock the
// traffic takes. Once Shutdown has stopped waiting, the line is offered
// without waiting.
func (p *Proxy) writeClose(sink Sink, e *format.Event, log *slog.Logger) {
	if !p.recording.add() {
		if !sink.Add(e) {
			log.Error("close line of session lost: recording queue full")
		}
		return
	}
	go func() {
		defer p.recording.done()
		if !addCloseLine(sink, e) {
			log.Error("close line of session lost: recording queue full")
		}
	}()
}

// addCloseLine hands a session's close line to sink, waiting for room as
// writeClose says.
func addCloseLine(sink Sink, e *format.Event) bool {
	ws, ok := sink.(WaitingSink)
	if !ok {
		return sink.Add(e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeLineWait)
	defer cancel()
	return ws.AddWait(ctx, e)
}
