package format

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestReadChromeHAR(t *testing.T) {
	f, err := os.Open("../testdata/har/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := ReadHAR(f, "chrome.har")
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
	if s.Type != TypeSession || s.Session != "har-1" || s.URL != "/live?room=1" || s.Subprotocol != "v1.dashboard" ||
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
	if h.Events[3].Opcode != Text || h.Events[4].Opcode != Binary {
		t.Errorf("opcodes: got %v and %v", h.Events[3].Opcode, h.Events[4].Opcode)
	}
}

func TestHARTimes(t *testing.T) {
	for _, raw := range []string{`1795600800.25`, `1795600800250`, `"2026-11-25T10:00:00.25Z"`} {
		got, err := harTime([]byte(raw))
		if want := time.Date(2026, 11, 25, 10, 0, 0, 250e6, time.UTC); err != nil || !got.Equal(want) {
			t.Errorf("harTime(%s) = %v, %v; want %v", raw, got, err, want)
		}
	}
}

func TestHARErrors(t *testing.T) {
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
			_, err := ReadHAR(strings.NewReader(tt.har), "x.har")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestIsHAR(t *testing.T) {
	data, _ := os.ReadFile("../testdata/har/chrome.har")
	demo, _ := os.ReadFile("../testdata/demo.ndjson")
	if !IsHAR(data) || IsHAR(demo) || !IsHAR([]byte(` {"log":{}}`)) {
		t.Error("IsHAR misjudges")
	}
}

func FuzzReadHAR(f *testing.F) {
	files, _ := filepath.Glob("../testdata/har/*.har")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data)
	}
	f.Add([]byte(`{"log":{"entries":[{"_webSocketMessages":[{"type":"receive","time":1e12,"opcode":8,"data":"A+hieWU="}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHAR(bytes.NewReader(data), "fuzz.har")
		if err != nil {
			return
		}
		// Whatever it reads must be writable and read back the same.
		evs := h.Events
		r := NewReader(bytes.NewReader(encode(t, evs, None, true)), nil)
		got, err := readAll(t, r)
		if err != nil || len(got) != len(evs) {
			t.Fatalf("HAR events do not survive NDJSON: %d of %d, %v", len(got), len(evs), err)
		}
	})
}

func TestReadOtherHARs(t *testing.T) {
	f, _ := os.Open("../testdata/har/playwright.har")
	defer f.Close()
	h, err := ReadHAR(f, "playwright.har")
	if err != nil {
		t.Fatal(err)
	}
	last := h.Events[len(h.Events)-1]
	if len(h.Events) != 5 || h.Events[0].URL != "/socket?v=2" || last.Type != TypeClose || last.Code != 1000 || last.Reason != "bye" {
		t.Errorf("playwright.har: %d events, last %+v", len(h.Events), last)
	}
	if h.Events[3].Opcode != Binary || !bytes.Equal(h.Events[3].Data, []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Errorf("binary frame: %+v", h.Events[3])
	}
	g, _ := os.Open("../testdata/har/firefox-no-messages.har")
	defer g.Close()
	h, err = ReadHAR(g, "firefox.har")
	if err != nil || len(h.Events) != 0 || h.Skipped != 1 {
		t.Errorf("firefox.har: %d events, %d skipped, %v; want 0 and 1", len(h.Events), h.Skipped, err)
	}
}

// NDJSON -> HAR -> NDJSON keeps everything HAR can carry.
func TestHARRoundTrip(t *testing.T) {
	evs := sample()
	for _, e := range evs {
		e.Time = e.Time.Add(1234567 * time.Nanosecond) // below a microsecond is lost
	}
	var buf bytes.Buffer
	if err := WriteHAR(&buf, evs); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHAR(&buf, "rt.har")
	if err != nil {
		t.Fatal(err)
	}
	// What HAR cannot carry: pings and pongs, drops (s2's close), non-UTF-8
	// text (becomes binary), sub-microsecond times.
	var want []*Event
	for _, e := range evs {
		c := *e
		c.Time = c.Time.Truncate(time.Microsecond)
		switch {
		case e.Type == TypePing || e.Type == TypePong || (e.Type == TypeClose && !e.Clean):
			continue
		case e.Type == TypeMessage && e.Opcode == Text && !utf8.Valid(e.Data):
			c.Opcode = Binary
		}
		want = append(want, &c)
	}
	got := h.Events
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := *want[i], *got[i]
		if w.Type == TypeSession { // HAR always has header lists
			if len(w.ResponseHeaders) == 0 && len(g.ResponseHeaders) == 0 {
				w.ResponseHeaders, g.ResponseHeaders = nil, nil
			}
		}
		if !eventsEqual(&g, &w) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// Chrome DevTools' HAR importer casts these fields with Number() and gives up
// on NaN, and iterates these lists: WriteHAR must always write them.
func TestWriteHARHasWhatChromeImports(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHAR(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var har map[string]any
	if err := json.Unmarshal(buf.Bytes(), &har); err != nil {
		t.Fatal(err)
	}
	get := func(v any, path ...string) any {
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		}
		return v
	}
	log := get(har, "log")
	for _, list := range []string{"pages", "entries"} {
		if _, ok := get(log, list).([]any); !ok {
			t.Errorf("log.%s is not a list", list)
		}
	}
	for i, ent := range get(log, "entries").([]any) {
		numbers := [][]string{{"time"}, {"request", "headersSize"}, {"request", "bodySize"}, {"response", "status"},
			{"response", "headersSize"}, {"response", "bodySize"}, {"response", "content", "size"},
			{"timings", "send"}, {"timings", "wait"}, {"timings", "receive"}}
		for _, p := range numbers {
			if _, ok := get(ent, p...).(float64); !ok {
				t.Errorf("entry %d: %v is not a number", i, p)
			}
		}
		for _, p := range [][]string{{"request", "headers"}, {"request", "cookies"}, {"request", "queryString"},
			{"response", "headers"}, {"response", "cookies"}, {"_webSocketMessages"}} {
			if _, ok := get(ent, p...).([]any); !ok {
				t.Errorf("entry %d: %v is not a list", i, p)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, get(ent, "startedDateTime").(string)); err != nil {
			t.Errorf("entry %d: startedDateTime: %v", i, err)
		}
		for j, m := range get(ent, "_webSocketMessages").([]any) {
			if _, ok := get(m, "time").(float64); !ok {
				t.Errorf("entry %d message %d: time is not a number", i, j)
			}
			if _, ok := get(m, "opcode").(float64); !ok {
				t.Errorf("entry %d message %d: opcode is not a number", i, j)
			}
		}
	}
}
