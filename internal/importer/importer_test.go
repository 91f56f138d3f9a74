package importer

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/formattest"
)

func importFile(tb testing.TB, path string, o Options) (*Result, error) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	o.Name = path
	return Read(f, o)
}

func TestImportLines(t *testing.T) {
	t.Parallel()

	res, err := importFile(t, "../../testdata/import/pushes.jsonl", Options{Time: "ts", Data: "payload", Dir: "direction", Session: "socket", URL: "/live"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Events {
		switch e.Type {
		case format.TypeSession:
			got = append(got, "session "+e.Session+" "+e.URL+" "+e.Time.Format("05.000"))
		case format.TypeMessage:
			got = append(got, string(e.Dir)+" "+string(e.Data)+" "+e.Time.Format("05.000"))
		}
	}
	want := []string{
		"session a /live 00.000",
		"receive plain text push 00.000",
		`receive {"type":"price","symbol":"BTC","price":97250.5} 01.500`,
		`send {"op":"ack"} 02.000`,
		"session b /live 00.250",
		"send [1,2,3] 00.250",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestImportArray(t *testing.T) {
	t.Parallel()

	o := Options{Time: "meta.sent_at", Data: "body", Session: "meta.conn", TimeUnit: "ms"}
	_, err := importFile(t, "../../testdata/import/export.json", o)
	if err == nil || !strings.Contains(err.Error(), `export.json: [2]: missing field "meta.sent_at"`) {
		t.Errorf("got %v, want an error naming index 2", err)
	}
	o.SkipBad = true
	res, err := importFile(t, "../../testdata/import/export.json", o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != 1 || len(res.Events) != 3 || res.Events[0].Session != "17" {
		t.Fatalf("got %d events, %d skipped", len(res.Events), res.Skipped)
	}
	if got := res.Events[2].Time; !got.Equal(time.Date(2026, 11, 25, 10, 0, 0, 250e6, time.UTC)) {
		t.Errorf("time %v", got)
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{`{"t":1,"d":"x"}` + "\n" + `{"t":"soon","d":"x"}`, `x.jsonl: line 2: field "t": "soon" is not an RFC 3339 time`},
		{`{"t":"0000-01-01T00:00:00Z","d":"x"}`, `line 1: field "t": "0000-01-01T00:00:00Z" is outside years 1-9999 UTC`},
		{`{"t":1}`, `line 1: missing field "d"`},
		{`{"t":1,"d":null}`, `line 1: field "d" is null`},
		{`{"t":1,"d":"x","dir":"sideways"}`, `line 1: field "dir": "sideways" is not a direction`},
		{`{"t":1,"d":"x"}`, `line 1: missing field "dir"`},
		{`{"t":1,"d":"x"` + "\n", `line 1: not valid JSON`},
		{`[{"t":1,"d":"x"},`, `x.jsonl: invalid JSON`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			o := Options{Name: "x.jsonl", Time: "t", Data: "d"}
			if strings.Contains(tt.want, "dir") {
				o.Dir = "dir"
			}
			_, err := Read(strings.NewReader(tt.in), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read(%q): got %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestImportTimeUnits(t *testing.T) {
	t.Parallel()

	want := time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)
	for _, tt := range []struct{ raw, unit string }{
		{`1795600800.123456`, ""}, {`1795600800123.456`, ""}, {`1795600800123456`, ""},
		{`1795600800.123456`, "s"}, {`"1795600800123.456"`, "ms"}, {`1795600800123456`, "us"},
		{`"2026-11-25T10:00:00.123456Z"`, "rfc3339"}, {`"2026-11-25T11:00:00.123456+01:00"`, ""},
	} {
		t.Run(tt.raw+" "+tt.unit, func(t *testing.T) {
			got, err := importTime([]byte(tt.raw), tt.unit)
			if err != nil || !got.Equal(want) {
				t.Errorf("importTime(%s, %q) = %v, %v", tt.raw, tt.unit, got, err)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"../../testdata/import/pushes.jsonl", "../../testdata/import/export.json"} {
		data, _ := os.ReadFile(name)
		f.Add(data)
	}
	f.Add([]byte(`[{"t":"2026-01-01T00:00:00Z","d":{"a":[1,{"b":null}]},"dir":"in","s":3}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []Options{
			{Time: "t", Data: "d", Dir: "dir", Session: "s", SkipBad: true},
			{Time: "ts", Data: "payload", Dir: "direction", Session: "socket"},
		} {
			res, err := Read(bytes.NewReader(data), o)
			if err != nil {
				continue
			}
			// What it imports is a recording that reads back whole.
			got, err := formattest.RoundTrip(t, res.Events)
			if err != nil || len(got) != len(res.Events) {
				t.Fatalf("imported events do not read back: %d of %d, %v", len(got), len(res.Events), err)
			}
		}
	})
}
