package driver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// run is one play of a Script: its connection, its pacer, what it
// learned of the server's ids, and the lines of its recording.
type run struct {
	d       *Driver
	s       *Script
	res     *Result
	conn    conn
	pace    *pacer
	ids     *protocol.Granted // the server's ids, under grantMu
	grantMu sync.Mutex

	mu           sync.Mutex
	lines        []*format.Event // the run's recording, in order
	waiting      []int           // steps sent and not yet answered
	sentAt       map[int]time.Time
	clientClosed bool    // the client closed: the ending is the client's
	end          *ending // how the connection ended, once it did
	done         chan struct{}
}

// Run plays s once against the target and returns what happened. It
// returns when the session has ended (as recorded, or after Timeout with
// no answer) or ctx is done.
func (d *Driver) Run(ctx context.Context, s *Script) *Result {
	r := &run{d: d, s: s, res: &Result{Script: s, Session: newSessionID(), Start: time.Now()},
		sentAt: map[int]time.Time{}, done: make(chan struct{})}
	r.ids = s.granted.Fresh()
	err := r.play(ctx)
	r.res.Duration = time.Since(r.res.Start)
	if err != nil && r.res.Err == nil {
		r.res.Err = d.redactError(err)
	}
	if r.res.Connected {
		r.finishRecording(ctx)
	}
	return r.res
}

// play connects, sends, and ends the session as the recording does.
func (r *run) play(ctx context.Context) error {
	if err := r.connect(ctx); err != nil {
		return err
	}
	r.res.Connected = true
	r.pace = newPacer(r.res.Start, r.d.speed(), r.d.Clock, r.d.timeout())
	r.addSession()
	if c, ok := r.conn.(*eioConn); ok {
		c.own = r.ownPacket
	}
	go r.readLoop(ctx)
	err := r.sendAll(ctx)
	if err == nil {
		err = r.finish(ctx)
	} else {
		r.conn.close(0, "", false)
	}
	<-r.done
	return err
}

// connect dials the target for the session's kind.
func (r *run) connect(ctx context.Context) error {
	if t := r.d.Target; t.RawQuery != "" || t.ForceQuery || t.Fragment != "" {
		return errors.New("the target has a query or a fragment: each session is opened with its recorded query")
	}
	u, err := targetURL(r.d.Target, r.s.Open.URL)
	if err != nil {
		return err
	}
	h := requestHeader(r.s.Open.RequestHeaders, r.d.Header)
	dctx, cancel := context.WithTimeout(ctx, r.d.timeout())
	defer cancel()
	var c conn
	switch r.s.Open.Kind {
	case format.KindSSE:
		c, err = dialSSE(dctx, u, h, r.d.client())
	case format.KindPoll:
		c = newPollConn(r.d.Target, r.s.Open.RequestHeaders, r.d.Header, r.d.client(), len(r.s.steps))
	case format.KindSocketIO:
		c, err = dialEngineIO(dctx, u, h, r.d.client(), r.s.upgrades())
	default:
		c, err = dialWebSocket(dctx, u, h, r.s.Open.Subprotocol, r.d.client())
	}
	if err != nil {
		return err
	}
	r.conn = c
	return nil
}

// readLoop reads the server's messages until the connection ends.
func (r *run) readLoop(ctx context.Context) {
	defer close(r.done)
	for {
		got, err := r.conn.read(ctx)
		m := got.Message
		now := time.Now()
		if err != nil {
			var end *ending
			if !errors.As(err, &end) {
				end = &ending{by: format.ByServer, code: format.CodeAbnormal}
			}
			r.mu.Lock()
			r.end = end
			r.mu.Unlock()
			r.pace.end()
			return
		}
		e := &format.Event{Type: format.TypeMessage, Session: r.res.Session, Time: now, Dir: format.Receive,
			Opcode: opcode(m.Binary), Data: m.Data, Transport: got.transport, SSE: got.sse, HTTP: got.http}
		app := !r.s.unpaced(e)
		r.mu.Lock()
		r.lines = append(r.lines, e)
		if app {
			r.res.Received++
			for _, i := range r.waiting {
				if rec := r.s.steps[i].answer; rec >= 0 {
					r.res.Latencies = append(r.res.Latencies, Latency{Live: now.Sub(r.sentAt[i]), Recorded: rec})
				}
			}
			r.waiting = r.waiting[:0]
		}
		r.mu.Unlock()
		if app {
			r.grantMu.Lock()
			r.ids.Learn(r.pace.count(), m)
			r.grantMu.Unlock()
			r.pace.arrive(now)
		}
	}
}

