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

// enqueue hands w to the session's recording goroutine, starting one if
// none runs. Once Shutdown has stopped waiting for recording goroutines
// (Proxy.recording is closed), none starts, and w is let go unrecorded:
// the session has been ended.
func (es *eioSession) enqueue(w pollWork) {
	es.wmu.Lock()
	start := !es.working
	if start && !es.p.recording.add() {
		es.wmu.Unlock()
		w.body.release()
		return
	}
	es.work = append(es.work, w)
	es.working = true
	if start {
		es.p.recorders.Add(1) // before wmu is let go: waitRecording must see it
	}
	es.wmu.Unlock()
	if start {
		go es.recordQueued()
	}
}

// recordingQueued reports whether packets wait for the recording
// goroutine. es.mu is held (the lock order is mu, then wmu).
func (es *eioSession) recordingQueued() bool {
	es.wmu.Lock()
	defer es.wmu.Unlock()
	return es.working
}

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
	es.wmu.Lock()
	defer es.wmu.Unlock()
	if !es.working {
		return false
	}
	w := pollWork{dir: dir, at: es.now(), packet: socketWork{text: text}}
	if es.p.reserve(int64(len(data))) {
		w.packet.data, w.packet.charged = data, int64(len(data))
	} else {
		w.packet.data = nil // counted as lost when its turn comes
		w.packet.charged = -1
	}
	es.work = append(es.work, w)
	return true
}

// testHookQueued, if set (by tests only, before any session), runs before
// each queued item is recorded: a slow disk or Sink, made to order.
var testHookQueued func()

// recordQueued is the session's recording goroutine: it records what
// waits, in order, until nothing does.
func (es *eioSession) recordQueued() {
	defer es.p.recording.done()
	defer es.p.recorders.Add(-1)
	for {
		es.wmu.Lock()
		if len(es.work) == 0 {
			es.working, es.work = false, nil
			es.wmu.Unlock()
			es.writeEndLine()
			return
		}
		w := es.work[0]
		es.work[0] = pollWork{}
		es.work = es.work[1:]
		es.wmu.Unlock()
		if testHookQueued != nil {
			testHookQueued()
		}
		if w.body != nil {
			es.recordBody(w)
			continue
		}
		es.recordSocket(w)
	}
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
