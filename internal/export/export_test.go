package export

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func testSession(url string, payloads []string, end *format.Event) *Session {
	s := &Session{}
	s.Add(&format.Event{Type: format.TypeSession, Session: "s1", Time: t0, URL: url})
	for i, p := range payloads {
		e := &format.Event{Type: format.TypeMessage, Session: "s1", Time: t0.Add(time.Duration(i+1) * 1500 * time.Microsecond),
			Dir: format.Receive, Opcode: format.Text, Data: []byte(p)}
		if strings.HasPrefix(p, "bin:") {
			e.Opcode, e.Data = format.Binary, []byte(p[4:])
		}
		s.Add(e)
	}
	if end != nil {
		end.Type, end.Session, end.Time = format.TypeClose, "s1", t0.Add(time.Second)
		s.Add(end)
	}
	return s
}

func TestWrite(t *testing.T) {
	t.Parallel()

	s := testSession("/live?room=1", []string{`{"a":"<b>"}`, "bin:\x00\x01", "line\u2028sep"},
		&format.Event{By: format.ByServer, Code: 4001, Reason: "bye", Clean: true})
	for _, target := range []Target{Playwright, MSW} {
		t.Run(string(target), func(t *testing.T) {
			f, err := Write(target, s, &Options{Command: "wsreplay export --to x rec.ndjson", ModuleName: "rec.mjs"})
			if err != nil {
				t.Fatal(err)
			}
			if f.Sidecar != nil {
				t.Errorf("%s: a small session went to a sidecar", target)
			}
			m := string(f.Module)
			for _, want := range []string{
				"//   wsreplay export --to x rec.ndjson\n",
				`from "./rec.mjs";`,
				`{ at: 1.5, dir: "receive", text: '{"a":"<b>"}' },`,
				`{ at: 3, dir: "receive", binary: "AAE=" },`,
				`text: "line\u2028sep" },`,
				`export const ending = { at: 1000, code: 4001, reason: "bye", clean: true };`,
				`path: "/live",`,
			} {
				if !strings.Contains(m, want) {
					t.Errorf("%s module lacks %q", target, want)
				}
			}
			if strings.Contains(m, "\u2028") {
				t.Errorf("%s module holds a raw U+2028", target)
			}
		})
	}
}

func TestEndings(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		end  *format.Event
		want string
	}{
		{"drop", &format.Event{By: format.ByServer, Code: 1006}, `export const ending = { at: 1000, code: 1006, reason: "", clean: false };`},
		{"client closed", &format.Event{By: format.ByClient, Code: 1000, Clean: true}, "export const ending = null;"},
		{"none", nil, "export const ending = null;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Write(MSW, testSession("/x", []string{"a"}, tt.end), &Options{Command: "c"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(f.Module), tt.want) {
				t.Errorf("%s: module lacks %q", tt.name, tt.want)
			}
		})
	}
}

// What the recording says goes into comments only as quoted strings: a
// line break in a URL or id cannot end the comment and inject code.
func TestNoInjectionIntoComments(t *testing.T) {
	t.Parallel()

	s := testSession("/x\nalert(1)//", []string{"a"}, nil)
	f, err := Write(Playwright, s, &Options{Command: "wsreplay export\nalert(2)"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(f.Module), "\n") {
		if strings.HasPrefix(l, "alert") {
			t.Errorf("injected line %q", l)
		}
	}
}

func TestSidecar(t *testing.T) {
	t.Parallel()

	big := strings.Repeat("x", 1000)
	var payloads []string
	for range SidecarThreshold/1000 + 10 {
		payloads = append(payloads, big)
	}
	s := testSession("/x", payloads, nil)
	if _, err := Write(MSW, s, &Options{Command: "c"}); err == nil {
		t.Errorf("a large session without a sidecar name: no error")
	}
	for _, target := range []Target{Playwright, MSW} {
		t.Run(string(target), func(t *testing.T) {
			f, err := Write(target, s, &Options{Command: "c", SidecarName: "rec.json"})
			if err != nil {
				t.Fatal(err)
			}
			if f.Sidecar == nil || len(f.Module) > 16<<10 {
				t.Fatalf("%s: module %d bytes, sidecar %d: want the messages in the sidecar", target, len(f.Module), len(f.Sidecar))
			}
			var msgs []map[string]any
			if err := json.Unmarshal(f.Sidecar, &msgs); err != nil || len(msgs) != len(payloads) || msgs[0]["text"] != big {
				t.Errorf("%s: sidecar is not the messages as JSON: %v", target, err)
			}
			if !strings.Contains(string(f.Module), `"./rec.json"`) {
				t.Errorf("%s: module does not load ./rec.json", target)
			}
		})
	}
	f, err := Write(MSW, s, &Options{Command: "c", Sidecar: SidecarNever})
	if err != nil || f.Sidecar != nil {
		t.Errorf("SidecarNever: %v, sidecar %d bytes", err, len(f.Sidecar))
	}
}

func TestJSQuote(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{`plain`, `"plain"`},
		{`{"a":"b"}`, `'{"a":"b"}'`},
		{`it's "x"`, `'it\'s "x"'`},
		{`it's`, `"it's"`},
		{`"a" 'b' "c"`, `'"a" \'b\' "c"'`},
		{`"back\slash"` + "\n", `'"back\\slash"\n'`},
		{"\"\u2028\"", `'"\u2028"'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := jsQuote(tt.in); got != tt.want {
				t.Errorf("jsQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
