package har

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/formattest"
)

// A HAR file saved by Chrome DevTools: its one WebSocket entry with
// messages becomes a session, sorted by time, with microseconds kept.
func TestReadChromeHAR(t *testing.T) {
	t.Parallel()

	f, err := os.Open("../../testdata/har/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := Read(f, "chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	if h.Skipped != 1 {
		t.Errorf("skipped %d entries without messages, want 1", h.Skipped)
	}
	if len(h.Events) != 6 {
		t.Fatalf("got %d events, want a session line and 5 messages", len(h.Events))
	}
	s := h.Events[0]
	if s.Type != format.TypeSession || s.Session != "har-1" || s.URL != "/live?room=1" || s.Subprotocol != "v1.dashboard" ||
		s.RequestHeaders["Origin"][0] != "http://localhost:5173" {
		t.Errorf("session line: got %+v", s)
	}
	if want := time.Date(2026, 11, 25, 10, 0, 0, 300e6, time.UTC); !s.Time.Equal(want) {
		t.Errorf("session start %v, want %v (startedDateTime)", s.Time, want)
	}
	// Sorted by time, microseconds kept, binary decoded.
	wantData := []string{`{"type":"hello"}`, `{"op":"subscribe","channel":"prices"}`, `{"type":"price","price":97250.5,"note":"héllo ✓"}`, "\x00\x01\x02\xff", ""}
	for i, e := range h.Events[1:] {
		if string(e.Data) != wantData[i] {
			t.Errorf("message %d: got %q, want %q", i, e.Data, wantData[i])
		}
		if i > 0 && e.Time.Before(h.Events[i].Time) {
			t.Errorf("message %d is out of time order", i)
		}
	}
	if got := h.Events[2].Time.Nanosecond(); got != 402311000 {
		t.Errorf("send time: got %d ns, want 402311000 (microseconds kept)", got)
	}
	if h.Events[3].Opcode != format.Text || h.Events[4].Opcode != format.Binary {
		t.Errorf("opcodes: got %v and %v", h.Events[3].Opcode, h.Events[4].Opcode)
	}
}

func TestHARTimes(t *testing.T) {
	t.Parallel()

	for _, raw := range []string{`1795600800.25`, `1795600800250`, `"2026-11-25T10:00:00.25Z"`} {
		t.Run(raw, func(t *testing.T) {
			got, err := harTime([]byte(raw))
			if want := time.Date(2026, 11, 25, 10, 0, 0, 250e6, time.UTC); err != nil || !got.Equal(want) {
				t.Errorf("harTime(%s) = %v, %v; want %v", raw, got, err, want)
			}
		})
	}
}

func TestHARErrors(t *testing.T) {
	t.Parallel()

	tests := []struct{ name, har, want string }{
		{"wrong type", `{"log":{"entries":[{"_webSocketMessages":[{"type":"send","time":"soon","opcode":1,"data":"x"}]}]}}`,
			`x.har: entries[0]._webSocketMessages[0].time: "soon" is not`},
		{"time too late", `{"log":{"entries":[{"_webSocketMessages":[{"type":"send","time":9e15,"opcode":1,"data":"x"}]}]}}`,
			`x.har: entries[0]._webSocketMessages[0].time: 9e15 is outside years 1-9999 UTC`},
		{"bad direction", `{"log":{"entries":[{"_webSocketMessages":[{"type":"up","time":1,"opcode":1,"data":"x"}]}]}}`,
			`entries[0]._webSocketMessages[0].type: "up"`},
		{"entries not a list", `{"log":{"entries":{}}}`, "x.har: log.entries: object where"},
		{"no log", `{"logs":{}}`, `x.har: not a HAR file`},
		{"cut short", `{"log":{"entries":[`, `x.har: recording is truncated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.har), "x.har")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzRead checks that no input makes Read panic, and that whatever it
// reads is a recording that writes and reads back whole.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/har/*.har")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data)
	}
	f.Add([]byte(`{"log":{"entries":[{"_webSocketMessages":[{"type":"receive","time":1e12,"opcode":8,"data":"A+hieWU="}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Read(bytes.NewReader(data), "fuzz.har")
		if err != nil {
			return
		}
		// Whatever it reads must be writable and read back the same.
		evs := h.Events
		got, err := formattest.RoundTrip(t, evs)
		if err != nil || len(got) != len(evs) {
			t.Fatalf("HAR events do not survive NDJSON: %d of %d, %v", len(got), len(evs), err)
		}
	})
}

func TestReadOtherHARs(t *testing.T) {
	t.Parallel()

	f, _ := os.Open("../../testdata/har/playwright.har")
	defer f.Close()
	h, err := Read(f, "playwright.har")
	if err != nil {
		t.Fatal(err)
	}
	last := h.Events[len(h.Events)-1]
	if len(h.Events) != 5 || h.Events[0].URL != "/socket?v=2" || last.Type != format.TypeClose || last.Code != 1000 || last.Reason != "bye" {
		t.Errorf("playwright.har: %d events, last %+v", len(h.Events), last)
	}
	if h.Events[3].Opcode != format.Binary || !bytes.Equal(h.Events[3].Data, []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Errorf("binary frame: %+v", h.Events[3])
	}
	g, _ := os.Open("../../testdata/har/firefox-no-messages.har")
	defer g.Close()
	h, err = Read(g, "firefox.har")
	if err != nil || len(h.Events) != 0 || h.Skipped != 1 {
		t.Errorf("firefox.har: %d events, %d skipped, %v; want 0 and 1", len(h.Events), h.Skipped, err)
	}
}
