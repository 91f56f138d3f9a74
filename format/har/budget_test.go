package har

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// An entry longer than MaxEntrySize, or a string in it but for messages
// and bodies longer than MaxStringSize, is refused with one line naming
// the file, the entry, its offset and the field; ReadSession refuses it
// too. At the caps, the file is read.
func TestReaderBudget(t *testing.T) {
	t.Parallel()

	const maxEntry, maxString = 2000, 100
	s := strings.Repeat
	ws := func(url, headers, frames, extra string) string {
		return `{"request":{"url":"wss://a.example/` + url + `","headers":[` + headers + `]},"response":{},` + extra +
			`"_resourceType":"websocket","startedDateTime":"2026-11-25T10:00:00Z","_webSocketMessages":[` + frames + `]}`
	}
	frame := func(data string) string { return `{"type":"receive","time":1,"opcode":1,"data":"` + data + `"}` }
	header := func(name, value string) string { return `{"name":"` + name + `","value":"` + value + `"}` }
	poll := func(body string) string {
		return `{"request":{"method":"POST","url":"http://a.example/poll","postData":{"mimeType":"text/plain","text":"` + body + `"}},` +
			`"response":{"status":200,"content":{"mimeType":"text/plain","text":"` + body + `"}},"startedDateTime":"2026-11-25T10:00:00Z","_wsreplay":{"session":"p","kind":"poll"}}`
	}
	small := ws("ws", header("A", "b"), frame("hi"), "")
	for _, tc := range []struct {
		name, entry, log, want string
	}{
		{"header value at the cap", ws("ws", header("A", s("v", maxString)), frame("hi"), ""), "", ""},
		{"message longer than strings", ws("ws", "", frame(s("m", 10*maxString)), ""), "", ""},
		{"bodies longer than strings", poll(s("b", 5*maxString)), "", ""},
		{"header value", ws("ws", header("A", "b")+","+header("X-Big", s("v", maxString+1)), frame("hi"), ""), "",
			"x.har: entries[1] (at byte 254): request.headers[1].value: a string longer than 100 bytes"},
		{"header name", ws("ws", header(s("n", maxString+1), "b"), frame("hi"), ""), "",
			"x.har: entries[1] (at byte 254): request.headers[0].name: a string longer than 100 bytes"},
		{"URL", ws(s("u", maxString), "", frame("hi"), ""), "",
			"x.har: entries[1] (at byte 254): request.url: a string longer than 100 bytes"},
		{"comment", ws("ws", "", frame("hi"), `"comment":"`+s("c", maxString+1)+`",`), "",
			"x.har: entries[1] (at byte 254): comment: a string longer than 100 bytes"},
		{"message type", ws("ws", "", `{"type":"`+s("t", maxString+1)+`"}`, ""), "",
			"x.har: entries[1] (at byte 254): _webSocketMessages[0].type: a string longer than 100 bytes"},
		{"key", ws("ws", "", frame("hi"), `"`+s("k", maxString+1)+`":1,`), "",
			"x.har: entries[1] (at byte 254): a key longer than 100 bytes"},
		{"number", ws("ws", "", frame("hi"), `"n":`+s("1", maxString+1)+`,`), "",
			"x.har: entries[1] (at byte 254): n: a number longer than 100 bytes"},
		{"entry", ws("ws", "", frame(s("m", maxEntry)), ""), "",
			"x.har: entries[1] (at byte 254): an entry longer than 2000 bytes, the longest a HAR entry may be"},
		{"a value of log", small, `"pages":[` + s(`"p",`, maxEntry/4) + `"p"],`, "x.har: log.pages: a value longer than 2000 bytes"},
		{"a quoted key", ws("ws", "", frame("hi"), "\"\u202e\":{\"x\":\""+s("c", maxString+1)+`"},`), "",
			`x.har: entries[1] (at byte 254): "\u202e".x: a string longer than 100 bytes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := `{"log":{` + tc.log + `"entries":[` + small + "," + tc.entry + `]}}`
			r := NewReader(strings.NewReader(file), "x.har")
			r.MaxEntrySize, r.MaxStringSize = maxEntry, maxString
			var err error
			var n int
			for ; err == nil; n++ {
				_, err = r.Next()
			}
			if tc.want == "" {
				if err != io.EOF || n != 3 {
					t.Errorf("got %v after %d entries, want both read", err, n-1)
				}
				return
			}
			if err == io.EOF || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line beginning %q", err, tc.want)
			}
		})
	}
}

// Nesting is held to encoding/json's limit before the decoder sees it.
func TestReaderBudgetNesting(t *testing.T) {
	t.Parallel()

	deep := strings.Repeat("[", 1<<20)
	r := NewReader(strings.NewReader(`{"log":{"entries":[{"x":`+deep), "x.har")
	_, err := r.Next()
	want := "x.har: entries[0] (at byte 19): objects and arrays nested more than 10000 deep"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if n := len(r.budget.stack); n > maxNesting {
		t.Errorf("%d frames held", n)
	}
}

// ReadSession holds an entry to the same caps.
func TestReadSessionBudget(t *testing.T) {
	t.Parallel()

	entry := `, {"request":{"url":"wss://a.example/ws","headers":[{"name":"X","value":"` + strings.Repeat("v", DefaultMaxStringSize+1) +
		`"}]},"response":{},"_webSocketMessages":[{"type":"receive","time":1,"opcode":1,"data":"hi"}]}]}}`
	_, err := ReadSession(strings.NewReader(entry), "har-1")
	want := "har-1: entry: request.headers[0].value: a string longer than 8 MiB"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want an error beginning %q", err, want)
	}
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// repeat is a reader of n bytes c, made as they are read.
type repeat struct {
	c byte
	n int64
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	clear(p[:k])
	if r.c != 0 {
		copy(p[:k], bytes.Repeat([]byte{r.c}, int(k)))
	}
	r.n -= k
	return int(k), nil
}

// hugeHAR is a HAR file of one WebSocket entry, with a header value of
// header bytes and a binary message of message bytes (in base64), made
// as it is read.
func hugeHAR(header, message int64) *counter {
	return &counter{r: io.MultiReader(
		strings.NewReader(`{"log":{"entries":[{"_resourceType":"websocket","startedDateTime":"2026-11-25T10:00:00Z","request":{"url":"wss://a.example/ws","headers":[{"name":"X-Big","value":"`),
		&repeat{c: 'v', n: header},
		strings.NewReader(`"}]},"response":{},"_webSocketMessages":[{"type":"receive","time":1,"opcode":2,"data":"`),
		&repeat{c: 'A', n: message / 3 * 4},
		strings.NewReader(`"}]}]}}`),
	)}
}

// A header value far past the cap is refused having read, and held, about
// the cap of it, not the value (issue 26: one entry with a 200 MB header
// made `ls` peak at 693 MB); so is an entry past its cap. Not parallel:
// it counts the bytes allocated.
func TestReaderBudgetMemory(t *testing.T) {
	for _, tc := range []struct {
		name             string
		header, message  int64
		maxEntry, budget int64
		want             string
	}{
		{"header value", 64 << 20, 3, 0, DefaultMaxStringSize, "request.headers[0].value: a string longer than 8 MiB"},
		{"entry", 3, 96 << 20, 16 << 20, 16 << 20, "an entry longer than 16 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := hugeHAR(tc.header, tc.message)
			var err error
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r := NewReader(src, "big.har")
			r.MaxEntrySize = tc.maxEntry
			_, err = r.Next()
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "big.har: entries[0] (at byte 19): "+tc.want) {
				t.Fatalf("got %v, want the entry refused: %s", err, tc.want)
			}
			if src.n > tc.budget+1<<20 {
				t.Errorf("read %d bytes, want about the cap (%d)", src.n, tc.budget)
			}
			// The decoder's buffer grows by doubling: to twice the cap at
			// worst, and the smaller buffers before it as much again.
			if n := after.TotalAlloc - before.TotalAlloc; n > uint64(6*tc.budget) {
				t.Errorf("allocated %d bytes refusing it, want at most %d", n, 6*tc.budget)
			}
		})
	}
}

// readAll reads every session of r, and the error that ended the read.
func readAll(r *Reader) ([]*Session, error) {
	var all []*Session
	for {
		s, err := r.Next()
		if err != nil {
			return all, err
		}
		all = append(all, s)
	}
}

// The budget only refuses: below its caps, a Reader reads what a decoder
// with no budget in front of it reads; with small caps, whatever the input,
// it refuses or reads as that decoder does, never panics, and its errors
// are one line.
func FuzzBudget(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/har/*.har")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data, uint16(64))
	}
	f.Add([]byte(`{"log":{"pages":[1,"\"x"],"entries":[{"request":{"url":"wss://a/","headers":[{"name":"\\","value":"v"}]},"_webSocketMessages":[{"type":"send","time":1,"opcode":1,"data":"hi"}]}]}}`), uint16(8))
	f.Fuzz(func(t *testing.T, data []byte, limit uint16) {
		plain := &Reader{name: "f.har", budget: newBudget(nil), dec: json.NewDecoder(bytes.NewReader(data))}
		want, wantErr := readAll(plain)

		r := NewReader(bytes.NewReader(data), "f.har")
		r.MaxEntrySize, r.MaxStringSize = int64(len(data))+1, int64(len(data))+1
		got, err := readAll(r)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || len(got) != len(want) {
			t.Fatalf("with caps above the file: %d sessions, %v; want %d, %v", len(got), err, len(want), wantErr)
		}
		for i := range got {
			if got[i].Offset != want[i].Offset || len(got[i].Events) != len(want[i].Events) {
				t.Fatalf("session %d differs", i)
			}
		}

		small := NewReader(bytes.NewReader(data), "f.har")
		small.MaxEntrySize, small.MaxStringSize = 4*int64(limit)+1, int64(limit)+1
		got, err = readAll(small)
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("an error of several lines: %q", err)
		}
		if !strings.Contains(err.Error(), "longer than") && (fmt.Sprint(err) != fmt.Sprint(wantErr) || len(got) != len(want)) {
			t.Fatalf("with small caps: %d sessions, %v; want %d, %v, or a refusal", len(got), err, len(want), wantErr)
		}
	})
}
