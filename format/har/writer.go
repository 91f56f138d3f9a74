package har

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
)

// Writer writes a HAR file as events come: each session's entry is written
// once the session has ended (its close line) and the sessions that began
// before it have been written, so that entries keep the order in which
// their sessions began; what is left is written at Close. Memory follows
// the sessions open at a time, not the file. Its output is Write's.
type Writer struct {
	bw      *bufio.Writer
	opts    *WriteOptions
	pending []*pendingEntry          // not written yet, in the order they began
	open    map[string]*pendingEntry // by session id, until its close line
	written int                      // entries written
	head    bool                     // the document's start is written
	err     error
}

type pendingEntry struct {
	ent        *harEntryOut
	start, end time.Time
	ended      bool
}

// NewWriter returns a Writer to w; Close ends the document.
func NewWriter(w io.Writer, o *WriteOptions) *Writer {
	return &Writer{bw: bufio.NewWriter(w), opts: o, open: map[string]*pendingEntry{}}
}

// Write adds an event to its session's entry, and writes the entries that
// are complete.
func (w *Writer) Write(e *format.Event) error {
	if w.err != nil {
		return w.err
	}
	p := w.open[e.Session]
	if p == nil {
		p = &pendingEntry{ent: newHAREntry(), start: e.Time}
		w.open[e.Session] = p
		w.pending = append(w.pending, p)
	}
	if e.Time.After(p.end) {
		p.end = e.Time
	}
	switch e.Type {
	case format.TypeSession:
		p.start = e.Time
		fillHAREntry(p.ent, e)
	case format.TypeMessage:
		f := harWSFrame{Type: string(e.Dir), Time: harTimeJSON(e.Time), Opcode: 1, Data: string(e.Data)}
		if e.Opcode == format.Binary || !utf8.Valid(e.Data) {
			f.Opcode, f.Data = 2, base64.StdEncoding.EncodeToString(e.Data)
		}
		p.ent.Messages = append(p.ent.Messages, f)
	case format.TypeClose:
		if e.Clean {
			p.ent.Messages = append(p.ent.Messages, closeFrame(e))
		}
		p.ended = true
		delete(w.open, e.Session)
	}
	for len(w.pending) > 0 && w.pending[0].ended && w.err == nil {
		w.writeEntry(w.pending[0])
		w.pending[0] = nil
		w.pending = w.pending[1:]
	}
	return w.err
}

// closeFrame is a clean close as a close frame (opcode 8).
func closeFrame(e *format.Event) harWSFrame {
	payload := binary.BigEndian.AppendUint16(nil, uint16(e.Code))
	if e.Code == 1005 {
		payload = nil
	}
	payload = append(payload, e.Reason...)
	dir := "receive"
	if e.By == format.ByClient {
		dir = "send"
	}
	return harWSFrame{Type: dir, Time: harTimeJSON(e.Time), Opcode: 8, Data: base64.StdEncoding.EncodeToString(payload)}
}

// Close writes the entries left and ends the document. It does not close
// the underlying writer.
func (w *Writer) Close() error {
	for _, p := range w.pending {
		if w.err == nil {
			w.writeEntry(p)
		}
	}
	w.pending, w.open = nil, nil
	if w.err != nil {
		return w.err
	}
	head, tail := w.frame()
	if !w.head {
		w.bw.Write(head)
		w.bw.WriteString("[]")
	} else {
		w.bw.WriteString("\n    ]")
	}
	w.bw.Write(tail)
	return w.bw.Flush()
}

// frame returns the document around its entries: all up to `"entries": `,
// and all after the list, as one json.Encoder with Write's indentation
// writes them.
func (w *Writer) frame() (head, tail []byte) {
	out := harOut{Log: harLogOut{Version: "1.2", Creator: w.opts.creator(), Pages: []any{}, Entries: []harEntryOut{}}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(out) // plain values: no error
	doc := buf.Bytes()
	i := bytes.LastIndex(doc, []byte(`"entries": []`)) + len(`"entries": `)
	return doc[:i], doc[i+len("[]"):]
}

// writeEntry writes one entry, after the document's start or a comma.
func (w *Writer) writeEntry(p *pendingEntry) {
	ent := p.ent
	ent.StartedDateTime = p.start.UTC().Format("2006-01-02T15:04:05.000000Z")
	ent.Time = math.Round(float64(p.end.Sub(p.start).Microseconds())) / 1000
	if !w.head {
		w.head = true
		head, _ := w.frame()
		w.bw.Write(head)
		w.bw.WriteString("[\n      ")
	} else {
		w.bw.WriteString(",\n      ")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("      ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ent); err != nil {
		w.err = err
		return
	}
	if _, err := w.bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
		w.err = err
	}
	w.written++
}
