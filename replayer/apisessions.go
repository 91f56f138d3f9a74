package replayer

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// The control API's read side: the sessions (GET sessions, sessions/{id}),
// their messages by number (sessions/{id}/messages), one message whole
// (sessions/{id}/messages/{seq}) and search (sessions/{id}/search), all
// read through the sessions' indexes (msgindex.go).

const (
	maxRows    = 500    // messages per call
	maxHits    = 100000 // search hits per call
	previewLen = 160    // bytes of a payload in a row
	// figuresFor is how many sessions GET sessions gives figures for
	// (reading each once, within figuresWait): a catalog may hold
	// millions, and sessions of millions of messages.
	figuresFor  = 200
	figuresWait = time.Second
)

// sessionView is a session as the API lists it, with ls's figures when
// its index is at hand.
type sessionView struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Subprotocol string `json:"subprotocol,omitempty"`
	Kind        string `json:"kind"` // websocket, socketio, sse or poll
	// Protocol names the profile that describes the session's messages
	// (the proto of each row): "graphql-transport-ws", "mqtt", ...; ""
	// when none does, or its index is not built yet and its session line
	// names none.
	Protocol string `json:"protocol,omitempty"`
	// Inject is what an injection into a replay of the session takes:
	// "event" where it has an event form besides raw text (Socket.IO,
	// event streams, a protocol whose profile writes events), else "raw".
	Inject    string     `json:"inject"`
	Start     time.Time  `json:"start"`
	Figures   *figures   `json:"figures,omitempty"`
	Histogram *histogram `json:"histogram,omitempty"`
	// Connect is what the session list tells a client to connect to
	// (connectto.go); the page's alone.
	Connect string `json:"-"`
}

