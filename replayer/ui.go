package replayer

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// The timeline page, plain HTML, CSS and JavaScript committed under ui/
// (no build step, nothing fetched from elsewhere at run time), embedded in
// the binary. The server serves it at /_wsreplay/s/{session} with its
// assets under /_wsreplay/ui/; WriteTimeline writes it as one read-only
// file with a session's messages inside.

//go:embed ui/timeline.html ui/timeline.css ui/timeline.js ui/index.js
var uiFiles embed.FS

var timelineTemplate = template.Must(template.ParseFS(uiFiles, "ui/timeline.html"))

// timelinePage is what timeline.html is filled with.
type timelinePage struct {
	Session string
	API     string // the control API's prefix; "" offline
	Offline bool
	CSS     template.CSS
	JS      template.JS
	Data    template.JS // the embedded data, JSON with <, > and & escaped
}

// pageHeaders sets the headers of every page under controlPrefix:
// nothing but this server's own scripts, styles and API.
func pageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
}

// serveAsset answers GET /_wsreplay/ui/{file}: the timeline's script and
// style, and the session list's script.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if file != "timeline.js" && file != "timeline.css" && file != "index.js" {
		s.serveNoPage(w, r)
		return
	}
	pageHeaders(w.Header())
	data, _ := uiFiles.ReadFile("ui/" + file)
	ct := "text/javascript; charset=utf-8"
	if strings.HasSuffix(file, ".css") {
		ct = "text/css; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(data)
}

// serveTimeline answers GET /_wsreplay/s/{id}: a session's timeline. An
// id holding "/" may come escaped (%2F) or not.
func (s *Server) serveTimeline(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	pageHeaders(h)
	id := r.PathValue("id")
	if s.lookupSession(id) == nil {
		http.Error(w, "wsreplay: no session "+id, http.StatusNotFound)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	clearStaleWorkers(h)
	timelineTemplate.Execute(w, timelinePage{Session: id, API: apiPrefix})
}

// serveNoPage answers a page path under controlPrefix that is none: 405
// for a method other than GET, else 404.
func (s *Server) serveNoPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, methodNotAllowed("GET"))
		return
	}
	pageHeaders(w.Header())
	http.Error(w, "wsreplay: no page "+r.URL.Path, http.StatusNotFound)
}

// TimelineSession is the session WriteTimeline writes: its id and URL, and
// its events in order (its session line, messages and close line), which
// Next returns until io.EOF.
type TimelineSession struct {
	ID   string
	URL  string
	Next func() (*format.Event, error)
}

