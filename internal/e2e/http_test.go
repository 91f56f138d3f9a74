package e2e

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// pollAnswer is one answer a poll client saw (http-client.mjs,
// http-browser.mjs): ms from its first request.
type pollAnswer struct {
	At     int64  `json:"at"`
	Status int    `json:"status"`
	Batch  string `json:"batch"`
	Body   string `json:"body"`
}

// sseSeen is what an event stream client saw: each event with its
// connection and ms from that connection's opening.
type sseSeen struct {
	Events []struct {
		Conn int   `json:"conn"`
		At   int64 `json:"at"`
		// Since: ms since the client's first request (http-client.mjs only).
		Since int64  `json:"since,omitempty"`
		Type  string `json:"type"`
		ID    string `json:"id"`
		Data  string `json:"data"`
	} `json:"events"`
	Error string `json:"error"`
}

// lateness is how far from its recorded offset an answer or event may come
// at speed 1. A client cannot see when its request reached the server (a
// browser's first request may wait for a connection), so offsets are
// compared from the first answer of a poller, and the first event of a
// stream, on both sides.
const lateness = 50 * time.Millisecond

// The realtime HTTP fallbacks of a Node app (long-polling with a held
// empty answer and a cache-busting client; an event stream with named
// events, ids, a retry, a server-side end and a reconnection) through
// "wsreplay record --poll /poll", then "wsreplay serve --poll /poll": a Node
// client loop and Chromium (a fetch loop and an EventSource) see the same
// bodies in the same order, each within 50 ms of its recorded offset, the
// held answer held, and the reconnection served with the next stream.
func TestHTTPFallbacks(t *testing.T) {
	for _, c := range []struct {
		name, script string
		chromium     bool
	}{{"node", "http-client.mjs", false}, {"chromium", "http-browser.mjs", true}} {
		t.Run(c.name, func(t *testing.T) {
			need(t, c.chromium)
			_, port := startNode(t, "http-server.mjs")
			url, stop := record(t, port, "--poll", "/poll")
			base := "http" + strings.TrimPrefix(url, "ws")
			var livePoll, replayPoll []pollAnswer
			var liveSSE, replaySSE sseSeen
			runNode(t, &livePoll, c.script, "poll", base)
			runNode(t, &liveSSE, c.script, "sse", base)
			dir := stop()
			polls, streams := recordedHTTP(t, dir)
			// The bound is 50 ms, unless the live run's own client was
			// further than that from the recording: then the machine is
			// too busy for a client to see 50 ms, and the replay is held
			// to 50 ms beyond what the live client saw.
			bound := lateness
			if j := jitter(livePoll, polls, liveSSE, streams); j > lateness {
				bound = lateness + j
				t.Logf("the live %s client was %v from the recorded offsets: the replay's bound is %v", c.name, j, bound)
			}

			// A client's timing depends on the machine's load as much as
			// on the server's: a replay is tried up to three times, each
			// on a server of its own, and one must be right throughout.
			for try := 1; ; try++ {
				base = "http" + strings.TrimPrefix(serve(t, dir, "--poll", "/poll"), "ws")
				runNode(t, &replayPoll, c.script, "poll", base)
				runNode(t, &replaySSE, c.script, "sse", base)
				var problems []string
				checkPoll(&problems, livePoll, replayPoll, polls, bound)
				checkSSE(&problems, liveSSE, replaySSE, streams, bound)
				if len(problems) == 0 {
					t.Logf("replay %d: every answer and event within %v of its recorded offset (the live client: %v)", try,
						jitter(replayPoll, polls, replaySSE, streams).Round(time.Millisecond),
						jitter(livePoll, polls, liveSSE, streams).Round(time.Millisecond))
					return
				}
				if try == 3 || !onlyLate(problems) {
					t.Fatalf("replay %d:\n%s", try, strings.Join(problems, "\n"))
				}
				t.Logf("replay %d was late, trying again:\n%s", try, strings.Join(problems, "\n"))
			}
		})
	}
}

// recordedHTTP reads the recordings in dir: the offsets of the one poll
// session's responses from its first request, and those of each event
// stream's events from its start, streams in the order they started.
func recordedHTTP(t *testing.T, dir string) ([]time.Duration, [][]time.Duration) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	type session struct {
		kind   format.Kind
		start  time.Time
		offs   []time.Duration
		first  time.Time
		closed *format.Event
	}
	var all []*session
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		r := format.NewReader(f, &format.ReaderOptions{Name: name})
		s := &session{}
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case e.Type == format.TypeSession:
				s.kind, s.start = e.Kind, e.Time
			case e.Type == format.TypeMessage && e.Dir == format.Send && s.first.IsZero():
				s.first = e.Time
			case e.Type == format.TypeMessage && e.Dir == format.Receive && s.kind == format.KindPoll:
				s.offs = append(s.offs, e.Time.Sub(s.first))
			case e.Type == format.TypeMessage && e.Dir == format.Receive && e.SSE != nil && !e.SSE.NoData:
				s.offs = append(s.offs, e.Time.Sub(s.start))
			}
		}
		r.Close()
		f.Close()
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start.Before(all[j].start) })
	var polls []time.Duration
	var streams [][]time.Duration
	for _, s := range all {
		switch s.kind {
		case format.KindPoll:
			if polls != nil {
				t.Errorf("more than one poll session recorded")
			}
			polls = s.offs
		case format.KindSSE:
			streams = append(streams, s.offs)
		}
	}
	return polls, streams
}

