package replayer

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// pollTape is a poll session read into memory as its exchanges: a poller's
// sessions are small (one line per request and per response).
type pollTape struct {
	exchanges []pollExchange
	// longestHold is the longest a recorded response took after its
	// request: how long an idle server holds a request.
	longestHold time.Duration
	// idle is what an idle server answers: the last recorded response
	// with an empty body (the answer after a hold with nothing new), or a
	// 204 No Content if none was recorded.
	idle *format.Event
}

// pollExchange is a recorded request and its response, with the response's
// offset from the first recorded request. req is nil for the idle answer.
type pollExchange struct {
	req, resp *format.Event
	respOff   time.Duration
}

// maxPollTape bounds the exchanges of a poll session read into memory.
const maxPollTape = 1 << 20

// loadPollTape reads sess's exchanges: each send line is a request, the
// receive line after it its response. A request without a response (the
// recording ended first) is left out, and so are lines of other types.
func loadPollTape(sess *Session) (*pollTape, error) {
	st, err := sess.stream()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	t := &pollTape{}
	var first time.Time
	var req *format.Event
	for {
		e, err := st.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if e.Type != format.TypeMessage {
			continue
		}
		switch {
		case e.Dir == format.Send:
			req = e
			if first.IsZero() {
				first = e.Time
			}
		case req != nil:
			t.add(req, e, first)
			req = nil
		}
		if len(t.exchanges) > maxPollTape {
			return nil, fmt.Errorf("session %s: more than %d exchanges", sess.ID, maxPollTape)
		}
	}
	if t.idle == nil {
		t.idle = &format.Event{Type: format.TypeMessage, Dir: format.Receive, HTTP: &format.HTTP{Status: http.StatusNoContent}}
	}
	return t, nil
}

func (t *pollTape) add(req, resp *format.Event, first time.Time) {
	t.exchanges = append(t.exchanges, pollExchange{req: req, resp: resp, respOff: resp.Time.Sub(first)})
	t.longestHold = max(t.longestHold, resp.Time.Sub(req.Time))
	if len(resp.Data) == 0 {
		t.idle = resp
	}
}
