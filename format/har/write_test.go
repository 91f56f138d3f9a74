package har

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/formattest"
)

// roundtrip has one event of each kind, with the awkward cases.
const roundtrip = "../../testdata/har/roundtrip.ndjson"

// NDJSON -> HAR -> NDJSON keeps everything HAR can carry.
func TestHARRoundTrip(t *testing.T) {
	t.Parallel()

	evs := formattest.ReadFile(t, roundtrip)
	for _, e := range evs {
		e.Time = e.Time.Add(1234567 * time.Nanosecond) // below a microsecond is lost
	}
	var buf bytes.Buffer
	if err := Write(&buf, evs, nil); err != nil {
		t.Fatal(err)
	}
	h, err := Read(&buf, "rt.har")
	if err != nil {
		t.Fatal(err)
	}
	// What HAR cannot carry: pings and pongs, drops (s2's close), non-UTF-8
	// text (becomes binary), sub-microsecond times.
	var want []*format.Event
	for _, e := range evs {
		c := *e
		c.Time = c.Time.Truncate(time.Microsecond)
		switch {
		case e.Type == format.TypePing || e.Type == format.TypePong || (e.Type == format.TypeClose && !e.Clean):
			continue
		case e.Type == format.TypeMessage && e.Opcode == format.Text && !utf8.Valid(e.Data):
			c.Opcode = format.Binary
		}
		want = append(want, &c)
	}
	got := h.Events
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		w, g := *want[i], *got[i]
		if w.Type == format.TypeSession { // HAR always has header lists
			if len(w.ResponseHeaders) == 0 && len(g.ResponseHeaders) == 0 {
				w.ResponseHeaders, g.ResponseHeaders = nil, nil
			}
		}
		if formattest.Line(t, &g) != formattest.Line(t, &w) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// Chrome DevTools' HAR importer casts these fields with Number() and gives up
// on NaN, and iterates these lists: Write must always write them.
func TestWriteHARHasWhatChromeImports(t *testing.T) {
	t.Parallel()

	var buf bytes.Buffer
	if err := Write(&buf, formattest.ReadFile(t, roundtrip), nil); err != nil {
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

// log.creator names wsreplay and its version; a nil *WriteOptions, or empty
// fields, give "wsreplay" and "dev".
func TestWriteCreator(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		o    *WriteOptions
		want map[string]any
	}{
		{"nil options", nil, map[string]any{"name": "wsreplay", "version": "dev"}},
		{"version only", &WriteOptions{Creator: Creator{Version: "v1.2.3"}}, map[string]any{"name": "wsreplay", "version": "v1.2.3"}},
		{"both", &WriteOptions{Creator: Creator{Name: "tool", Version: "9"}}, map[string]any{"name": "tool", "version": "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, nil, tt.o); err != nil {
				t.Fatal(err)
			}
			var got struct {
				Log struct{ Creator map[string]any } `json:"log"`
			}
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Log.Creator, tt.want) {
				t.Errorf("log.creator = %v, want %v", got.Log.Creator, tt.want)
			}
		})
	}
}
