package browser

import (
	"net/http"
	"net/url"
	"time"

	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
)

// eioSession is one Engine.IO sid: every packet of it, whichever
// transport carried it (polling requests, the WebSocket), as one
// format.KindSocketIO session, as the proxy records it. Its session line
// is written when the open packet is seen. The recording goroutine owns
// it.
type eioSession struct {
	rec      *record      // nil until the open packet
	line     format.Event // the session line, written with the open packet
	version  int
	sid      string
	tab      target.SessionID
	upgraded bool // the client sent "5" on the WebSocket: its end is the session's
	ended    bool
	busy     int           // polling requests in flight
	last     time.Time     // when the last polling request ended
	silence  time.Duration // pingInterval + pingTimeout: a poller quiet this long is gone
}

// newEIOSession begins an Engine.IO session at its handshake request (a
// polling GET, or a WebSocket with no sid), made at start.
func (r *Recorder) newEIOSession(s target.SessionID, u *url.URL, h http.Header, q engineio.Query, start time.Time) *eioSession {
	return &eioSession{version: q.Version, tab: s, last: start,
		line: format.Event{Time: start, URL: r.redactURL(pathOnly(u)), Upstream: r.redactURL(u),
			RequestHeaders: r.Redaction.Header(h), Kind: format.KindSocketIO, Page: r.pageOf(s)}}
}

// record writes one packet carried by transport at at. The open packet,
// the first the server sends, writes the session line first; a packet
// before it has no session to go in.
func (es *eioSession) record(r *Recorder, dir format.Dir, transport string, pk engineio.Packet, at time.Time) {
	if es.ended {
		return
	}
	if es.rec == nil && !es.open(r, dir, pk) {
		return
	}
	e := messageLine(dir, !pk.Binary, pk.Data, at)
	e.Transport = transport
	es.rec.message(e)
	if !pk.Binary && len(pk.Data) == 1 && pk.Data[0] == engineio.Close {
		by := format.ByClient
		if dir == format.Receive {
			by = format.ByServer
		}
		es.end(format.Event{Time: at, By: by, Code: 1000, Clean: true})
	}
}

// open reads the open packet and writes the session line.
func (es *eioSession) open(r *Recorder, dir format.Dir, pk engineio.Packet) bool {
	o, ok := engineio.ParseOpen(pk.Data)
	if dir != format.Receive || pk.Binary || !ok {
		return false
	}
	es.sid = o.SID
	r.eio[o.SID] = es
	es.line.EngineIO = &format.EngineIO{Version: es.version, SID: o.SID, PingInterval: o.PingInterval,
		PingTimeout: o.PingTimeout, MaxPayload: o.MaxPayload, Upgrades: o.Upgrades}
	es.silence = time.Duration(o.PingInterval+o.PingTimeout) * time.Millisecond
	line := es.line
	es.rec = r.open(&line)
	return true
}

// fromSocket records a packet the WebSocket carried; the client's "5"
// (upgrade) makes the WebSocket the session's transport.
func (es *eioSession) fromSocket(r *Recorder, dir format.Dir, text bool, data []byte, at time.Time) {
	es.record(r, dir, "websocket", engineio.Packet{Data: data, Binary: !text}, at)
	if text && dir == format.Send && len(data) == 1 && data[0] == engineio.Upgrade {
		es.upgraded = true
	}
}

// fromBody records the packets of a polling body.
func (es *eioSession) fromBody(r *Recorder, dir format.Dir, body []byte, binaryBody bool, at time.Time) {
	for pk, err := range engineio.Packets(es.version, body, binaryBody) {
		if err != nil {
			if es.rec != nil {
				es.rec.lost++
			}
			return
		}
		es.record(r, dir, "polling", pk, at)
	}
}

// socketEnded ends the session with the WebSocket it upgraded to, or the
// one it began on; a probe that failed does not end it.
func (es *eioSession) socketEnded(end format.Event, carried bool) {
	if es.upgraded || carried {
		es.end(end)
	}
}

// quiet ends a polling session whose client stopped polling for
// pingInterval + pingTimeout, as the proxy does.
func (es *eioSession) quiet(now time.Time) bool {
	if es.ended || es.upgraded || es.busy > 0 || es.silence <= 0 || now.Sub(es.last) < es.silence {
		return false
	}
	es.end(format.Event{Time: now, By: format.ByClient, Code: format.CodeAbnormal})
	return true
}

// end writes the close line, once.
func (es *eioSession) end(end format.Event) {
	if es.ended {
		return
	}
	es.ended = true
	if es.rec != nil {
		es.rec.close(end)
	}
}
