package replayer

import (
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/protocol"
)

// The control API's rows and messages say what each message means in the
// session's protocol (a graphql operation and its id, an MQTT packet, a
// Socket.IO event), as cat does: the session's profile, found once for
// its index, describes each message of a page of rows as the page is
// read. The index keeps no description: a session of millions of
// messages costs what its checkpoints cost.

const (
	rowSummary = 200      // bytes of a summary in a row
	maxSummary = 64 << 10 // bytes of a summary of one message
	// maxResync bounds how far before a checkpoint a page of rows starts
	// reading to cut a protocol's messages as the whole session does: a
	// stream that never stops in the middle of a message for longer is
	// cut afresh at the checkpoint.
	maxResync = 4 * indexStride
)

// protoView is a message's protocol.Description as the API gives it, and
// how the WebSocket message stands to the protocol's messages when they
// are not one for one (MQTT packets span messages; SignalR, Centrifuge
// and MQTT put several in one).
type protoView struct {
	Kind      string `json:"kind,omitempty"`
	Channel   string `json:"channel,omitempty"`
	Name      string `json:"name,omitempty"`
	ID        string `json:"id,omitempty"`
	Heartbeat bool   `json:"heartbeat,omitempty"`
	Summary   string `json:"summary,omitempty"`
	// Count is how many protocol messages this one completes, when more
	// than one: the fields are the first's, the summary all of theirs.
	Count int `json:"count,omitempty"`
	// Part marks a piece of a protocol message that a later message
	// completes (the fields are then empty).
	Part bool `json:"part,omitempty"`
	// FromSeq is the message that holds the first bytes of the protocol
	// message this one completes, when it is an earlier one.
	FromSeq int `json:"from_seq,omitempty"`
}

// indexProfile finds the protocol of sess for its index as a replay of it
// would (Server.Protocol, the session line, then its first messages), with
// no live request.
func (s *Server) indexProfile(sess *Session) protocol.Profile {
	d := s.detector(sess, nil, "")
	if d.Profile() != nil || sess.Protocol() != "" || s.Protocol != "" {
		return d.Profile()
	}
	n := 0
	sess.each(format.Position{}, func(_ format.Position, e *format.Event, _ time.Duration) bool {
		if e.Type != format.TypeMessage {
			return true
		}
		n++
		return d.Message(protocol.MessageOf(e)) == nil && n < protocol.MaxFirst
	})
	return d.Profile()
}

// index returns the index of sess, built with its protocol.
func (s *Server) index(sess *Session) (*sessionIndex, error) {
	return s.control.indexes.get(sess, s.indexProfile)
}

// splitTrack follows, while a session is indexed, how its profile's
// Splitter cuts it, to note where a page of rows must start cutting. Not
// safe for concurrent use.
type splitTrack struct {
	cut   cutter
	clean checkpoint // the last message at whose start it held none
}

// resyncFor returns where cutting must start to be as it is at message at.
func (t *splitTrack) resyncFor(at checkpoint) checkpoint {
	if t.cut.held == [2]int{} || at.seq-t.clean.seq > maxResync || t.clean.seq == 0 {
		return at
	}
	return t.clean
}

// feed cuts the message at, e.
func (t *splitTrack) feed(at checkpoint, e *format.Event) {
	if t.cut.held == [2]int{} {
		t.clean = at
	}
	t.cut.cut(protocol.MessageOf(e))
}

func dirSlot(d format.Dir) int {
	if d == format.Send {
		return 0
	}
	return 1
}

// describer describes the messages of one reading of a session, in
// order, through its profile: each WebSocket message (every one from
// where the reading started, shown or not, for a Framer's Splitter to cut
// them as the session goes) and then, if it is shown, its description.
// A nil *describer describes nothing. Not safe for concurrent use.
type describer struct {
	p     protocol.Profile
	cut   *cutter // nil: the profile's messages are the WebSocket messages
	start [2]int  // the message where the bytes cut holds begin, per direction
	seq   int     // the message fed last
	parts []protocol.Message
	from  int // where the first of parts begins
}

// newDescriber returns a describer for a session of profile p, nil if p
// is nil.
func newDescriber(p protocol.Profile) *describer {
	if p == nil {
		return nil
	}
	d := &describer{p: p}
	if f, ok := p.(protocol.Framer); ok {
		d.cut = &cutter{sp: f.NewSplitter()}
	}
	return d
}

// framed reports whether d cuts messages (and so must see them all).
func (d *describer) framed() bool { return d != nil && d.cut != nil }

// feed takes message seq, e; e's bytes are the caller's until the next
// feed.
func (d *describer) feed(seq int, e *format.Event) {
	if d == nil {
		return
	}
	m := protocol.MessageOf(e)
	d.seq, d.from = seq, seq
	if d.cut == nil {
		d.parts = append(d.parts[:0], m)
		return
	}
	i := dirSlot(e.Dir)
	var before int
	d.parts, before = d.cut.cut(m)
	if before > 0 && len(d.parts) > 0 {
		d.from = d.start[i]
	}
	if d.cut.held[i] > 0 && (before == 0 || len(d.parts) > 0) {
		d.start[i] = seq // the bytes held now begin in this message
	}
}

// view describes the message fed last, its summary cut to limit bytes;
// nil when the profile reads nothing in it.
func (d *describer) view(limit int) *protoView {
	if d == nil {
		return nil
	}
	if len(d.parts) == 0 {
		return &protoView{Part: true, Summary: "(part of a message completed later)"}
	}
	ds := protocol.DescribeParts(d.p, d.parts, limit)
	v := &protoView{Kind: ds.Kind, Channel: ds.Channel, Name: ds.Name, ID: ds.ID, Heartbeat: ds.Heartbeat,
		Summary: cutText(ds.Summary, limit)}
	if len(d.parts) > 1 {
		v.Count = len(d.parts)
	}
	if d.from < d.seq {
		v.FromSeq = d.from
	}
	if v.Kind == "" && v.Summary == "" && v.Count == 0 {
		return nil
	}
	return v
}

// cutText cuts s to at most n bytes, not inside a character, with "…"
// when cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
