package har

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// Reading a HAR file one entry at a time: the JSON is walked token by token
// down to "log.entries", and each entry is decoded alone, so that memory
// follows the largest entry, not the file. Every entry's offset in the input
// is known, so that a replay server can index the sessions of a HAR file by
// offset and read one entry again when a client plays it (ReadSession).

// Reader reads the WebSocket sessions of a HAR file, one entry at a time.
// The bytes of an entry are held to MaxEntrySize, and its strings but for
// messages and bodies to MaxStringSize, as they are read (budget.go): an
// entry past them is refused, naming it, before it is decoded.
type Reader struct {
	// MaxMessageSize refuses an entry with a message (or body) larger
	// than it, an error naming the entry. Zero means format.MaxMessageSize,
	// the largest a recording holds.
	MaxMessageSize int64
	// MaxEntrySize refuses an entry longer than it in the file, before
	// it is decoded (budget.go), an error naming the entry. Zero means
	// DefaultMaxEntrySize.
	MaxEntrySize int64
	// MaxStringSize refuses a string longer than it in the file, but for
	// a message's data and a body's text, before its entry is decoded
	// (budget.go). Zero means DefaultMaxStringSize.
	MaxStringSize int64

	name    string
	budget  *budget
	dec     *json.Decoder
	started bool
	done    bool
	index   int // of the next entry
	skipped int
	err     error
	polls   pollReader
	pollEvs map[string][]*format.Event // poll sessions' events, by session, from their entries
	pollIDs []string                   // their sessions in the order they began
	sio     sioEntries                 // Engine.IO entries, put together by sid
	whole   [][]*format.Event          // sessions of several entries, returned after the last entry
}

// Session is one entry's events, as Read returns them: a session line, the
// messages in time order, a close line if there was a close frame. Offset
// is where the entry starts in the input, for ReadSession; -1 for a
// session made of several entries, returned after the last entry with all
// there is of it in Events: a Socket.IO session (its polling and websocket
// entries, engineio.go) or a poll session (an entry per exchange, as Write
// writes it).
type Session struct {
	Events []*format.Event
	Offset int64
}

// NewReader returns a Reader of the HAR file r; name is used in errors.
func NewReader(r io.Reader, name string) *Reader {
	b := newBudget(r)
	return &Reader{name: name, budget: b, dec: json.NewDecoder(b)}
}

// Skipped returns how many WebSocket entries without messages were passed
// over so far (Firefox and Playwright write those).
func (r *Reader) Skipped() int { return r.skipped }

// DroppedPackets returns how many Engine.IO packets of polling bodies were
// left out so far because the packets held passed the reader's budget (see
// sioEntries.keep).
func (r *Reader) DroppedPackets() int { return r.sio.dropped }

// Next returns the next WebSocket entry that has messages, or io.EOF after
// the last one.
func (r *Reader) Next() (*Session, error) {
	if r.err != nil {
		return nil, r.err
	}
	s, err := r.next()
	if err != nil {
		r.err = err
	}
	return s, err
}

func (r *Reader) next() (*Session, error) {
	if !r.started {
		r.started = true
		if r.MaxEntrySize > 0 {
			r.budget.maxUnit = r.MaxEntrySize
		}
		if r.MaxStringSize > 0 {
			r.budget.maxString = r.MaxStringSize
		}
		if err := r.findEntries(); err != nil {
			return nil, err
		}
	}
	for !r.done && r.dec.More() {
		off := r.dec.InputOffset()
		var ent harEntry
		if err := r.dec.Decode(&ent); err != nil {
			return nil, r.entryError(err)
		}
		i := r.index
		r.index++
		if err := checkSizes(ent, r.maxMessage()); err != nil {
			return nil, fmt.Errorf("%s: entries[%d].%w", r.name, i, err)
		}
		if evs, ok, err := readHTTP(ent, i, &r.polls); ok || err != nil {
			if err != nil {
				return nil, fmt.Errorf("%s: entries[%d].%w", r.name, i, err)
			}
			if ent.Wsreplay != nil && ent.Wsreplay.Kind == format.KindPoll.String() {
				r.addPoll(evs) // an exchange: a part of its session
			} else if len(evs) > 0 {
				return &Session{Events: evs, Offset: off}, nil
			}
			continue
		}
		r.sio.input = r.dec.InputOffset()
		if !wroteSocketIO(ent) && r.sio.take(ent, i) {
			continue
		}
		evs, skipped, err := entrySession(ent, i)
		if err != nil {
			return nil, fmt.Errorf("%s: entries[%d].%w", r.name, i, err)
		}
		if skipped {
			r.skipped++
		}
		if evs != nil {
			return &Session{Events: evs, Offset: off}, nil
		}
	}
	if !r.done {
		r.done = true
		if _, err := r.dec.Token(); err != nil { // the closing ]
			return nil, harError(r.name, err)
		}
		r.whole = r.sio.sessions()
		for _, id := range r.pollIDs {
			r.whole = append(r.whole, r.pollEvs[id])
		}
		r.pollEvs, r.pollIDs = nil, nil
	}
	if len(r.whole) > 0 {
		evs := r.whole[0]
		r.whole = r.whole[1:]
		return &Session{Events: evs, Offset: -1}, nil
	}
	return nil, io.EOF
}

