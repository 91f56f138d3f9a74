package recorder

import (
	"bytes"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// The packets of a polling body are recorded by a goroutine of the
// session's, never by the goroutine relaying the request: splitting a large
// body into its packets, one line each, takes time that the request must
// not wait for. The goroutine runs while bodies wait, takes them in the
// order they ended, and a WebSocket packet that comes while bodies wait
// queues behind them, so that the session's lines stay in order. What
// waits is charged to the PartialBudget.

// pollWork is what the recording goroutine records: a polling body, or a
// WebSocket packet that came while bodies waited.
type pollWork struct {
	dir      format.Dir
	at       time.Time  // when the body ended, or the packet came
	body     *heldBody  // a polling body, or nil
	binary   bool       // the body is revision 3's binary payload
	encoding string     // the body's Content-Encoding
	packet   socketWork // a WebSocket packet, when body is nil
}

type socketWork struct {
	text    bool
	data    []byte
	charged int64
}

// enqueue hands w to the session's recording goroutine (workqueue.go).
func (es *eioSession) enqueue(w pollWork) {
	es.queue.push(es.p, w, queueFuncs[pollWork]{record: es.recordWork, drop: func(w pollWork) { w.body.release() }, idle: es.writeEndLine})
}

// recordingQueued reports whether packets wait for the recording
// goroutine. es.mu is held (the lock order is mu, then the queue's).
func (es *eioSession) recordingQueued() bool { return es.queue.busy() }

// writeEndLine writes the close line that waited for the queued packets,
// if one did.
func (es *eioSession) writeEndLine() {
	es.mu.Lock()
	defer es.mu.Unlock()
	if end := es.endLine; end != nil {
		es.endLine = nil
		es.close(*end)
	}
}

// queueSocket queues a WebSocket packet behind the bodies that wait, and
// reports whether it did; false: none waits, record it now.
func (es *eioSession) queueSocket(dir format.Dir, text bool, data []byte) bool {
	return es.queue.pushIfBusy(func() pollWork {
		w := pollWork{dir: dir, at: es.now(), packet: socketWork{text: text}}
		if es.p.reserve(int64(len(data))) {
			w.packet.data, w.packet.charged = data, int64(len(data))
		} else {
			w.packet.data = nil // counted as lost when its turn comes
			w.packet.charged = -1
		}
		return w
	})
}

// testHookQueued, if set (by tests only, before any session), runs before
// each queued item is recorded: a slow disk or Sink, made to order.
var testHookQueued func()

// recordWork records one queued item (workqueue.go calls it, in order).
func (es *eioSession) recordWork(w pollWork) {
	if testHookQueued != nil {
		testHookQueued()
	}
	if w.body != nil {
		es.recordBody(w)
		return
	}
	es.recordSocket(w)
}

func (es *eioSession) recordSocket(w pollWork) {
	if w.packet.charged < 0 {
		es.queued(false)
		return
	}
	es.p.partial.Add(-w.packet.charged) // handed to the sink, within its own bound
	es.recordAs(w.dir, "websocket", engineio.Packet{Data: w.packet.data, Binary: !w.packet.text}, w.at, true)
}

// recordBody records the packets of a polling body, and lets the body go.
// Each packet is copied out of the body, so that a line in the sink's
// queue never keeps the whole body alive. Once the sink refuses a line,
// the rest of the body's packets are counted as lost, not offered.
func (es *eioSession) recordBody(w pollWork) {
	defer w.body.release()
	body := w.body.buf
	if enc := w.encoding; enc != "" && !strings.EqualFold(enc, "identity") {
		plain, err := es.p.decodeBody(enc, body, es.p.pollLimit())
		if err != nil {
			es.log.Warn("polling response not recorded: cannot undo its Content-Encoding", "err", err)
			es.queued(false)
			return
		}
		defer plain.release()
		body = plain.buf
	}
	refused := false
	for pk, err := range engineio.Packets(es.version, body, w.binary) {
		switch {
		case err != nil:
			es.log.Warn("polling body is not an Engine.IO payload: the rest of it is not recorded", "dir", w.dir, "err", err)
			es.queued(false)
		case refused:
			es.queued(false)
		default:
			switch es.recordAs(w.dir, "polling", engineio.Packet{Data: bytes.Clone(pk.Data), Binary: pk.Binary}, w.at, true) {
			case sessionOver:
				return
			case lineRefused:
				refused = true
			}
		}
	}
}