func near(at int64, off, bound time.Duration) bool {
	d := time.Duration(at)*time.Millisecond - off
	return d > -bound && d < bound
}

// jitter is how far the live run's client saw answers and events from
// their recorded offsets (measured as the replay is): what the client and
// the machine's load add, which no server can take away.
func jitter(polls []pollAnswer, pollOffs []time.Duration, seen sseSeen, streams [][]time.Duration) time.Duration {
	var worst time.Duration
	dev := func(at int64, off time.Duration) {
		worst = max(worst, (time.Duration(at)*time.Millisecond - off).Abs())
	}
	for i := range min(len(polls), len(pollOffs)) {
		dev(polls[i].At-polls[0].At, pollOffs[i]-pollOffs[0])
	}
	k, first := map[int]int{}, map[int]int64{}
	for _, e := range seen.Events {
		if e.Conn < 0 || e.Conn >= len(streams) || k[e.Conn] >= len(streams[e.Conn]) {
			continue
		}
		if k[e.Conn] == 0 {
			first[e.Conn] = e.At
		}
		dev(e.At-first[e.Conn], streams[e.Conn][k[e.Conn]]-streams[e.Conn][0])
		k[e.Conn]++
	}
	return worst
}

// late starts the problems that are only a matter of timing.
const late = "late: "

func onlyLate(problems []string) bool {
	for _, p := range problems {
		if !strings.HasPrefix(p, late) {
			return false
		}
	}
	return true
}

func checkPoll(problems *[]string, live, replay []pollAnswer, recorded []time.Duration, bound time.Duration) {
	errorf := func(format string, args ...any) { *problems = append(*problems, fmt.Sprintf(format, args...)) }
	if len(live) != 5 || len(replay) != len(live) || len(recorded) != len(live) {
		errorf("poll: %d answers live, %d replayed, %d recorded; want 5 each\nlive %+v\nreplay %+v", len(live), len(replay), len(recorded), live, replay)
		return
	}
	for i := range live {
		l, r := live[i], replay[i]
		if l.Status != r.Status || l.Batch != r.Batch || l.Body != r.Body {
			errorf("poll answer %d: replayed %+v, live %+v", i, r, l)
		}
		if at, off := r.At-replay[0].At, recorded[i]-recorded[0]; !near(at, off, bound) {
			errorf(late+"poll answer %d came %dms after the first, recorded %v after it (more than %v apart)", i, at, off.Round(time.Millisecond), bound)
		}
	}
	// The answer after a hold of 300 ms with nothing new is still held.
	if hold := replay[1].At - replay[0].At; live[1].Status != 204 || hold < 250 {
		errorf(late+"the held answer came %dms after the one before, want about 300ms (live: %+v)", hold, live[1])
	}
}

func checkSSE(problems *[]string, live, replay sseSeen, recorded [][]time.Duration, bound time.Duration) {
	errorf := func(format string, args ...any) { *problems = append(*problems, fmt.Sprintf(format, args...)) }
	if live.Error != "" || replay.Error != "" {
		errorf("sse: live error %q, replay error %q", live.Error, replay.Error)
		return
	}
	if len(live.Events) != 5 || len(replay.Events) != 5 || len(recorded) != 2 {
		errorf("sse: %d events live, %d replayed, %d streams recorded; want 5, 5 and 2\nlive %+v\nreplay %+v",
			len(live.Events), len(replay.Events), len(recorded), live, replay)
		return
	}
	k := map[int]int{}
	first := map[int]int64{} // when each connection's first event came
	for i := range live.Events {
		l, r := live.Events[i], replay.Events[i]
		if l.Conn != r.Conn || l.Type != r.Type || l.ID != r.ID || l.Data != r.Data {
			errorf("event %d: replayed %+v, live %+v", i, r, l)
			continue
		}
		if r.Conn > 1 || k[r.Conn] >= len(recorded[r.Conn]) {
			errorf("event %d on connection %d: not recorded there", i, r.Conn)
			continue
		}
		if k[r.Conn] == 0 {
			first[r.Conn] = r.At
		}
		off := recorded[r.Conn][k[r.Conn]] - recorded[r.Conn][0]
		k[r.Conn]++
		if at := r.At - first[r.Conn]; !near(at, off, bound) {
			errorf(late+"event %d (id %s) came %dms after the first of connection %d, recorded %v after it (more than %v apart)",
				i, r.ID, at, r.Conn, off.Round(time.Millisecond), bound)
		}
	}
	// The reconnection got the second stream: ids 4 and 5 on connection 1.
	if r := replay.Events[3]; r.Conn != 1 || r.ID != "4" {
		errorf("the reconnection got %+v, want id 4 on the second connection", r)
	}
}
