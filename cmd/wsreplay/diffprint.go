package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/diff"
)

// diffReport is what diff prints: one entry per pair of sessions.
type diffReport struct {
	A, B     string
	Same     bool
	Sessions []sessionDiff
}

// sessionDiff is the comparison of one pair of sessions, as --json prints
// it. A session present in one file only has the other's id empty.
type sessionDiff struct {
	A             string     `json:"a"`
	B             string     `json:"b"`
	FileA         string     `json:"file_a,omitempty"`
	FileB         string     `json:"file_b,omitempty"`
	Kind          string     `json:"kind"`
	Path          string     `json:"path"`
	Same          bool       `json:"same"`
	Equal         int        `json:"equal"`
	Added         int        `json:"added"`
	Removed       int        `json:"removed"`
	Changed       int        `json:"changed"`
	Retimed       int        `json:"retimed"`
	EndingA       string     `json:"ending_a"`
	EndingB       string     `json:"ending_b"`
	EndingDiffers bool       `json:"ending_differs"`
	Hunks         []diffHunk `json:"hunks,omitempty"`
	More          int        `json:"more,omitempty"`
	res           *diff.Result
	pair          sessionPair
}

// diffHunk is one run of differences in its context, in --json.
type diffHunk struct {
	Edits []diffEdit `json:"edits"`
}

// diffEdit is one line of a hunk in --json.
type diffEdit struct {
	Kind string       `json:"kind"`
	A    *diffMessage `json:"a,omitempty"`
	B    *diffMessage `json:"b,omitempty"`
}

type diffMessage struct {
	Seq      int     `json:"seq"`
	OffsetMS float64 `json:"offset_ms"`
	Dir      string  `json:"dir"`
	Text     *string `json:"text,omitempty"`
	Binary   string  `json:"binary,omitempty"`
	// Summary is the message as its protocol reads it, where a profile
	// describes it (a Socket.IO packet: type, namespace, event, args).
	Summary string `json:"summary,omitempty"`
	// Event, ID and Retry are an SSE event's fields; HasID tells an
	// empty id from none.
	Event string  `json:"event,omitempty"`
	ID    *string `json:"id,omitempty"`
	Retry int64   `json:"retry,omitempty"`
}

func (r *diffReport) add(p sessionPair, res *diff.Result) {
	d := sessionDiff{pair: p, res: res, EndingA: "missing", EndingB: "missing"}
	if p.a != nil {
		d.A, d.FileA, d.EndingA = p.a.Session, p.a.File, p.a.Ending()
		d.Kind, d.Path, _ = strings.Cut(place(p.a.Summary), " ")
	}
	if p.b != nil {
		d.B, d.FileB, d.EndingB = p.b.Session, p.b.File, p.b.Ending()
		if p.a == nil {
			d.Kind, d.Path, _ = strings.Cut(place(p.b.Summary), " ")
		}
	}
	if res != nil {
		d.Same, d.Equal, d.Added, d.Removed, d.Changed, d.Retimed = res.Same(), res.Equal, res.Added, res.Removed, res.Changed, res.Retimed
		d.EndingA, d.EndingB, d.EndingDiffers = endingText(res.EndingA), endingText(res.EndingB), res.EndingDiffers
		d.More = res.More
		for _, h := range res.Hunks {
			var j diffHunk
			for _, e := range h.Edits {
				j.Edits = append(j.Edits, diffEdit{Kind: string(e.Kind), A: jsonMessage(e.A), B: jsonMessage(e.B)})
			}
			d.Hunks = append(d.Hunks, j)
		}
	} else if p.a != nil {
		d.Removed = p.a.Sent + p.a.Received
	} else {
		d.Added = p.b.Sent + p.b.Received
	}
	r.Sessions = append(r.Sessions, d)
	r.Same = true
	for _, s := range r.Sessions {
		r.Same = r.Same && s.Same
	}
}

func endingText(e *diff.Ending) string {
	switch {
	case e == nil:
		return "open"
	case e.Clean:
		return fmt.Sprintf("%d clean %q", e.Code, e.Reason)
	}
	return fmt.Sprintf("%d drop", e.Code)
}

func jsonMessage(m *diff.Message) *diffMessage {
	if m == nil {
		return nil
	}
	j := &diffMessage{Seq: m.Seq, OffsetMS: float64(m.Offset) / float64(time.Millisecond), Dir: string(m.Dir)}
	if m.Opcode == format.Text && utf8.Valid(m.Data) {
		s := string(m.Data)
		j.Text = &s
	} else {
		j.Binary = base64.StdEncoding.EncodeToString(m.Data)
	}
	j.Summary = m.Describe().Summary
	if e := m.SSE; e != nil {
		j.Event, j.Retry = e.Event, e.Retry
		if e.HasID {
			j.ID = &e.ID
		}
	}
	return j
}

func (r *diffReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(jsonSafeWriter{w}) // C1 controls and bidi overrides escaped, as ls --json's
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		A        string        `json:"a"`
		B        string        `json:"b"`
		Same     bool          `json:"same"`
		Sessions []sessionDiff `json:"sessions"`
	}{r.A, r.B, r.Same, r.Sessions})
}

// writeText prints each pair: a header, every difference kept in
// context, the endings and the counts. Of several pairs, it prints those
// that differ so, and then a line for each pair.
func (r *diffReport) writeText(w io.Writer) error {
	many := len(r.Sessions) > 1
	for _, d := range r.Sessions {
		if many && (d.Same || d.res == nil) {
			continue // on its summary line
		}
		if err := writePair(w, d); err != nil {
			return err
		}
	}
	if many {
		return r.writeSummary(w)
	}
	return nil
}