type figures struct {
	Messages int    `json:"messages"`
	Sent     int    `json:"sent"`
	Received int    `json:"received"`
	Bytes    int64  `json:"bytes"`
	Duration int64  `json:"duration_ns"`
	Ending   string `json:"ending"`
	By       string `json:"by,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (idx *sessionIndex) figures() *figures {
	f := &figures{Messages: idx.total, Sent: idx.sent, Received: idx.received, Bytes: idx.bytes,
		Duration: int64(idx.duration), Ending: "open"}
	if idx.closed {
		f.Ending = strconv.Itoa(idx.close.Code) + " clean"
		if !idx.close.Clean {
			f.Ending = strconv.Itoa(idx.close.Code) + " drop"
		}
		f.By, f.Reason = idx.close.By, idx.close.Reason
	}
	return f
}

// sessionView describes sess; with index, building its index if need be.
func (s *Server) sessionView(sess *Session, index bool) sessionView {
	v := sessionView{ID: sess.ID, URL: sess.URL, Subprotocol: sess.Subprotocol, Kind: sess.Kind.String(), Start: sess.Start,
		Protocol: sess.Protocol()}
	if s.Protocol != "" {
		v.Protocol = s.Protocol // --protocol: every session's
	}
	if v.Protocol == protocol.NoProtocol {
		v.Protocol = ""
	}
	idx := s.control.indexes.built(sess)
	if idx == nil && index {
		idx, _ = s.index(sess)
	}
	if idx != nil {
		v.Figures = idx.figures()
		v.Protocol = ""
		if idx.profile != nil {
			v.Protocol = idx.profile.Name()
		}
	}
	v.Inject = "raw"
	if _, ok := s.protocols().Lookup(v.Protocol).(protocol.Injector); ok || sess.Kind == format.KindSocketIO || sess.Kind == format.KindSSE {
		v.Inject = "event"
	}
	return v
}

// allowed returns the sessions of all that Server.Sessions allows.
func (s *Server) allowed(all []*Session) []*Session {
	if len(s.Sessions) == 0 {
		return all
	}
	var out []*Session
	for _, sess := range all {
		if slices.Contains(s.Sessions, sess.ID) {
			out = append(out, sess)
		}
	}
	return out
}

// lookupSession returns the session named id, or nil.
func (s *Server) lookupSession(id string) *Session {
	for _, sess := range s.allowed(s.Catalog.Sessions()) {
		if sess.ID == id {
			return sess
		}
	}
	return nil
}

// apiSessions answers GET sessions: every session allowed, with ls's
// figures for the first ones.
func (s *Server) apiSessions(http.ResponseWriter, *http.Request) (any, error) {
	all, done, _ := s.Catalog.snapshot()
	list := s.allowed(all)
	views := make([]sessionView, 0, len(list))
	deadline := time.Now().Add(figuresWait)
	for i, sess := range list {
		views = append(views, s.sessionView(sess, i < figuresFor && time.Now().Before(deadline)))
	}
	return map[string]any{"sessions": views, "indexing": !done}, nil
}

// pathSession returns the session r's path names ({id}), with its index.
func (s *Server) pathSession(r *http.Request) (*Session, *sessionIndex, error) {
	sess := s.lookupSession(r.PathValue("id"))
	if sess == nil {
		return nil, nil, notFound("no session " + r.PathValue("id"))
	}
	idx, err := s.index(sess)
	return sess, idx, err
}

// apiSession answers GET sessions/{id}: its figures and histogram.
func (s *Server) apiSession(_ http.ResponseWriter, r *http.Request) (any, error) {
	sess, idx, err := s.pathSession(r)
	if err != nil {
		return nil, err
	}
	v := s.sessionView(sess, true)
	v.Histogram = &idx.hist
	return v, nil
}

// apiMessages answers GET sessions/{id}/messages.
func (s *Server) apiMessages(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	sess := s.lookupSession(r.PathValue("id"))
	if sess != nil && s.control.indexes.built(sess) == nil && firstRows(q) {
		// The first rows of a session whose index is still being built
		// (a page asks for them beside the session's figures, and shows
		// them at once) are read from its start.
		return messagesAPI(&sessionIndex{sess: sess, partial: true, profile: s.indexProfile(sess)}, q)
	}
	_, idx, err := s.pathSession(r)
	if err != nil {
		return nil, err
	}
	return messagesAPI(idx, q)
}

// apiMessage answers GET sessions/{id}/messages/{seq}: one message whole.
func (s *Server) apiMessage(_ http.ResponseWriter, r *http.Request) (any, error) {
	sess, idx, err := s.pathSession(r)
	if err != nil {
		return nil, err
	}
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq < 1 || seq > idx.total {
		return nil, notFound("no message " + r.PathValue("seq") + " in session " + sess.ID)
	}
	return messageAPI(idx, seq)
}

// apiSearch answers GET sessions/{id}/search.
func (s *Server) apiSearch(_ http.ResponseWriter, r *http.Request) (any, error) {
	_, idx, err := s.pathSession(r)
	if err != nil {
		return nil, err
	}
	return searchAPI(idx, r.URL.Query())
}

// firstRows reports whether q asks for rows near the start of a session,
// which can be read without its index.
func firstRows(q url.Values) bool {
	from, err := strconv.Atoi(q.Get("from"))
	return q.Get("at") == "" && q.Get("q") == "" && q.Get("dir") == "" && (q.Get("from") == "" || err == nil && from <= maxRows)
}

// row is one message in a list: its payload cut to a preview.
type row struct {
	Seq     int    `json:"seq"`
	Offset  int64  `json:"offset_ns"`
	Dir     string `json:"dir"`
	Kind    string `json:"kind"` // text or binary
	Size    int    `json:"size"`
	Gap     int64  `json:"gap_ns"` // since the message before, 0 for the first
	Preview string `json:"preview"`
	// Proto is what the message means in the session's protocol; nil
	// when the session has none or its profile reads nothing in it.
	Proto *protoView `json:"proto,omitempty"`
	carried
}

// msgView is one message whole: text, or binary as base64.
type msgView struct {
	row
	Text   *string `json:"text,omitempty"`
	Binary []byte  `json:"binary,omitempty"`
}

func newRow(seq int, e *format.Event, off time.Duration) row {
	r := row{Seq: seq, Offset: int64(off), Dir: string(e.Dir), Kind: "text", Size: len(e.Data), carried: carriedOf(e)}
	if e.Opcode == format.Binary || !utf8.Valid(e.Data) {
		r.Kind = "binary"
		return r
	}
	p := e.Data[:min(len(e.Data), previewLen)]
	for len(p) > 0 && !utf8.Valid(p) {
		p = p[:len(p)-1] // cut inside a character
	}
	r.Preview = string(p)
	return r
}

// listQuery is what messages and search take: from a message number, in
// one direction or both, matching a text or a regular expression.
type listQuery struct {
	from  int
	limit int
	dir   string
	match func(*format.Event) bool
}

func parseListQuery(idx *sessionIndex, q url.Values, defLimit, maxLimit int) (*listQuery, error) {
	lq := &listQuery{from: 1, limit: defLimit, dir: q.Get("dir")}
	var err error
	if v := q.Get("from"); v != "" {
		if lq.from, err = strconv.Atoi(v); err != nil || lq.from < 1 {
			return nil, &apiError{status: 400, msg: "from is a message number, from 1", field: "from"}
		}
	}
	if v := q.Get("at"); v != "" {
		at, err := strconv.ParseInt(v, 10, 64)
		if err != nil || at < 0 {
			return nil, &apiError{status: 400, msg: "at is an offset in nanoseconds", field: "at"}
		}
		if lq.from, err = idx.seqAt(time.Duration(at)); err != nil {
			return nil, err
		}
	}
	if v := q.Get("limit"); v != "" {
		if lq.limit, err = strconv.Atoi(v); err != nil || lq.limit < 1 || lq.limit > maxLimit {
			return nil, &apiError{status: 400, msg: "limit is from 1 to " + strconv.Itoa(maxLimit), field: "limit"}
		}
	}
	switch lq.dir {
	case "", "both", "send", "receive":
	default:
		return nil, &apiError{status: 400, msg: "dir is send, receive or both", field: "dir"}
	}
	re, err := compileQuery(q.Get("q"), q.Get("regex") == "1" || q.Get("regex") == "true")
	if err != nil {
		return nil, err
	}
	hasQ := q.Get("q") != ""
	lq.match = func(e *format.Event) bool {
		if lq.dir != "" && lq.dir != "both" && string(e.Dir) != lq.dir {
			return false
		}
		return !hasQ || re.Match(e.Data)
	}
	return lq, nil
}

// messagesAPI answers GET sessions/{id}/messages: up to limit messages
// from number from on that match, and the number to ask from next (0 at
// the end).
func messagesAPI(idx *sessionIndex, q url.Values) (any, error) {
	lq, err := parseListQuery(idx, q, 100, maxRows)
	if err != nil {
		return nil, err
	}
	rows := []row{}
	next := 0
	prev := time.Duration(-1) // the offset of the message before, for gaps
	d := newDescriber(idx.profile)
	err = idx.scanFrom(max(lq.from-1, 1), d.framed(), func(seq int, e *format.Event, off time.Duration) bool {
		defer func() { prev = off }()
		if seq >= lq.from && len(rows) == lq.limit {
			next = seq
			return false
		}
		if seq < lq.from || !lq.match(e) {
			if d.framed() {
				d.feed(seq, e) // the Splitter sees every message
			}
			return true
		}
		r := newRow(seq, e, off)
		if prev >= 0 && seq >= lq.from {
			r.Gap = int64(off - prev)
		}
		d.feed(seq, e)
		r.Proto = d.view(rowSummary)
		rows = append(rows, r)
		return true
	})
	if err != nil {
		return nil, err
	}
	var total any = idx.total
	if idx.partial {
		total = nil // not known yet
	}
	return map[string]any{"messages": rows, "from": lq.from, "next": next, "total": total}, nil
}

// messageAPI answers GET sessions/{id}/messages/{seq}.
func messageAPI(idx *sessionIndex, seq int) (any, error) {
	var m *msgView
	d := newDescriber(idx.profile)
	err := idx.scanFrom(seq, d.framed(), func(n int, e *format.Event, off time.Duration) bool {
		d.feed(n, e)
		if n < seq {
			return true
		}
		m = &msgView{row: newRow(n, e, off)}
		m.Proto = d.view(maxSummary)
		if m.Kind == "text" {
			t := string(e.Data)
			m.Text = &t
		} else {
			m.Binary = append([]byte{}, e.Data...)
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, notFound("no message " + strconv.Itoa(seq))
	}
	return m, nil
}

// searchAPI answers GET sessions/{id}/search: the numbers of the messages
// from number from on that match, and their offsets, up to maxHits, and
// where to go on from (0 at the end).
func searchAPI(idx *sessionIndex, q url.Values) (any, error) {
	lq, err := parseListQuery(idx, q, maxHits, maxHits)
	if err != nil {
		return nil, err
	}
	hits, offsets := []int{}, []int64{}
	next := 0
	err = idx.scan(lq.from, func(seq int, e *format.Event, off time.Duration) bool {
		if len(hits) == lq.limit {
			next = seq
			return false
		}
		if lq.match(e) {
			hits, offsets = append(hits, seq), append(offsets, int64(off))
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"hits": hits, "offsets_ns": offsets, "next": next, "total": idx.total}, nil
}