// ownPacket records a packet the Engine.IO client made itself.
func (r *run) ownPacket(data []byte, transport string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, &format.Event{Type: format.TypeMessage, Session: r.res.Session, Time: time.Now(),
		Dir: format.Send, Opcode: format.Text, Data: data, Transport: transport})
}

// sendAll sends the client's messages, each when it is due.
func (r *run) sendAll(ctx context.Context) error {
	for i, st := range r.s.steps {
		if st.ev.Dir != format.Send {
			continue
		}
		late, err := r.pace.wait(ctx, st)
		if err != nil {
			return err
		}
		if r.ended() {
			return nil // the server ended the session: the comparison says what is missing
		}
		m := protocol.MessageOf(st.ev)
		r.grantMu.Lock()
		m.Data = r.ids.Rewrite(m)
		r.grantMu.Unlock()
		now := time.Now()
		r.mu.Lock()
		if late {
			r.res.Late++
		}
		r.waiting = append(r.waiting, i)
		r.sentAt[i] = now
		r.res.Sent++
		r.lines = append(r.lines, &format.Event{Type: format.TypeMessage, Session: r.res.Session, Time: now,
			Dir: format.Send, Opcode: st.ev.Opcode, Data: m.Data, Transport: st.ev.Transport, HTTP: st.ev.HTTP})
		r.mu.Unlock()
		if err := r.conn.send(ctx, m, st.ev); err != nil {
			if r.ended() {
				return nil
			}
			return fmt.Errorf("send message %d: %w", i+1, err)
		}
	}
	return nil
}

func (r *run) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// finish waits for the rest of the server's half, then ends the session
// as recorded: the client's close (after its recorded delay), or the
// server's (waited for), or, with none recorded, a normal closure.
func (r *run) finish(ctx context.Context) error {
	if _, err := r.pace.awaitAll(ctx, r.s.servers); err != nil {
		return err
	}
	c := r.s.Close
	if c != nil && !r.endsAsRecorded() {
		t := time.NewTimer(r.d.timeout())
		defer t.Stop()
		select {
		case <-r.done:
			return nil
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	code, reason, clean := 1000, "", true
	if r.endsAsRecorded() {
		// At most the timeout: a poller's session is recorded as ending
		// when the recorder gave up on it, long after its last request.
		if err := sleepUntil(ctx, time.Now().Add(min(r.pace.scale(r.closeGap()), r.d.timeout()))); err != nil {
			return err
		}
		code, reason, clean = c.Code, c.Reason, c.Clean
	}
	r.mu.Lock()
	r.clientClosed = true
	r.mu.Unlock()
	if !format.WireCode(code) {
		code = 1000
	}
	r.conn.close(code, reason, clean)
	return nil
}

// endsAsRecorded reports a recorded ending the run makes itself: the
// client's, or any ending of a poll session, which has none on the wire
// (its close line is the recorder's note: by the server once a bootstrap
// is answered, by the client once the poller has gone idle).
func (r *run) endsAsRecorded() bool {
	c := r.s.Close
	return c != nil && (c.By != format.ByServer || r.s.Open.Kind == format.KindPoll)
}

// closeGap is the recorded time from the last message to the close.
func (r *run) closeGap() time.Duration {
	if len(r.s.Messages) == 0 {
		return r.s.Close.Time.Sub(r.s.Open.Time)
	}
	return max(r.s.Close.Time.Sub(r.s.Messages[len(r.s.Messages)-1].Time), 0)
}

func opcode(binary bool) format.Opcode {
	if binary {
		return format.Binary
	}
	return format.Text
}

// messagesOf returns a Script's messages as the protocol package reads
// them.
func messagesOf(s *Script) []protocol.Message {
	out := make([]protocol.Message, 0, len(s.Messages))
	for _, e := range s.Messages {
		if !s.unpaced(e) {
			out = append(out, protocol.MessageOf(e))
		}
	}
	return out
}

// envelope returns the profile's Enveloper, nil if it has none.
func envelope(p protocol.Profile) protocol.Enveloper {
	env, _ := p.(protocol.Enveloper)
	return env
}
