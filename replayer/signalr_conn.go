package replayer

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/protocol"
)

// This file is one SignalR HTTP replay's transports: the event stream, the
// polls, the client's sends, the live pings, and the replay's endings.

// serveStream writes the queued records to the event stream as they come,
// one event each, until the replay ends or the client leaves.
func (r *signalRReplay) serveStream(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	defer r.rp.cancel() // the stream is the connection: its end is the client's leaving
	for {
		records, over, aborted, wake := r.take()
		var b []byte
		for _, rec := range records {
			b = appendEvent(b, rec)
		}
		if len(b) > 0 {
			if _, err := w.Write(b); err != nil || rc.Flush() != nil {
				return
			}
		}
		switch {
		case aborted:
			r.seen()
			panic(http.ErrAbortHandler) // cut, as a dying server's stream is
		case over:
			r.seen()
			return
		}
		select {
		case <-wake:
		case <-req.Context().Done():
			return
		case <-r.rp.ioCtx.Done():
			return
		}
	}
}

// appendEvent appends an event whose data is rec, a line of data each of
// its lines (a record holds none, but nothing is lost if it does).
func appendEvent(b, rec []byte) []byte {
	for _, line := range bytes.Split(rec, []byte("\n")) {
		b = append(b, "data: "...)
		b = append(b, line...)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// servePoll answers a poll with what is queued, holding it until there is
// something, the replay ends (204), or signalRPollWait passes (200, empty).
func (r *signalRReplay) servePoll(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.polling {
		r.mu.Unlock()
		http.Error(w, "Another poll is already running", http.StatusConflict)
		return
	}
	r.polling = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.polling, r.lastSeen = false, time.Now()
		r.mu.Unlock()
	}()
	t := time.NewTimer(signalRPollWait)
	defer t.Stop()
	for {
		records, over, aborted, wake := r.take()
		switch {
		case len(records) > 0:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusOK)
			w.Write(bytes.Join(records, nil))
			return
		case aborted:
			r.seen()
			panic(http.ErrAbortHandler)
		case over:
			r.seen()
			w.WriteHeader(http.StatusNoContent) // the server ended the connection
			return
		}
		select {
		case <-wake:
		case <-t.C:
			w.WriteHeader(http.StatusOK)
			return
		case <-req.Context().Done():
			return
		}
	}
}

// servePost reads the client's records: heartbeats are answered, the rest
// are logged, counted and followed (echo.go).
func (r *signalRReplay) servePost(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxSignalRPost+1))
	if err != nil || len(body) > maxSignalRPost {
		r.log.Warn("cannot read a SignalR send", "err", err, "limit", maxSignalRPost, "answered", "400")
		http.Error(w, "wsreplay: cannot read the send", http.StatusBadRequest)
		return
	}
	for len(body) > 0 {
		n := bytes.IndexByte(body, 0x1e) + 1
		if n == 0 {
			n = len(body)
		}
		r.fromClient(body[:n])
		body = body[n:]
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
}

// fromClient takes one record the client sent.
func (r *signalRReplay) fromClient(data []byte) {
	m := protocol.Message{Dir: format.Send, Data: data}
	if bytes.Contains(data, []byte(`"protocol":"messagepack"`)) {
		r.log.Warn("cannot answer SignalR's MessagePack hub protocol in kind: the replay sends the recorded messages as they are",
			"asked", "handshake "+string(bytes.TrimSuffix(data, []byte{0x1e})), "need", "a recording made with the MessagePack protocol, or a client on the JSON protocol (the default)")
	}
	if replies, _, beat := r.beats.fromClient([]protocol.Message{m}); beat {
		for _, reply := range replies {
			r.out(reply.Data)
		}
		return
	}
	r.log.Debug("client message", "size", len(data), "data", readable.Preview(data, 80))
	r.srv.stats.received.Add(1)
	r.ctl.clientMessage()
	if r.client != nil {
		r.client.add(data)
	}
	now := time.Now()
	r.echo.live(m, came{at: now, held: r.ctl.heldFor(now)})
}

// beatLive starts the server's live pings; stop stops them and waits.
func (r *signalRReplay) beatLive() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		r.beats.send(r.rp.ctx, done, func(m protocol.Message) error { return r.out(m.Data) })
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			r.beats.hush()
			close(done)
		})
		wg.Wait()
	}
}

// watchIdle ends a long-polling replay whose client stopped polling
// without a DELETE; stop stops the watch and waits.
func (r *signalRReplay) watchIdle() (stop func()) {
	if r.sse {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(signalRIdle / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-r.rp.ctx.Done():
				return
			case <-t.C:
			}
			r.mu.Lock()
			idle := !r.polling && time.Since(r.lastSeen) > signalRIdle
			r.mu.Unlock()
			if idle {
				r.log.Info("client left", "how", "no poll for "+signalRIdle.String())
				r.rp.cancel()
				return
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}

// seen says the ending reached the client.
func (r *signalRReplay) seen() { r.seenOnce.Do(func() { close(r.closeSeen) }) }

// linger keeps the token of a replay that ended until its ending has
// reached the client (the next poll's 204, the stream's end), the client
// has left, or signalRIdle has passed: removed at once, the poll right
// after the last records would get 404.
func (r *signalRReplay) linger() {
	r.mu.Lock()
	ended := r.over || r.aborted
	r.mu.Unlock()
	if !ended {
		return
	}
	t := time.NewTimer(signalRIdle)
	defer t.Stop()
	select {
	case <-r.closeSeen:
	case <-r.rp.ctx.Done():
	case <-t.C:
	}
}

// signalRStyle are the SignalR HTTP replay's endings, for the log.
var signalRStyle = endStyle{
	close:    "event stream ended, or 204 to the next poll",
	drop:     "event stream or poll cut",
	hang:     "connected, sending nothing more, no pings",
	open:     "pings go on",
	fail:     "event stream or poll cut",
	shutdown: "event stream ended, or 204 to the next poll",
}

func (r *signalRReplay) style() *endStyle { return &signalRStyle }

// closeWith ends the replay cleanly: SignalR's HTTP transports carry no
// code; the recorded Close message (type 7) went before as a record.
func (r *signalRReplay) closeWith(int, string) { r.end(false) }

func (r *signalRReplay) drop() { r.end(true) }

func (r *signalRReplay) fail() { r.end(true) }

func (r *signalRReplay) gone(bool) { r.end(false) }

// end marks the replay over, cut when abort, and wakes the transport.
func (r *signalRReplay) end(abort bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if abort {
		r.aborted = true
	} else {
		r.over = true
	}
	r.notify()
}
