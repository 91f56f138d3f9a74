package diff

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// TestIdentical: where Identical answers, it answers what Compare does;
// where the sessions differ at all, it leaves them to Compare.
func TestIdentical(t *testing.T) {
	base := []string{
		`{"type":"session","v":1,"session":"s","time":"2026-11-25T10:00:00Z","url":"/x"}`,
		`{"type":"message","session":"s","time":"2026-11-25T10:00:01Z","dir":"send","text":"{\"a\":1}"}`,
		`{"type":"message","session":"s","time":"2026-11-25T10:00:02Z","dir":"receive","text":"{\"b\":2}"}`,
		`{"type":"close","session":"s","time":"2026-11-25T10:00:03Z","by":"server","code":1000,"clean":true}`,
	}
	tests := []struct {
		name string
		b    []string
		ok   bool
	}{
		{name: "the same", b: base, ok: true},
		{name: "the same at other times", b: []string{base[0],
			`{"type":"message","session":"s","time":"2026-11-25T10:00:05Z","dir":"send","text":"{\"a\":1}"}`,
			`{"type":"message","session":"s","time":"2026-11-25T10:00:06Z","dir":"receive","text":"{\"b\":2}"}`, base[3]}, ok: true},
		{name: "equal JSON, other bytes", b: []string{base[0], base[1],
			`{"type":"message","session":"s","time":"2026-11-25T10:00:02Z","dir":"receive","text":"{ \"b\": 2 }"}`, base[3]}},
		{name: "a message fewer", b: []string{base[0], base[1], base[3]}},
		{name: "another ending", b: []string{base[0], base[1], base[2],
			`{"type":"close","session":"s","time":"2026-11-25T10:00:03Z","by":"server","code":1001,"clean":true}`}},
		{name: "no ending", b: base[:3]},
		{name: "another status", b: []string{base[0], base[1],
			`{"type":"message","session":"s","time":"2026-11-25T10:00:02Z","dir":"receive","text":"{\"b\":2}","http":{"status":400}}`, base[3]}},
		{name: "another event type", b: []string{base[0], base[1],
			`{"type":"message","session":"s","time":"2026-11-25T10:00:02Z","dir":"receive","text":"{\"b\":2}","sse":{"event":"x"}}`, base[3]}},
		{name: "Socket.IO", b: []string{
			`{"type":"session","v":1,"session":"s","time":"2026-11-25T10:00:00Z","url":"/x","kind":"socketio"}`, base[1], base[2], base[3]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := ndjson(t, base...), ndjson(t, tc.b...)
			got, ok := Identical(a.evs, b.evs)
			if ok != tc.ok {
				t.Fatalf("Identical ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			want, err := Compare(ndjson(t, base...), ndjson(t, tc.b...), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Identical = %+v, Compare = %+v", got, want)
			}
		})
	}
}

// ndjson reads recording lines.
func ndjson(t *testing.T, lines ...string) *events {
	t.Helper()
	r := format.NewReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), nil)
	s := &events{}
	for {
		e, err := r.Next()
		if err == io.EOF {
			return s
		}
		if err != nil {
			t.Fatal(err)
		}
		s.evs = append(s.evs, e)
	}
}
