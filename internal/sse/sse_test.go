package sse

import (
	"reflect"
	"strings"
	"testing"
)

func parseAll(t testing.TB, stream string, chunk int) []Event {
	t.Helper()
	var p Parser
	var got []Event
	emit := func(e Event) { got = append(got, e) }
	b := []byte(stream)
	for len(b) > 0 {
		n := min(chunk, len(b))
		p.Write(b[:n], emit)
		b = b[n:]
	}
	return got
}

func TestParser(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		stream string
		want   []Event
	}{
		{"data", "data: hello\n\n", []Event{{Data: "hello", HasData: true}}},
		{"lines joined", "data: a\ndata:b\ndata:  c\n\n", []Event{{Data: "a\nb\n c", HasData: true}}},
		{"named with id", "event: tick\nid: 7\ndata: {}\n\n", []Event{{Type: "tick", ID: "7", HasID: true, Data: "{}", HasData: true}}},
		{"crlf and cr", "data: a\r\ndata: b\r\rdata: c\r\n\r\n", []Event{{Data: "a\nb", HasData: true}, {Data: "c", HasData: true}}},
		{"comment and unknown", ": keep-alive\nfoo: bar\ndata\n\n", []Event{{Data: "", HasData: true}}},
		{"retry alone", "retry: 3000\n\n", []Event{{Retry: 3000, HasRetry: true}}},
		{"bad retry", "retry: 3s\ndata: x\n\n", []Event{{Data: "x", HasData: true}}},
		{"empty id resets", "id\ndata: x\n\n", []Event{{HasID: true, Data: "x", HasData: true}}},
		{"id with NUL ignored", "id: a\x00b\ndata: x\n\n", []Event{{Data: "x", HasData: true}}},
		{"type alone is nothing", "event: t\n\ndata: y\n\n", []Event{{Data: "y", HasData: true}}},
		{"bom", "\xEF\xBB\xBFdata: x\n\n", []Event{{Data: "x", HasData: true}}},
		{"cut block", "data: x\n\ndata: cut", []Event{{Data: "x", HasData: true}}},
		{"no space after colon", "data:x\n\n", []Event{{Data: "x", HasData: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range []int{1, 2, 3, 1 << 20} {
				if got := parseAll(t, tt.stream, chunk); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("chunks of %d: got %+v, want %+v", chunk, got, tt.want)
				}
			}
		})
	}
}

func TestParserMaxLine(t *testing.T) {
	t.Parallel()

	p := Parser{MaxLine: 8}
	var got []Event
	p.Write([]byte("data: "+strings.Repeat("x", 20)+"\ndata: ok\n\n"), func(e Event) { got = append(got, e) })
	if want := []Event{{Data: "ok", HasData: true}}; !reflect.DeepEqual(got, want) || p.Skipped != 1 {
		t.Errorf("got %+v, skipped %d; want %+v, skipped 1", got, p.Skipped, want)
	}
}

func TestAppendRoundTrip(t *testing.T) {
	t.Parallel()

	events := []Event{
		{Data: "a\nb", HasData: true, Type: "tick", ID: "1", HasID: true, Retry: 500, HasRetry: true},
		{Data: "", HasData: true},
		{Data: " leading space", HasData: true},
		{HasID: true},
		{Retry: 0, HasRetry: true},
		{Data: "x", HasData: true, Type: "t", ID: "", HasID: true},
	}
	var b []byte
	for i := range events {
		b = Append(b, &events[i])
	}
	if got := parseAll(t, string(b), 1<<20); !reflect.DeepEqual(got, events) {
		t.Errorf("got %+v\nwant %+v\nstream %q", got, events, b)
	}
}

// refParse is the slow twin of Parser: the whole stream at once, split
// into lines by the standard's rules, one field at a time.
func refParse(stream string) []Event {
	stream = strings.TrimPrefix(stream, "\xEF\xBB\xBF")
	stream = strings.ReplaceAll(stream, "\r\n", "\n")
	stream = strings.ReplaceAll(stream, "\r", "\n")
	lines := strings.Split(stream, "\n")
	lines = lines[:len(lines)-1] // the last one is unfinished
	var out []Event
	var ev Event
	var data []string
	for _, line := range lines {
		if line == "" {
			if ev.HasData {
				ev.Data = strings.Join(data, "\n")
			}
			if ev.HasData || ev.HasID || ev.HasRetry {
				out = append(out, ev)
			}
			ev, data = Event{}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "event":
			ev.Type = value
		case "data":
			data, ev.HasData = append(data, value), true
		case "id":
			if !strings.Contains(value, "\x00") {
				ev.ID, ev.HasID = value, true
			}
		case "retry":
			if n, ok := digits([]byte(value)); ok {
				ev.Retry, ev.HasRetry = n, true
			}
		}
	}
	return out
}

func FuzzParser(f *testing.F) {
	f.Add("event: a\nid: 1\nretry: 10\ndata: x\r\ndata:y\r\r: c\n\n", 3)
	f.Add("\xEF\xBBdata: x\n\n", 1)
	f.Fuzz(func(t *testing.T, stream string, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		got, want := parseAll(t, stream, chunk%64+1), refParse(stream)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stream %q in chunks of %d:\n got %+v\nwant %+v", stream, chunk%64+1, got, want)
		}
		var b []byte
		for i := range got {
			if strings.ContainsAny(got[i].Type, "\r\n") {
				return
			}
			b = Append(b, &got[i])
		}
		if again := parseAll(t, string(b), 7); !reflect.DeepEqual(again, got) {
			t.Fatalf("written and read again:\n got %+v\nwant %+v", again, got)
		}
	})
}

// An event whose data lines add up past MaxEvent is dropped whole and
// counted, and the parser holds no more than MaxEvent of it meanwhile; the
// events after it are read as usual.
func TestParserMaxEvent(t *testing.T) {
	t.Parallel()

	p := Parser{MaxLine: 100, MaxEvent: 1000}
	var got []Event
	emit := func(e Event) { got = append(got, e) }
	p.Write([]byte("data: small\n\n"), emit)
	line := []byte("data: " + strings.Repeat("x", 90) + "\n")
	for range 10_000 { // 1 MB of data lines, each within MaxLine
		p.Write(line, emit)
		if cap(p.data) > 2*p.MaxEvent {
			t.Fatalf("the parser holds %d bytes of an event past MaxEvent", cap(p.data))
		}
	}
	p.Write([]byte("\ndata: after\n\n"), emit)
	if len(got) != 2 || got[0].Data != "small" || got[1].Data != "after" || p.SkippedEvents != 1 {
		t.Errorf("events %+v, skipped %d: want small and after, one skipped", got, p.SkippedEvents)
	}
}

// TestParserGrow: the parser asks Grow before its buffers grow, drops the
// line Grow refuses, and gives back all it was granted.
func TestParserGrow(t *testing.T) {
	left := 1 << 10
	held := 0
	p := Parser{Grow: func(n int) bool {
		if n > left {
			return false
		}
		left -= n
		held += n
		return true
	}}
	var got []string
	emit := func(e Event) { got = append(got, e.Data) }
	p.Write([]byte("data: "+strings.Repeat("x", 4<<10)+"\n\ndata: ok\n\n"), emit)
	if len(got) != 1 || got[0] != "ok" || p.Skipped != 1 {
		t.Errorf("got %q, %d lines skipped; want [ok], 1", got, p.Skipped)
	}
	p.Release()
	if held != 0 {
		t.Errorf("%d bytes not given back", held)
	}
}