// addPoll adds the events of one exchange of a poll session to those of
// its session.
func (r *Reader) addPoll(evs []*format.Event) {
	if len(evs) == 0 {
		return
	}
	if r.pollEvs == nil {
		r.pollEvs = map[string][]*format.Event{}
	}
	id := evs[0].Session
	if _, ok := r.pollEvs[id]; !ok {
		r.pollIDs = append(r.pollIDs, id)
	}
	r.pollEvs[id] = append(r.pollEvs[id], evs...)
}

// wroteSocketIO reports whether ent is a Socket.IO session as wsreplay
// writes one: a websocket entry of its packets, marked in "_wsreplay".
func wroteSocketIO(ent harEntry) bool {
	return ent.Wsreplay != nil && ent.Wsreplay.Kind == format.KindSocketIO.String()
}

// entrySession turns entry i into a session's events: nil, and whether it
// was a WebSocket entry passed over, for one that is not a session.
func entrySession(ent harEntry, i int) ([]*format.Event, bool, error) {
	isWS := ent.ResourceType == "websocket" || len(ent.Messages) > 0 ||
		strings.HasPrefix(ent.Request.URL, "ws:") || strings.HasPrefix(ent.Request.URL, "wss:")
	if !isWS {
		return nil, false, nil
	}
	if len(ent.Messages) == 0 {
		return nil, true, nil
	}
	id := fmt.Sprintf("har-%d", i)
	if ent.Wsreplay != nil && ent.Wsreplay.Session != "" {
		id = ent.Wsreplay.Session
	}
	evs, err := harSession(ent, id)
	socketIOSession(ent, evs)
	return evs, evs == nil && err == nil, err
}

// findEntries walks the tokens down to the start of "log.entries".
func (r *Reader) findEntries() error {
	if err := r.expect('{', "", "a JSON object"); err != nil {
		return err
	}
	if !r.toKey("log") {
		if r.err != nil {
			return r.err
		}
		return fmt.Errorf("%s: not a HAR file (no \"log\")", r.name)
	}
	if err := r.expect('{', "log", "an object"); err != nil {
		return err
	}
	if !r.toKey("entries") {
		if r.err != nil {
			return r.err
		}
		r.done = true // a log without entries has no session
		return nil
	}
	return r.expect('[', "log.entries", "a list")
}

// expect reads a delimiter, and words what else is there.
func (r *Reader) expect(d json.Delim, field, what string) error {
	tok, err := r.dec.Token()
	if err != nil {
		return harError(r.name, err)
	}
	if tok != d {
		if field == "" {
			return fmt.Errorf("%s: not a HAR file (not a JSON object)", r.name)
		}
		return fmt.Errorf("%s: %s: %s where %s is expected", r.name, field, tokenKind(tok), what)
	}
	return nil
}

// toKey passes over the keys of the object being read, and their values,
// until key; it reports false at the end of the object (or on an error, in
// r.err).
func (r *Reader) toKey(key string) bool {
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			r.err = harError(r.name, err)
			return false
		}
		if tok == key {
			return true
		}
		var skip json.RawMessage
		if err := r.dec.Decode(&skip); err != nil {
			r.err = harError(r.name, err)
			return false
		}
	}
	return false
}

// tokenKind names a JSON token's kind as an error says it.
func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return "number"
}

// entryError words an error decoding an entry as Read always has.
func (r *Reader) entryError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: log.entries.%s: %s where %s is expected", r.name, te.Field, te.Value, te.Type)
	}
	return harError(r.name, err)
}

// ReadSession reads the entry that starts r, as a Session's Offset says
// where, as the session id (the id Next gave it). It holds the entry to
// DefaultMaxEntrySize and DefaultMaxStringSize, as a Reader does.
func ReadSession(r io.Reader, id string) ([]*format.Event, error) {
	br := bufio.NewReader(newEntryBudget(r, "entry"))
	for { // the comma and spaces before the entry
		c, err := br.ReadByte()
		if err != nil {
			return nil, harError(id, err)
		}
		if c != ',' && c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			br.UnreadByte()
			break
		}
	}
	var ent harEntry
	if err := json.NewDecoder(br).Decode(&ent); err != nil {
		return nil, harError(id, err)
	}
	if len(ent.EventSource) > 0 || ent.Wsreplay != nil && ent.Wsreplay.Kind == format.KindSSE.String() {
		return readSSE(ent, id)
	}
	evs, err := harSession(ent, id)
	socketIOSession(ent, evs)
	return evs, err
}
