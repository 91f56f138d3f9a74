package har

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A Reader gives the sessions Read gives, one entry at a time, each with
// the offset ReadSession reads it again from; keys around "entries" are
// passed over in any order.
func TestReaderOffsets(t *testing.T) {
	t.Parallel()

	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []*format.Event
	for s := range 4 {
		id := fmt.Sprintf("s%d", s)
		evs = append(evs, &format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: t0, URL: "/x"})
		for i := range 3 {
			evs = append(evs, &format.Event{Type: format.TypeMessage, Session: id, Time: t0.Add(time.Duration(i) * time.Second),
				Dir: format.Receive, Opcode: format.Text, Data: fmt.Appendf(nil, "%s-%d", id, i)})
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, evs, nil); err != nil {
		t.Fatal(err)
	}
	// "pages" after "entries", and a key after "log".
	data := strings.Replace(buf.String(), `"pages": [],`, "", 1)
	data = strings.Replace(data, `"creator": {`, `"pages": [{"id":"p"}], "creator": {`, 1)
	data = strings.TrimSuffix(strings.TrimSpace(data), "}") + `, "extra": [1,2]}`
	for _, file := range []string{buf.String(), data} {
		want, err := Read(strings.NewReader(file), "x.har")
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(strings.NewReader(file), "x.har")
		var n int
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			id := s.Events[0].Session
			again, err := ReadSession(strings.NewReader(file[s.Offset:]), id)
			if err != nil || len(again) != len(s.Events) {
				t.Fatalf("session %s at %d read again: %d events, %v", id, s.Offset, len(again), err)
			}
			for i := range again {
				if again[i].Time != s.Events[i].Time || string(again[i].Data) != string(want.Events[n+i].Data) {
					t.Errorf("session %s, event %d differs", id, i)
				}
			}
			n += len(s.Events)
		}
		if n != len(want.Events) || n != len(evs) {
			t.Errorf("%d events one entry at a time, %d from Read, %d written", n, len(want.Events), len(evs))
		}
	}
}

// Chrome's file, read one entry at a time, skips what Read skips.
func TestReaderSkips(t *testing.T) {
	t.Parallel()

	f, err := os.Open("../../testdata/har/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := NewReader(f, "chrome.har")
	s, err := r.Next()
	if err != nil || len(s.Events) != 6 {
		t.Fatalf("first session: %v", err)
	}
	if _, err := r.Next(); err != io.EOF || r.Skipped() != 1 {
		t.Errorf("then %v, %d skipped; want io.EOF and 1", err, r.Skipped())
	}
}

// A Writer writes each session's entry once it has ended and those begun
// before it are written: with sessions one after another, the file grows
// as they end, and the Writer holds one session at a time.
func TestWriterStreams(t *testing.T) {
	t.Parallel()

	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	w := NewWriter(&out, nil)
	big := strings.Repeat("x", 8<<10)
	var grew int
	for s := range 20 {
		id := fmt.Sprintf("s%d", s)
		before := out.Len()
		w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: t0, URL: "/"})
		w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: t0, Dir: format.Receive, Opcode: format.Text, Data: []byte(big)})
		if len(w.pending) != 1 {
			t.Fatalf("session %d: %d entries held, want 1", s, len(w.pending))
		}
		w.Write(&format.Event{Type: format.TypeClose, Session: id, Time: t0, By: format.ByServer, Code: 1000, Clean: true})
		if len(w.pending) != 0 {
			t.Fatalf("session %d: its entry is held after its close line", s)
		}
		if out.Len() > before {
			grew++
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if grew < 15 {
		t.Errorf("the file grew at %d of 20 close lines", grew)
	}
	h, err := Read(&out, "x.har")
	if err != nil || len(h.Events) != 60 {
		t.Fatalf("read back %d events, %v", len(h.Events), err)
	}
}
