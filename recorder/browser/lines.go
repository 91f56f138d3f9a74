package browser

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// closeLineWait bounds how long a session's close line waits for room in
// a full recording queue, as the proxy's does.
const closeLineWait = time.Second

// record is one session being recorded: its id, start, where its lines
// go and its counts. The recording goroutine owns it.
type record struct {
	r      *Recorder
	id     string
	start  time.Time
	log    *slog.Logger
	counts [2]int64 // messages sent and received
	lost   int64    // lines the sink did not take: the close line's "lost"
	ended  bool
}

// newSessionID returns a random id of 16 hex digits, as the proxy's.
func newSessionID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// open writes a session line (its Type, Version, Session, Via filled
// here) and returns the session's record.
func (r *Recorder) open(line *format.Event) *record {
	rec := &record{r: r, id: newSessionID(), start: line.Time}
	rec.log = r.logger().With("session", rec.id, "path", line.URL, "kind", line.Kind.String(), "via", format.ViaBrowser)
	line.Type, line.Version, line.Session, line.Via = format.TypeSession, format.Version, rec.id, format.ViaBrowser
	rec.add(line)
	rec.log.Info("session started", "upstream", line.Upstream, "recorded", r.Sink != nil, "page", line.Page)
	return rec
}

func (rec *record) add(e *format.Event) {
	if rec.r.Sink != nil && !rec.r.Sink.Add(e) {
		rec.lost++
	}
}

// message records a message line, its text's JSON fields of
// Redaction.JSONFields hidden before it is written anywhere: by the sink
// when it is a recorder.RedactingSink, else here.
func (rec *record) message(e *format.Event) {
	if rec.ended {
		return
	}
	e.Type, e.Session = format.TypeMessage, rec.id
	if e.Dir == format.Send {
		rec.counts[0]++
	} else {
		rec.counts[1]++
	}
	sink, red := rec.r.Sink, &rec.r.Redaction
	if sink == nil {
		return
	}
	ok := true
	switch rs, late := sink.(recorder.RedactingSink); {
	case e.Opcode != format.Text || len(red.JSONFields) == 0:
		ok = sink.Add(e)
	case late:
		ok = rs.AddRedacted(e, red.Message)
	default:
		var unparsed bool
		if e.Data, unparsed = red.Message(e.Data); unparsed {
			rec.log.Warn("a message names a --redact-json field but is not JSON: recorded unchanged")
		}
		ok = sink.Add(e)
	}
	if !ok {
		rec.lost++
	}
}

// close records how the session ended (end's By, Code, Reason, Clean and
// Time), once, waiting for room for the close line for at most
// closeLineWait when the sink can wait.
func (rec *record) close(end format.Event) {
	if rec.ended {
		return
	}
	rec.ended = true
	end.Type, end.Session, end.Lost = format.TypeClose, rec.id, rec.lost
	how := "drop"
	if end.Clean {
		how = "clean"
	}
	rec.log.Info("session ended", "by", end.By, "code", end.Code, "how", how, "reason", end.Reason,
		"sent", rec.counts[0], "received", rec.counts[1], "duration", end.Time.Sub(rec.start).Seconds())
	sink := rec.r.Sink
	if sink == nil {
		return
	}
	ok := false
	if ws, wait := sink.(recorder.WaitingSink); wait {
		ctx, cancel := context.WithTimeout(context.Background(), closeLineWait)
		ok = ws.AddWait(ctx, &end)
		cancel()
	} else {
		ok = sink.Add(&end)
	}
	if !ok {
		rec.log.Error("close line of session lost: recording queue full")
	}
}

// Endings the recorder itself gives a session.
var (
	// endDropped: the tab, worker or browser went away with the session open.
	endDropped = format.Event{By: format.ByClient, Code: format.CodeAbnormal}
	// endStopped: the Recorder's context ended (Ctrl-C), as the proxy's Shutdown.
	endStopped = format.Event{By: format.ByProxy, Code: 1001, Reason: "recorder stopped", Clean: true}
)
