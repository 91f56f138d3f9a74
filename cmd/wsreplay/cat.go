package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/protocol"
)

func catCommand() *cli.Command {
	return &cli.Command{
		Name:      "cat",
		Usage:     "show recordings as a readable timeline",
		ArgsUsage: "PATH...",
		Description: `Prints each message with its offset from the session start, a direction
arrow (-> client to server, <- server to client), its size and a preview
of its payload (binary as hex).

PATH is a recording (wsreplay NDJSON, plain, gzip or zstd, or a HAR
file), a directory (the recordings in it and below it: *.ndjson,
*.ndjson.gz, *.ndjson.zst, *.partial, *.har), - for standard input,
s3://BUCKET/PREFIX[/KEY] (the recordings under a prefix, or one object),
or http://HOST:PORT/recordings/[NAME] (record --admin-recordings: its
finished recordings, or one file).

Example:
   wsreplay cat --dir receive --grep '"type":"trade"' bug.ndjson.zst
   wsreplay cat --json bug.ndjson.zst | jq -r .text`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "session", Usage: "show only this session `ID` (repeatable)"},
			&cli.StringFlag{Name: "dir", Usage: "show only messages going in direction `DIR`: send (client to server) or receive (server to client)"},
			&cli.StringFlag{Name: "grep", Usage: "show only messages whose text matches `REGEXP`"},
			&cli.BoolFlag{Name: "pretty", Usage: "print JSON payloads in full, indented"},
			&cli.BoolFlag{Name: "json", Usage: "print the selected lines as they are in the file, as NDJSON"},
		},
		Action: runCat,
	}
}

// catFilter selects the lines cat shows.
type catFilter struct {
	sessions map[string]bool // nil: all
	dir      format.Dir      // "": both
	grep     *regexp.Regexp  // nil: all
}

func (f *catFilter) keep(e *format.Event) bool {
	if f.sessions != nil && !f.sessions[e.Session] {
		return false
	}
	if f.dir == "" && f.grep == nil {
		return true
	}
	if e.Type != format.TypeMessage {
		return false
	}
	if f.dir != "" && e.Dir != f.dir {
		return false
	}
	return f.grep == nil || f.grep.Match(e.Data)
}

func runCat(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("cat: name at least one recording file (or - for standard input)")
	}
	var f catFilter
	if ids := c.StringSlice("session"); len(ids) > 0 {
		f.sessions = map[string]bool{}
		for _, id := range ids {
			f.sessions[id] = true
		}
	}
	switch d := c.String("dir"); d {
	case "", "send", "receive":
		f.dir = format.Dir(d)
	default:
		return usagef("--dir: %q is not send or receive", d)
	}
	if g := c.String("grep"); g != "" {
		re, err := regexp.Compile(g)
		if err != nil {
			return usagef("--grep: %v", err)
		}
		f.grep = re
	}
	out := c.App.Writer
	var tl *timeline
	if !c.Bool("json") {
		tl = &timeline{w: out, pretty: c.Bool("pretty"), sessions: map[string]*format.Event{},
			protocols: map[string]*protocol.Detector{}}
	}
	seen := 0
	err := eachRecording(c.Context, c.Args().Slice(), c.App.ErrWriter, func(rec *recording) error {
		if tl != nil {
			tl.last = "" // each file's sessions get their headers
		}
		for {
			e, err := rec.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if tl != nil {
				tl.see(e)
			}
			if !f.keep(e) {
				continue
			}
			seen++
			if tl == nil {
				out.Write(jsonSafe(rec.Raw()))
				out.Write([]byte{'\n'})
				continue
			}
			tl.print(e)
		}
	})
	if err == nil && seen == 0 && f.sessions != nil {
		return fmt.Errorf("no line matches --session %s", strings.Join(c.StringSlice("session"), ", "))
	}
	return err
}