// WriteTimeline writes the timeline page of one session as a single HTML
// file: the page's styles and script, and the session's messages, inside
// it. It works from file:// with no network: a read-only view (list,
// overview, detail, search) without live control. The messages are
// streamed to w; only the session's figures are kept.
func WriteTimeline(w io.Writer, sess TimelineSession) error {
	css, _ := uiFiles.ReadFile("ui/timeline.css")
	js, _ := uiFiles.ReadFile("ui/timeline.js")
	// The data goes where the template puts {{.Data}}: the page is
	// rendered with a marker there, and the data is streamed in its place.
	const marker = "__WSREPLAY_DATA__"
	var page strings.Builder
	err := timelineTemplate.Execute(&page, timelinePage{Session: sess.ID, Offline: true,
		CSS: template.CSS(css), JS: template.JS(js), Data: template.JS(marker)})
	if err != nil {
		return err
	}
	head, tail, ok := strings.Cut(page.String(), marker)
	if !ok {
		return fmt.Errorf("timeline template: no place for the data")
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(head)
	if err := writeTimelineData(bw, sess); err != nil {
		return err
	}
	bw.WriteString(tail)
	return bw.Flush()
}

// writeTimelineData writes the session as JSON: {"messages": [[offset_ns,
// "s"|"r", "t"|"b", text or base64, proto, carried], ...], "info": {...}}, the
// info (figures and histogram) last, once the messages have been counted.
// proto, the message's protocol description as the control API gives it,
// is null or left out when there is none; carried, how the message
// travelled (its transport, event fields or HTTP exchange, as a row of the
// control API gives them), is left out when there is nothing to say.
func writeTimelineData(w *bufio.Writer, sess TimelineSession) error {
	idx := &sessionIndex{}
	var start time.Time
	tw := &timelineWriter{w: w}
	w.WriteString(`{"messages":[`)
	for {
		e, err := sess.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if start.IsZero() {
			start = e.Time
		}
		off := e.Time.Sub(start)
		idx.add(format.Position{}, e, off, nil)
		switch e.Type {
		case format.TypeSession:
			tw.detect = protocol.Set(nil).Detector(protocol.OpeningOf(e))
		case format.TypeMessage:
			tw.message(e, off)
		}
	}
	tw.decide()
	info := sessionView{ID: sess.ID, URL: sess.URL, Start: start, Figures: idx.figures(), Histogram: &idx.hist}
	if tw.profile != nil {
		info.Protocol = tw.profile.Name()
	}
	b, err := json.Marshal(info) // escapes <, > and &: safe inside <script>
	if err != nil {
		return err
	}
	w.WriteString(`],"info":`)
	w.Write(b)
	w.WriteByte('}')
	return nil
}

// timelineWriter writes the messages of an exported timeline, each with
// its protocol description. Until the session's protocol is found (from
// its first protocol.MaxFirst messages at most) it holds them.
type timelineWriter struct {
	w       *bufio.Writer
	detect  *protocol.Detector
	decided bool
	profile protocol.Profile
	d       *describer
	held    []heldMessage
	n       int // messages written
}

type heldMessage struct {
	e   format.Event
	off time.Duration
}

func (tw *timelineWriter) message(e *format.Event, off time.Duration) {
	if tw.decided {
		tw.write(e, off)
		return
	}
	if tw.detect == nil {
		tw.detect = protocol.Set(nil).Detector(protocol.Opening{}) // no session line: from the messages
	}
	p := tw.detect.Message(protocol.MessageOf(e))
	h := heldMessage{e: *e, off: off}
	h.e.Data = bytes.Clone(e.Data)
	tw.held = append(tw.held, h)
	if p != nil || len(tw.held) >= protocol.MaxFirst {
		tw.decide()
	}
}

// decide takes the protocol found so far and writes the messages held.
func (tw *timelineWriter) decide() {
	if tw.decided {
		return
	}
	tw.decided = true
	tw.profile = tw.detect.Profile()
	tw.d = newDescriber(tw.profile)
	for i := range tw.held {
		tw.write(&tw.held[i].e, tw.held[i].off)
	}
	tw.held = nil
}

func (tw *timelineWriter) write(e *format.Event, off time.Duration) {
	if tw.n++; tw.n > 1 {
		tw.w.WriteByte(',')
	}
	tw.d.feed(tw.n, e)
	writeTimelineMessage(tw.w, e, off, tw.d.view(rowSummary))
}

func writeTimelineMessage(w *bufio.Writer, e *format.Event, off time.Duration, proto *protoView) {
	dir, kind := "r", "t"
	if e.Dir == format.Send {
		dir = "s"
	}
	payload := string(e.Data)
	if e.Opcode == format.Binary || !utf8.Valid(e.Data) {
		kind, payload = "b", base64.StdEncoding.EncodeToString(e.Data)
	}
	p, _ := json.Marshal(payload)
	fmt.Fprintf(w, `[%d,"%s","%s",%s`, int64(off), dir, kind, p)
	c := carriedOf(e)
	if proto != nil || !c.empty() {
		b, _ := json.Marshal(proto) // escapes <, > and &: safe inside <script>
		w.WriteByte(',')
		w.Write(b)
	}
	if !c.empty() {
		b, _ := json.Marshal(c)
		w.WriteByte(',')
		w.Write(b)
	}
	w.WriteByte(']')
}
