package replayer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub fans the control API's events out to the subscribers of the events
// stream (GET /_wsreplay/api/events). A subscriber that falls behind by
// subBuffer events is dropped, not waited for: its stream ends, and an
// EventSource reconnects and starts again from a hello snapshot. The zero
// value is ready to use; it is safe for concurrent use.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed chan struct{} // closed by shutdown; made on first use
}

const subBuffer = 256

type subscriber struct {
	ch   chan apiEvent
	gone chan struct{} // closed when the hub drops the subscriber
}

type apiEvent struct {
	name string
	data []byte
}

func (h *hub) init() {
	if h.closed == nil {
		h.closed = make(chan struct{})
		h.subs = map[*subscriber]struct{}{}
	}
}

// subscribe adds a subscriber; done is closed when the hub shuts down.
func (h *hub) subscribe() (s *subscriber, done <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	s = &subscriber{ch: make(chan apiEvent, subBuffer), gone: make(chan struct{})}
	h.subs[s] = struct{}{}
	return s, h.closed
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.gone)
	}
}

// publish sends an event to every subscriber.
func (h *hub) publish(name string, v any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) == 0 {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	for s := range h.subs {
		select {
		case s.ch <- apiEvent{name, data}:
		default:
			delete(h.subs, s)
			close(s.gone)
		}
	}
}

// listened reports whether the stream has subscribers.
func (h *hub) listened() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}

// shutdown ends every stream.
func (h *hub) shutdown() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.init()
	select {
	case <-h.closed:
	default:
		close(h.closed)
	}
}

// serveEvents streams events: a hello snapshot (the live replays and the
// sessions indexed so far), then the replays' events as they happen, and
// session.added as indexing finds sessions.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, &apiError{status: http.StatusInternalServerError, msg: "streaming is not supported here"})
		return
	}
	sub, closed := s.control.hub.subscribe()
	defer s.control.hub.unsubscribe(sub)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	sessions, _, changed := s.Catalog.snapshot()
	known := len(s.allowed(sessions))
	hello := map[string]any{"replays": s.replayViews(), "sessions": known}
	data, _ := json.Marshal(hello)
	writeSSE(w, "hello", data)
	fl.Flush()
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case ev := <-sub.ch:
			writeSSE(w, ev.name, ev.data)
		case <-changed:
			sessions, _, changed = s.Catalog.snapshot()
			all := s.allowed(sessions)
			for _, sess := range all[min(known, len(all)):] {
				data, _ := json.Marshal(s.sessionView(sess, false))
				writeSSE(w, "session.added", data)
			}
			known = len(all)
		case <-keepalive.C:
			fmt.Fprint(w, ": keepalive\n\n")
		case <-sub.gone:
			return
		case <-closed:
			return
		case <-r.Context().Done():
			return
		}
		fl.Flush()
	}
}

func writeSSE(w http.ResponseWriter, name string, data []byte) {
	fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data)
}