// timeline prints events for people. The protocol of each session
// (protocol.Default(), the zero Set) describes its messages.
type timeline struct {
	w         io.Writer
	pretty    bool
	sessions  map[string]*format.Event      // session id -> its session line, or its first line seen
	protocols map[string]*protocol.Detector // session id -> its protocol, found or being found
	// cuts holds, per session whose protocol is a protocol.Framer, its
	// Splitter and the protocol's messages that the message seen last
	// completes: a packet that spans messages is described where it ends.
	cuts map[string]*catCut
	set  protocol.Set // nil: protocol.Default()
	last string       // session of the last line printed
}

// see notes every line of the file, shown or not: a session line is kept
// for the header printed before the session's first line shown, even when
// filters leave the session line out; and the session's protocol is found
// from its session line and first messages, even when filters leave them
// out.
func (t *timeline) see(e *format.Event) {
	switch e.Type {
	case format.TypeSession:
		s := *e
		s.Data = nil
		t.sessions[e.Session] = &s
		t.protocols[e.Session] = t.set.Detector(protocol.OpeningOf(&s))
	case format.TypeMessage:
		d, ok := t.protocols[e.Session]
		if !ok {
			d = t.set.Detector(protocol.Opening{}) // a cut recording: from its messages alone
			t.protocols[e.Session] = d
		}
		m := protocol.MessageOf(e)
		d.Message(m)
		t.cut(e.Session, d.Profile(), m)
	}
}

// catCut is a session's Splitter and what it returned for the message
// seen last.
type catCut struct {
	sp    protocol.Splitter
	parts []protocol.Message
}

// cut feeds the session's Splitter, once its protocol is known to be a
// Framer, the message m (every message from then on, shown or not).
func (t *timeline) cut(session string, p protocol.Profile, m protocol.Message) {
	c, ok := t.cuts[session]
	if !ok {
		f, framer := p.(protocol.Framer)
		if !framer {
			return
		}
		if t.cuts == nil {
			t.cuts = map[string]*catCut{}
		}
		c = &catCut{sp: f.NewSplitter()}
		t.cuts[session] = c
	}
	c.parts = c.sp.Split(m)
}

const previewRunes = 100

func (t *timeline) print(e *format.Event) {
	sess, ok := t.sessions[e.Session]
	if !ok {
		// A cut recording: count from the first line seen.
		sess = &format.Event{Type: e.Type, Session: e.Session, Time: e.Time}
		t.sessions[e.Session] = sess
	}
	if e.Session != t.last {
		t.header(sess)
	}
	t.last = e.Session
	off := fmt.Sprintf("%+10.3fs", e.Time.Sub(sess.Time).Seconds())
	switch e.Type {
	case format.TypeMessage:
		arrow := "<-"
		if e.Dir == format.Send {
			arrow = "->"
		}
		payload := t.described(e)
		fmt.Fprintf(t.w, "%s  %s %7s  %s%s\n", off, arrow, humanBytes(int64(len(e.Data))), exchangeDetail(e), payload)
	case format.TypePing, format.TypePong:
		fmt.Fprintf(t.w, "%s  %s %s\n", off, e.Type, e.Dir)
	case format.TypeFault:
		fmt.Fprintf(t.w, "%s  fault %s: %s\n", off, printable(orDash(e.Action)), printable(e.Fault))
	case format.TypeClose:
		how := "clean"
		if !e.Clean {
			how = "drop, no close frame"
		}
		fmt.Fprintf(t.w, "%s  close by %s: %d %q (%s)", off, printable(orDash(e.By)), e.Code, e.Reason, how)
		if e.Lost > 0 {
			fmt.Fprintf(t.w, ", %s lost while recording", plural(int(e.Lost), "line"))
		}
		fmt.Fprintln(t.w)
	}
}

