package driver

import (
	"context"
	"io"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/diff"
	"github.com/wsreplay/wsreplay/protocol"
)

// addSession starts the run's recording with its session line.
func (r *run) addSession() {
	u, _ := targetURL(r.d.Target, r.s.Open.URL)
	e := &format.Event{Type: format.TypeSession, Version: 1, Session: r.res.Session, Time: r.res.Start,
		URL: r.s.Open.URL, Upstream: u.Redacted(), Subprotocol: r.conn.subprotocol(),
		RequestHeaders: recordedHeader(r.s.Open.RequestHeaders, r.d.Header), Kind: r.s.Open.Kind,
		Protocol: r.s.Open.Protocol}
	if c, ok := r.conn.(*eioConn); ok {
		o := c.open
		e.EngineIO = &format.EngineIO{Version: c.version, SID: o.SID, PingInterval: o.PingInterval,
			PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, Upgrades: o.Upgrades}
	}
	r.lines = append(r.lines, e)
}

// closeLine returns how the run ended as a close line. Where the client
// ended the session as recorded, it is the recorded ending: the run did
// what the recording says.
func (r *run) closeLine() *format.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := &format.Event{Type: format.TypeClose, Session: r.res.Session, Time: r.res.Start.Add(r.res.Duration)}
	switch c := r.s.Close; {
	case r.clientClosed && r.endsAsRecorded():
		e.By, e.Code, e.Reason, e.Clean = c.By, c.Code, c.Reason, c.Clean
	case r.clientClosed:
		e.By, e.Code, e.Clean = format.ByClient, 1000, true
	case r.end != nil:
		e.By, e.Code, e.Reason, e.Clean = r.end.by, r.end.code, r.end.reason, r.end.clean
	default:
		e.By, e.Code = format.ByClient, format.CodeAbnormal
	}
	return e
}

// finishRecording writes the run's recording to Out and compares it
// with the recorded session, both redacted (see Driver.Redactor).
func (r *run) finishRecording(ctx context.Context) {
	live, unredacted := r.d.redactor().Session(append(r.lines, r.closeLine()))
	r.res.Unredacted = unredacted
	if r.d.Out != nil {
		for _, e := range live {
			c := *e
			r.d.Out.AddWait(context.WithoutCancel(ctx), &c)
		}
	}
	if r.s.Close == nil {
		live = live[:len(live)-1] // nothing recorded to compare the ending with
	}
	var err error
	r.res.Diff, err = r.compare(r.d.recordedLines(r.s), r.restored(live))
	if err != nil && r.res.Err == nil {
		r.res.Err = r.d.redactError(err)
	}
}

// recordedLines returns the lines of s redacted as a run's are: once per
// Script, shared by its runs, which only read them.
func (d *Driver) recordedLines(s *Script) []*format.Event {
	if evs, ok := d.recorded.Load(s); ok {
		return evs.([]*format.Event)
	}
	evs := append([]*format.Event{s.Open}, s.Messages...)
	if s.Close != nil {
		evs = append(evs, s.Close)
	}
	evs, _ = d.redactor().Session(evs)
	got, _ := d.recorded.LoadOrStore(s, evs)
	return got.([]*format.Event)
}

// compare compares the recorded session with the run's, byte for byte
// first (a run that got the recorded answers costs no JSON parsing: under
// load, the comparison is most of what a run costs), else as diff does.
func (r *run) compare(recorded, live []*format.Event) (*diff.Result, error) {
	if o := r.d.Compare; o == nil || o.TimeTolerance == 0 {
		if res, ok := diff.Identical(recorded, live); ok {
			return res, nil
		}
	}
	return diff.Compare(&events{evs: recorded}, &events{evs: live}, r.d.Compare)
}

// restored returns the live lines with the values the live server
// granted put back to the recorded ones, so that a comparison sees the
// same id where the recording had it. The live session line takes the
// recorded URL (the comparison pairs by it).
func (r *run) restored(live []*format.Event) []*format.Event {
	out := make([]*format.Event, len(live))
	for i, e := range live {
		c := *e
		if c.Type == format.TypeMessage {
			c.Data = r.ids.Restore(protocol.MessageOf(e))
		}
		out[i] = &c
	}
	return out
}

// events is a format.Stream over lines in memory.
type events struct {
	evs []*format.Event
	i   int
}

func (s *events) Next() (*format.Event, error) {
	if s.i >= len(s.evs) {
		return nil, io.EOF
	}
	s.i++
	return s.evs[s.i-1], nil
}
