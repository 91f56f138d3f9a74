package format

import (
	"bytes"
	"strings"
	"testing"
)

// SummarizeEach hands out a session when its close line is read, and the
// open ones at the end in the order they began, with the same figures as
// Summarize.
func TestSummarizeEach(t *testing.T) {
	t.Parallel()

	rec := `{"type":"session","v":1,"session":"a","time":"2026-11-25T10:00:00.000000000Z","url":"/a"}
{"type":"session","v":1,"session":"b","time":"2026-11-25T10:00:01.000000000Z","url":"/b"}
{"type":"message","session":"a","time":"2026-11-25T10:00:02.000000000Z","dir":"send","text":"hi"}
{"type":"session","v":1,"session":"c","time":"2026-11-25T10:00:02.500000000Z","url":"/c"}
{"type":"close","session":"b","time":"2026-11-25T10:00:03.000000000Z","by":"server","code":1000,"clean":true}
{"type":"message","session":"c","time":"2026-11-25T10:00:04.000000000Z","dir":"receive","binary":"AAE="}
{"type":"session","v":1,"session":"d","time":"2026-11-25T10:00:05.000000000Z","url":"/d"}
{"type":"close","session":"d","time":"2026-11-25T10:00:06.000000000Z","by":"client","code":1001,"clean":true}
`
	var got []string
	err := SummarizeEach(NewReader(strings.NewReader(rec), nil), func(s *Summary) error {
		got = append(got, s.Session+" "+s.Ending())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "b 1000 clean|d 1001 clean|a open|c open"; strings.Join(got, "|") != want {
		t.Errorf("order %q, want %q", strings.Join(got, "|"), want)
	}
	all, _ := Summarize(NewReader(strings.NewReader(rec), nil))
	byID := map[string]Summary{}
	SummarizeEach(NewReader(strings.NewReader(rec), nil), func(s *Summary) error { byID[s.Session] = *s; return nil })
	for _, s := range all {
		if byID[s.Session] != *s {
			t.Errorf("session %s: %+v, Summarize says %+v", s.Session, byID[s.Session], *s)
		}
	}
	// A torn tail: the sessions before it are handed out, then the error.
	n := 0
	err = SummarizeEach(NewReader(bytes.NewReader([]byte(rec+`{"type":"mess`)), nil), func(*Summary) error { n++; return nil })
	if n != 4 || err == nil {
		t.Errorf("torn tail: %d sessions, %v; want 4 and ErrTruncated", n, err)
	}
}
