package replayer

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
)

// Injecting into an event stream: the event form ({"event", "id", "data",
// "retry"}) is one event with those fields; text is the data of an unnamed
// event ("message"). What an EventSource would not receive as given is
// refused with 400 and nothing sent: a carriage return in data (the
// stream's framing reads it as a line break, so the client would get a
// line feed in its place), a line break in an event name or id (it would
// end the field), a NUL in an id (an EventSource ignores such an id), a
// retry that is not a positive number of milliseconds, binary data (an
// event stream is text), and an event name with no data (an EventSource
// dispatches no event without a data field). A line feed in data is
// sent as one data line per line, which an EventSource joins with line
// feeds again.

// sseInjection shapes an injection for an event stream replay
// (control.shape).
func sseInjection(in *injection) ([]*format.Event, error) {
	bad := func(field, msg string) error { return &apiError{status: http.StatusBadRequest, msg: msg, field: field} }
	switch {
	case in.Binary != nil:
		return nil, bad("binary", "an event stream carries text: give the event's data (and event, id, retry) or text")
	case in.socketIOFields():
		return nil, bad("event", "args, namespace and attachments are for Socket.IO replays: an event stream's event takes event, id, data and retry")
	case in.Text != nil && (in.Event != nil || in.sseFields()):
		return nil, bad("text", "give the event's fields (event, id, data, retry) or its data as text, not both")
	case in.Text != nil:
		if msg := checkSSEData(*in.Text); msg != "" {
			return nil, bad("text", msg)
		}
		return []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: []byte(*in.Text)}}, nil
	case in.Event == nil && !in.sseFields():
		return nil, bad("event", `give the event to send ({"event":"tick","id":"7","data":"..."}) or its data as text`)
	}
	return sseEventInjection(in)
}

// sseEventInjection writes the event form as one event.
func sseEventInjection(in *injection) ([]*format.Event, error) {
	bad := func(field, msg string) error { return &apiError{status: http.StatusBadRequest, msg: msg, field: field} }
	x := &format.SSE{}
	if in.Event != nil {
		if strings.ContainsAny(*in.Event, "\r\n") {
			return nil, bad("event", fmt.Sprintf("event name %s: a line break would end the field", readable.Preview([]byte(*in.Event), 40)))
		}
		if in.Data == nil {
			return nil, bad("data", `an EventSource dispatches no event without data: give data ("" is an empty one)`)
		}
		x.Event = *in.Event
	}
	if in.ID != nil {
		if strings.ContainsAny(*in.ID, "\r\n\x00") {
			return nil, bad("id", fmt.Sprintf("id %s: a line break would end the field, and an EventSource ignores an id with a NUL", readable.Preview([]byte(*in.ID), 40)))
		}
		x.ID, x.HasID = *in.ID, true
	}
	if in.Retry != nil {
		if *in.Retry <= 0 {
			return nil, bad("retry", fmt.Sprintf("retry %d: the reconnection time is a positive number of milliseconds", *in.Retry))
		}
		x.Retry = *in.Retry
	}
	var data []byte
	if in.Data == nil {
		x.NoData = true // an id or a retry alone: kept by the EventSource, no event
	} else {
		if msg := checkSSEData(*in.Data); msg != "" {
			return nil, bad("data", msg)
		}
		data = []byte(*in.Data)
	}
	return []*format.Event{{Type: format.TypeMessage, Dir: format.Receive, Opcode: format.Text, Data: data, SSE: x}}, nil
}

// checkSSEData says why an EventSource would not receive data as it is
// ("" if it would).
func checkSSEData(data string) string {
	if i := strings.IndexByte(data, '\r'); i >= 0 {
		return fmt.Sprintf("data %s holds a carriage return at byte %d: the stream's framing reads it as a line break, and the client would get a line feed (\\n) there; send \\n",
			readable.Preview([]byte(data), 40), i)
	}
	return ""
}