func writePair(w io.Writer, d sessionDiff) error {
	fmt.Fprintf(w, "--- %s\n", sessionHeader(d.pair.a))
	fmt.Fprintf(w, "+++ %s\n", sessionHeader(d.pair.b))
	if d.res != nil {
		writeHunks(w, d.res)
	}
	if d.EndingDiffers {
		fmt.Fprintf(w, "ending: A %s, B %s\n", printable(d.EndingA), printable(d.EndingB))
	}
	fmt.Fprintf(w, "%s: %s", verdict(d), counts(d))
	_, err := fmt.Fprintln(w)
	return err
}

func verdict(d sessionDiff) string {
	if d.Same {
		return "the same"
	}
	return "different"
}

// counts are a pair's counts, and whether the endings differ.
func counts(d sessionDiff) string {
	s := fmt.Sprintf("%d added, %d removed, %d changed, %d retimed, %d equal", d.Added, d.Removed, d.Changed, d.Retimed, d.Equal)
	if d.EndingDiffers {
		s += "; the endings differ"
	}
	return s
}

// writeSummary prints a line for each pair of sessions, and for each
// session of one side only.
func (r *diffReport) writeSummary(w io.Writer) error {
	var same, differ, onlyA, onlyB int
	for _, d := range r.Sessions {
		switch {
		case d.pair.b == nil:
			onlyA++
		case d.pair.a == nil:
			onlyB++
		case d.Same:
			same++
		default:
			differ++
		}
	}
	fmt.Fprintf(w, "== %s: %d the same, %d different; %d only in A, %d only in B\n", plural(same+differ, "pair"), same, differ, onlyA, onlyB)
	for _, d := range r.Sessions {
		where := printable(d.Kind + " " + orDash(d.Path))
		var err error
		switch {
		case d.pair.b == nil:
			_, err = fmt.Fprintf(w, "only in A  %s  %s  %s\n", sessionID(d.pair.a), where, plural(d.Removed, "message"))
		case d.pair.a == nil:
			_, err = fmt.Fprintf(w, "only in B  %s  %s  %s\n", sessionID(d.pair.b), where, plural(d.Added, "message"))
		default:
			_, err = fmt.Fprintf(w, "%-9s  A %s  B %s  %s  %s\n", verdict(d), sessionID(d.pair.a), sessionID(d.pair.b), where, counts(d))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sessionID names a session and its file.
func sessionID(s *diffSession) string {
	return printable(s.File) + " " + printable(s.Session)
}

func sessionHeader(s *diffSession) string {
	if s == nil {
		return "(no session)"
	}
	return fmt.Sprintf("%s  session %s  %s  %d messages  %s", printable(s.File), printable(s.Session), printable(orDash(s.URL)), s.Sent+s.Received, s.Ending())
}

// writeHunks prints each difference kept with its context: " " equal,
// "-" in A only, "+" in B only, a changed message as - then +, "~" a
// message at another time.
func writeHunks(w io.Writer, res *diff.Result) {
	for _, h := range res.Hunks {
		var at string
		for _, e := range h.Edits {
			if e.Kind != diff.Equal {
				at = fmt.Sprintf("%s, A %s, B %s", e.Kind, seqOf(e.A), seqOf(e.B))
				break
			}
		}
		fmt.Fprintf(w, "@@ %s @@\n", at)
		fmt.Fprintf(w, "  %-6s %-6s %11s  %s %7s  %s\n", "A#", "B#", "OFFSET", "  ", "SIZE", "PAYLOAD")
		for _, e := range h.Edits {
			writeEdit(w, e)
		}
	}
	if res.More > 0 {
		fmt.Fprintf(w, "... %d more differences not shown (--max)\n", res.More)
	}
}

func writeEdit(w io.Writer, e diff.Edit) {
	switch e.Kind {
	case diff.Equal:
		diffLine(w, " ", e.A, e.B, e.A)
	case diff.Removed:
		diffLine(w, "-", e.A, nil, e.A)
	case diff.Added:
		diffLine(w, "+", nil, e.B, e.B)
	case diff.Changed:
		diffLine(w, "-", e.A, nil, e.A)
		diffLine(w, "+", nil, e.B, e.B)
	case diff.Retimed:
		diffLine(w, "~", e.A, nil, e.A)
		diffLine(w, "~", nil, e.B, e.B)
	}
}

func seqOf(m *diff.Message) string {
	if m == nil {
		return "none"
	}
	return "#" + strconv.Itoa(m.Seq)
}

// diffLine prints message m, which is a's, b's or both's (seq numbers of
// each side shown where present).
func diffLine(w io.Writer, mark string, a, b, m *diff.Message) {
	arrow := "<-"
	if m.Dir == format.Send {
		arrow = "->"
	}
	payload := diffPayload(m)
	fmt.Fprintf(w, "%s %-6s %-6s %+10.3fs  %s %7s  %s\n", mark, seqCol(a), seqCol(b), m.Offset.Seconds(), arrow, humanBytes(int64(len(m.Data))), payload)
}

func seqCol(m *diff.Message) string {
	if m == nil {
		return ""
	}
	return "#" + strconv.Itoa(m.Seq)
}

// diffPayload shows m as cat does: an SSE event's type, id and retry,
// a poll's request line or status, before its data; a message its protocol's profile describes as that
// description; else its payload.
func diffPayload(m *diff.Message) string {
	detail := exchangeDetail(&format.Event{Dir: m.Dir, SSE: m.SSE, HTTP: m.HTTP})
	if d := m.Describe().Summary; d != "" {
		return detail + preview(d)
	}
	if m.Opcode == format.Binary || !utf8.Valid(m.Data) {
		n := min(len(m.Data), 16)
		s := fmt.Sprintf("binary % x", m.Data[:n])
		if n < len(m.Data) {
			s += " …"
		}
		return detail + s
	}
	return detail + preview(string(m.Data))
}
