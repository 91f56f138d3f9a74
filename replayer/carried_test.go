package replayer

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// carriedSessions are an event stream (an event with a type and an id, a
// retry-only block) and a poll (a request, its response), as recorded.
func carriedSessions() []*format.Event {
	at := func(ms int) time.Time { return rec0.Add(time.Duration(ms) * time.Millisecond) }
	sse := sessionLine("e", "/events", "", rec0)
	sse.Kind = format.KindSSE
	tick := message("e", at(1), format.Receive, format.Text, []byte(`{"n":1}`))
	tick.SSE = &format.SSE{Event: "tick", ID: "7", HasID: true}
	retry := message("e", at(2), format.Receive, format.Text, nil)
	retry.SSE = &format.SSE{Retry: 3000, NoData: true}
	poll := sessionLine("p", "/poll", "", rec0)
	poll.Kind = format.KindPoll
	get := message("p", at(1), format.Send, format.Text, nil)
	get.HTTP = &format.HTTP{Method: "GET", URL: "/poll?since=3", Headers: map[string][]string{"Cookie": {"[redacted]"}}}
	resp := message("p", at(2), format.Receive, format.Text, []byte(`[1,2]`))
	resp.HTTP = &format.HTTP{Status: 200, Headers: map[string][]string{"content-type": {"application/json"}}}
	return []*format.Event{sse, tick, retry, poll, get, resp}
}

// TestAPIRowsSayHowMessagesTravelled: an event's type, id and retry, a
// poll's method, URL and status, come with the rows and the message (the
// timeline shows them), and no header but the Content-Type.
func TestAPIRowsSayHowMessagesTravelled(t *testing.T) {
	ts := startServer(t, &Server{Poll: []string{"/poll"}}, File(writePlain(t, carriedSessions()...)))
	rows := mustCall(t, ts, "GET", "sessions/e/messages", "")["messages"].([]any)
	want := []string{`{"event":"tick","id":"7"}`, `{"no_data":true,"retry_ms":3000}`}
	for i, w := range want {
		if got, _ := json.Marshal(rows[i].(map[string]any)["sse"]); string(got) != w {
			t.Errorf("event row %d: sse %s, want %s", i+1, got, w)
		}
	}
	rows = mustCall(t, ts, "GET", "sessions/p/messages", "")["messages"].([]any)
	want = []string{`{"method":"GET","url":"/poll?since=3"}`, `{"content_type":"application/json","status":200}`}
	for i, w := range want {
		if got, _ := json.Marshal(rows[i].(map[string]any)["http"]); string(got) != w {
			t.Errorf("poll row %d: http %s, want %s", i+1, got, w)
		}
	}
	if m := mustCall(t, ts, "GET", "sessions/p/messages/2", ""); m["http"] == nil {
		t.Errorf("message 2 of the poll: %v, want its http", m)
	}
}

// TestWriteTimelineCarried: the exported page's messages carry the same,
// after their proto (null when none).
func TestWriteTimelineCarried(t *testing.T) {
	evs := carriedSessions()[:3]
	var page strings.Builder
	err := WriteTimeline(&page, TimelineSession{ID: "e", URL: "/events", Next: nextOf(evs)})
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(page.String(), `<script type="application/json" id="wsreplay-data">`)
	data, _, _ := strings.Cut(rest, "</script>")
	var got struct {
		Messages [][]json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatalf("the data does not parse: %v\n%s", err, data)
	}
	if len(got.Messages) != 2 || len(got.Messages[0]) != 6 || string(got.Messages[0][4]) != "null" ||
		string(got.Messages[0][5]) != `{"sse":{"event":"tick","id":"7"}}` {
		t.Errorf("messages %s", data)
	}
}
