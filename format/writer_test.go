package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// sample has one event of each kind, with the awkward cases.
func sample() []*Event {
	return []*Event{
		{Type: TypeSession, Version: 1, Session: "s1", Time: t0, URL: "/t?room=1", Upstream: "ws://b:3000/t?room=1",
			Subprotocol: "chat", Extensions: "permessage-deflate", Protocol: "graphql-transport-ws",
			RequestHeaders: map[string][]string{"Origin": {"https://app"}, "Cookie": {"[redacted]"}}, ResponseHeaders: map[string][]string{}},
		{Type: TypeMessage, Session: "s1", Time: t0.Add(1), Dir: Receive, Opcode: Text, Data: []byte("Hello \"World\" \n\t\\ \u2028 ✓")},
		{Type: TypeMessage, Session: "s1", Time: t0.Add(time.Millisecond), Dir: Send, Opcode: Text, Data: []byte{}},
		{Type: TypeMessage, Session: "s1", Time: t0.Add(time.Second), Dir: Send, Opcode: Binary, Data: []byte{0, 1, 2, 0xff}},
		{Type: TypeMessage, Session: "s1", Time: t0.Add(time.Second), Dir: Receive, Opcode: Text, Data: []byte{'a', 0xff, 0xfe, 0}},
		{Type: TypePing, Session: "s1", Time: t0.Add(2 * time.Second), Dir: Send, Data: []byte("hb")},
		{Type: TypePong, Session: "s1", Time: t0.Add(2 * time.Second), Dir: Receive},
		{Type: TypeFault, Session: "s1", Time: t0.Add(2 * time.Second), Dir: Receive, Fault: "delay=200ms:path=/feed", Action: "delay"},
		{Type: TypeClose, Session: "s1", Time: t0.Add(3 * time.Second), By: ByServer, Code: 4001, Reason: "going", Clean: true},
		{Type: TypeClose, Session: "s2", Time: t0.Add(3 * time.Second), By: ByProxy, Code: CodeAbnormal, Lost: 7},
		{Type: TypeSession, Version: 1, Session: "eio", Time: t0, URL: "/socket.io/?EIO=4&transport=polling", Kind: KindSocketIO,
			EngineIO: &EngineIO{Version: 4, SID: "abc", PingInterval: 25000, PingTimeout: 20000, MaxPayload: 1e6, Upgrades: []string{"websocket"}}},
		{Type: TypeMessage, Session: "eio", Time: t0.Add(1), Dir: Receive, Opcode: Text, Data: []byte(`42["ev",1]`), Transport: "polling"},
		{Type: TypeSession, Version: 1, Session: "poll", Time: t0, URL: "/poll", Kind: KindPoll},
		{Type: TypeMessage, Session: "poll", Time: t0.Add(2), Dir: Send, Opcode: Text, Data: []byte{},
			HTTP: &HTTP{Method: "GET", URL: "/poll?since=1", Headers: map[string][]string{"Accept": {"*/*"}}}},
		{Type: TypeMessage, Session: "poll", Time: t0.Add(3), Dir: Receive, Opcode: Text, Data: []byte(`[1]`), HTTP: &HTTP{Status: 200}},
		{Type: TypeSession, Version: 1, Session: "sse", Time: t0, URL: "/events", Kind: KindSSE,
			Via: ViaBrowser, Page: "http://localhost:5173/room?x=%5Bredacted%5D"},
		{Type: TypeMessage, Session: "sse", Time: t0.Add(4), Dir: Receive, Opcode: Text, Data: []byte("a\nb"),
			SSE: &SSE{ID: "", HasID: true, Event: "tick", Retry: 3000}},
		{Type: TypeMessage, Session: "sse", Time: t0.Add(5), Dir: Receive, Opcode: Text, Data: []byte("x"), SSE: &SSE{}},
		{Type: TypeMessage, Session: "sse", Time: t0.Add(6), Dir: Receive, Opcode: Text, Data: []byte{}, SSE: &SSE{Retry: 1500, NoData: true}},
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()

	for _, c := range []Compression{None, Gzip, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			want := sample()
			data := encode(t, want, c, true)
			r := NewReader(bytes.NewReader(data), nil)
			defer r.Close()
			got, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if r.Compression() != c {
				t.Errorf("detected %v, want %v", r.Compression(), c)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d events, want %d", len(got), len(want))
			}
			for i := range want {
				if !eventsEqual(got[i], want[i]) {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// eventsEqual compares events as the format carries them: a nil and an empty
// payload are the same, and so are the same instants in any location.
func eventsEqual(a, b *Event) bool {
	x, y := *a, *b
	if !x.Time.Equal(y.Time) || !bytes.Equal(x.Data, y.Data) {
		return false
	}
	x.Time, y.Time, x.Data, y.Data = time.Time{}, time.Time{}, nil, nil
	if x.Version == 0 && x.Type == TypeSession {
		x.Version = Version
	}
	if y.Version == 0 && y.Type == TypeSession {
		y.Version = Version
	}
	return reflect.DeepEqual(x, y)
}

// Every line the writer produces is valid JSON that encoding/json reads the
// same way, so that jq and other tools see what we see.
func TestLinesAreJSON(t *testing.T) {
	t.Parallel()

	data := encode(t, sample(), None, true)
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Errorf("line %d: %v: %s", i+1, err, line)
		}
	}
	want := `{"type":"message","session":"s1","time":"2026-11-25T10:00:01.000000000Z","dir":"receive","binary":"Yf/+AA==","opcode":"text"}`
	if !bytes.Contains(data, []byte(want+"\n")) {
		t.Errorf("non-UTF-8 text line is not %s", want)
	}
	if !bytes.Contains(data, []byte(`"dir":"send","text":""}`)) {
		t.Errorf("empty message is not written as \"text\":\"\"")
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()

	var buf bytes.Buffer
	w := NewWriter(&buf, nil)
	if err := w.Write(&Event{Type: TypeMessage, Session: "s", Dir: Send}); err == nil {
		t.Error("an event without time was accepted")
	}
	if err := w.Write(&Event{Type: TypeMessage, Session: "s", Time: t0, Dir: "up"}); err == nil {
		t.Error("a message with a bad direction was accepted")
	}
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := w.Write(&Event{Type: TypeClose, Session: "s", Time: far}); err == nil {
		t.Error("a time in year 10000, which RFC 3339 cannot write, was accepted")
	}
	fail := NewWriter(failWriter{}, nil)
	fail.Write(&Event{Type: TypeClose, Session: "s", Time: t0})
	if err := fail.Flush(); err == nil {
		t.Fatal("Flush to a failing writer succeeded")
	}
	if err := fail.Write(&Event{Type: TypeClose, Session: "s", Time: t0}); !errors.Is(err, errDiskFull) {
		t.Errorf("error is not sticky: got %v", err)
	}
	w.Close()
	if err := w.Write(&Event{Type: TypeClose, Session: "s", Time: t0}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: got %v, want ErrClosed", err)
	}
}

var errDiskFull = errors.New("no space left on device")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

// After every Flush, what has reached the file decodes up to that point,
// whatever the compression: that is what a recorder killed with -9 leaves.
func TestFlushIsReadable(t *testing.T) {
	t.Parallel()

	for _, c := range []Compression{None, Gzip, Zstd} {
		t.Run(c.String(), func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, &WriterOptions{Compression: c})
			evs := sample()
			for i, e := range evs {
				w.Write(e)
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				r := NewReader(bytes.NewReader(buf.Bytes()), nil)
				got, err := readAll(t, r)
				r.Close()
				if len(got) != i+1 {
					t.Fatalf("after %d flushes: read %d events (err %v)", i+1, len(got), err)
				}
				if c != None && !errors.Is(err, ErrTruncated) {
					t.Errorf("unfinished %v stream: got %v, want ErrTruncated", c, err)
				}
			}
			w.Close()
		})
	}
}

func TestReaderEmpty(t *testing.T) {
	t.Parallel()

	r := NewReader(bytes.NewReader(nil), nil)
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("empty input: got %v, want io.EOF", err)
	}
}
