package replayer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/wsreplay/wsreplay/format"
)

// Injecting (POST replays/{id}/inject): a message to send to the client
// now, between two recorded ones. What an injection may hold is bounded,
// so that injecting into a replay whose client does not read cannot pile
// up memory: one injection's payload is at most maxInject bytes (413), and
// a replay's injections not yet sent at most maxPendingInject (409).
var (
	maxInject        int64 = 16 << 20
	maxPendingInject int64 = 32 << 20
)

// injection is a message to inject, as the API takes it: text or binary
// (base64), the raw form; or, where the replay's kind gives messages a
// meaning, the event form. For a Socket.IO replay, text is a whole
// Engine.IO packet, and the event form (event, args, namespace and
// attachments) is written as a Socket.IO EVENT (engineio_inject.go). For
// an event stream, text is the data of an unnamed event, and the event
// form (event, id, data, retry) is one event with those fields
// (sse_inject.go).
type injection struct {
	Text   *string `json:"text"`
	Binary []byte  `json:"binary"` // base64 in JSON

	Event       *string           `json:"event"`
	Args        []json.RawMessage `json:"args"`
	Namespace   string            `json:"namespace"`   // "/" if empty
	Attachments [][]byte          `json:"attachments"` // base64 each; sent as binary arguments after args

	ID    *string `json:"id"`    // an event stream's event id
	Data  *string `json:"data"`  // an event stream's event data
	Retry *int64  `json:"retry"` // an event stream's reconnection time, in milliseconds
}

// socketIOFields and sseFields report whether in holds fields of the
// event form of Socket.IO, or of event streams, beyond event (both have
// it).
func (in *injection) socketIOFields() bool {
	return in.Args != nil || in.Namespace != "" || in.Attachments != nil
}

func (in *injection) sseFields() bool { return in.ID != nil || in.Data != nil || in.Retry != nil }

// readInjection reads an injection from the body of r, bounded by what
// maxInject allows (base64 and JSON escapes included).
func readInjection(w http.ResponseWriter, r *http.Request) (*injection, error) {
	var in injection
	if err := decodeBodyMax(w, r, &in, min(maxBody, 2*maxInject+64<<10)); err != nil {
		return nil, err
	}
	size := len(in.Binary)
	if in.Text != nil {
		size += len(*in.Text)
	}
	for _, a := range in.Args {
		size += len(a)
	}
	for _, a := range in.Attachments {
		size += len(a)
	}
	if in.Data != nil {
		size += len(*in.Data)
	}
	if int64(size) > maxInject {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, field: "text",
			msg: fmt.Sprintf("the message is %d bytes; an injection holds at most %d", size, maxInject)}
	}
	return &in, nil
}

// events returns what in sends, as WebSocket messages.
func (in *injection) events() ([]*format.Event, error) {
	if in.Event != nil || in.socketIOFields() || in.sseFields() {
		return nil, &apiError{status: 400, field: "event",
			msg: "the event form is for Socket.IO replays (event, args, namespace, attachments) and event streams (event, id, data, retry); give text or binary"}
	}
	e := &format.Event{Type: format.TypeMessage, Dir: format.Receive}
	switch {
	case in.Text != nil && in.Binary != nil:
		return nil, &apiError{status: 400, msg: "give text or binary, not both", field: "text"}
	case in.Text != nil:
		e.Opcode, e.Data = format.Text, []byte(*in.Text)
	case in.Binary != nil:
		e.Opcode, e.Data = format.Binary, in.Binary
	default:
		return nil, &apiError{status: 400, msg: "give the message to inject as text or binary (base64)", field: "text"}
	}
	return []*format.Event{e}, nil
}

// payloadSize is what evs hold.
func payloadSize(evs []*format.Event) int64 {
	var n int64
	for _, e := range evs {
		n += int64(len(e.Data))
	}
	return n
}

// injectTo queues what in sends to the replay rp, shaped for it.
func injectTo(rp *apiReplay, in *injection) error {
	shape := rp.ctl.shape
	if shape == nil {
		shape = (*injection).events
	}
	evs, err := shape(in)
	if err != nil {
		return err
	}
	err = rp.ctl.inject(evs)
	if errors.Is(err, errInjectFull) {
		return &apiError{status: http.StatusConflict, field: "text", msg: fmt.Sprintf(
			"the replay holds at most %d bytes of injections not sent yet, and its client has not taken the earlier ones: try again later", maxPendingInject)}
	}
	return err
}

// isJSONArray reports whether b is a JSON array.
func isJSONArray(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '[' && json.Valid(b)
}