// header introduces the lines of a session: its id, and with its session
// line, its path, start and subprotocol.
func (t *timeline) header(s *format.Event) {
	if s.Type != format.TypeSession {
		fmt.Fprintf(t.w, "== session %s\n", printable(s.Session))
		return
	}
	fmt.Fprintf(t.w, "== session %s  %s  %s", printable(s.Session), printable(orDash(readable.URL(s.URL))), s.Time.Format(time.RFC3339Nano))
	if s.Subprotocol != "" {
		fmt.Fprintf(t.w, "  subprotocol %s", printable(s.Subprotocol))
	}
	if e := s.EngineIO; s.Kind == format.KindSocketIO && e != nil {
		fmt.Fprintf(t.w, "  socketio EIO=%d pingInterval=%dms pingTimeout=%dms", e.Version, e.PingInterval, e.PingTimeout)
	} else if s.Kind != format.KindWebSocket {
		fmt.Fprintf(t.w, "  kind %s", printable(s.Kind.String()))
	}
	if p := t.protocols[s.Session].Profile(); p != nil && p.Name() != s.Kind.String() {
		fmt.Fprintf(t.w, "  protocol %s", printable(p.Name()))
	}
	fmt.Fprintln(t.w)
}

// exchangeDetail shows what an HTTP message carried besides its payload: a
// poll's request line or response status, an event's type, id and retry.
func exchangeDetail(e *format.Event) string {
	var parts []string
	switch {
	case e.HTTP != nil && e.Dir == format.Send:
		parts = append(parts, e.HTTP.Method, readable.URL(e.HTTP.URL))
	case e.HTTP != nil:
		parts = append(parts, strconv.Itoa(e.HTTP.Status))
		if ct := firstHeader(e.HTTP.Headers, "Content-Type"); ct != "" {
			parts = append(parts, ct)
		}
	case e.SSE != nil:
		if e.SSE.Event != "" {
			parts = append(parts, "event "+e.SSE.Event)
		}
		if e.SSE.HasID {
			parts = append(parts, "id "+strconv.Quote(e.SSE.ID))
		}
		if e.SSE.Retry > 0 {
			parts = append(parts, "retry "+strconv.FormatInt(e.SSE.Retry, 10)+"ms")
		}
		if e.SSE.NoData {
			parts = append(parts, "no data")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "[" + printable(strings.Join(parts, " ")) + "] "
}

func firstHeader(h map[string][]string, name string) string {
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// described shows a message as its session's protocol reads it (a
// Socket.IO packet: its type, namespace, event and ack id; a GraphQL
// operation: its type, name and id), or else its payload; and the
// transport that carried it, if the session had several. With --pretty, a
// JSON object or array follows its description in full.
func (t *timeline) described(e *format.Event) string {
	var s string
	p := t.protocols[e.Session].Profile()
	switch c := t.cuts[e.Session]; {
	case c != nil && len(c.parts) == 0:
		s = "(part of a message completed later)"
	case c != nil:
		s = protocol.DescribeParts(p, c.parts, 4*previewRunes).Summary
	case p != nil:
		s = p.Describe(protocol.MessageOf(e)).Summary
	}
	switch {
	case s == "":
		s = t.payload(e)
	case t.pretty && e.Opcode == format.Text && jsonDocument(e.Data):
		s = preview(s) + " " + t.payload(e)
	default:
		s = preview(s)
	}
	if e.Transport != "" {
		s += "  (" + printable(e.Transport) + ")"
	}
	return s
}

// jsonDocument reports whether p is a JSON object or array (an Engine.IO
// packet "2" is valid JSON too, and needs no pretty-printing).
func jsonDocument(p []byte) bool {
	p = bytes.TrimLeft(p, " \t\r\n")
	return len(p) > 0 && (p[0] == '{' || p[0] == '[') && json.Valid(p)
}

func (t *timeline) payload(e *format.Event) string {
	if e.Opcode == format.Binary || !utf8.Valid(e.Data) {
		n := min(len(e.Data), 16)
		s := fmt.Sprintf("binary % x", e.Data[:n])
		if n < len(e.Data) {
			s += " …"
		}
		return s
	}
	if t.pretty && json.Valid(e.Data) {
		var buf bytes.Buffer
		if json.Indent(&buf, e.Data, "              ", "  ") == nil {
			return printableLines(buf.String()) // JSON strings may hold C1 controls raw
		}
	}
	return preview(string(e.Data))
}

// preview is a payload as the timeline shows it: one line of at most
// previewRunes runes, safe for a terminal.
func preview(s string) string { return printable(readable.Preview([]byte(s), previewRunes)) }
