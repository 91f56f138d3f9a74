package diff

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/engineio"
	"github.com/wsreplay/wsreplay/protocol"
)

// Messages of an event stream and of Socket.IO are compared by what they
// mean, not as the bytes that carried them:
//
//   - a poll's request by its method and path (the query left out: a
//     cache-buster differs every time) with its body, a response by its
//     status with its body;
//   - an SSE event by its event type ("" is "message"), its id (or none),
//     its retry, whether it had data, and its data (JSON or text);
//   - a Socket.IO packet by its type, namespace, attachments, ack id
//     (renamed to a token as client ids are, see ids.go) and its JSON
//     (the event name and args of an EVENT, with Options.Ignore paths
//     read from that array: $[1].ts is the first argument's ts);
//   - the Engine.IO open packet by its JSON, less sid, pingInterval and
//     pingTimeout, and a Socket.IO CONNECT answer by its JSON less sid and
//     pid: each connection gets new ones;
//   - Engine.IO's own packets (ping, pong, the upgrade probe, upgrade,
//     noop) not at all: their number follows the session's length and
//     transports, as WebSocket ping and pong frames are not compared.

// handshake are the members of an open packet or a CONNECT answer that
// differ between any two connections.
var handshake = []Path{mustPath("$.sid"), mustPath("$.pid"), mustPath("$.pingInterval"), mustPath("$.pingTimeout")}

func mustPath(s string) Path {
	p, err := ParsePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

// sseKey returns the comparison key of an event of an event stream.
func sseKey(m *Message, ignore []Path, swaps swapper) string {
	e := *m.SSE
	if e.Event == "" {
		e.Event = "message" // what an EventSource dispatches it as
	}
	id := "none"
	if e.HasID {
		id = strconv.Quote(e.ID)
	}
	return fmt.Sprintf("%s sse event=%q id=%s retry=%d nodata=%t ", m.Dir, e.Event, id, e.Retry, e.NoData) +
		payloadKey(m.Data, ignore, swaps, &m.JSON)
}

// httpKey returns the comparison key of a poll's request or response.
func httpKey(m *Message, ignore []Path, swaps swapper) string {
	h := m.HTTP
	var what string
	if m.Dir == format.Send {
		p := h.URL
		if u, err := url.Parse(h.URL); err == nil {
			p = u.Path
		}
		what = fmt.Sprintf("request %q %q", h.Method, p)
	} else {
		what = "response " + strconv.Itoa(h.Status)
	}
	if m.Opcode != format.Text {
		return string(m.Dir) + " http " + what + " binary " + string(m.Data)
	}
	return string(m.Dir) + " http " + what + " " + payloadKey(m.Data, ignore, swaps, &m.JSON)
}

// sioTransport reports an Engine.IO packet that is the transport's own
// (ping, pong, probe, upgrade, noop), left out of the comparison.
func sioTransport(m *Message) bool {
	if m.Opcode != format.Text || len(m.Data) == 0 {
		return false
	}
	switch m.Data[0] {
	case engineio.Ping, engineio.Pong, engineio.Upgrade, engineio.Noop:
		return true
	}
	return false
}

// sioKey returns the comparison key of an Engine.IO packet of a Socket.IO
// session; false for one it does not read (a binary attachment, a
// malformed packet), compared as other messages are.
func sioKey(m *Message, ignore []Path, swaps swapper) (string, bool) {
	if m.Opcode != format.Text {
		return "", false
	}
	if len(m.Data) > 1 && m.Data[0] == engineio.Open {
		return string(m.Dir) + " eio open " + payloadKey(m.Data[1:], append(ignore[:len(ignore):len(ignore)], handshake...), nil, &m.JSON), true
	}
	sio, ok := engineio.ParseSocketIO(m.Data)
	if !ok {
		return "", false
	}
	ack := "none"
	if sio.HasID {
		ack = strconv.FormatInt(sio.ID, 10)
		if swaps != nil {
			if tok, ok := swaps("n:"+ack, ""); ok {
				ack = tok
			}
		}
	}
	if sio.Type == engineio.SIOConnect && m.Dir == format.Receive {
		ignore = append(ignore[:len(ignore):len(ignore)], handshake...)
	}
	// The args keep their values: an ack id's token goes in the header
	// only, never in place of an argument that happens to equal it.
	return fmt.Sprintf("%s sio %s ns=%q att=%d ack=%s ", m.Dir, sio.TypeName(), sio.Namespace, sio.Attachments, ack) +
		payloadKey(sio.Data, ignore, nil, &m.JSON), true
}

// payloadKey is the compared form of a text payload: "json " and its
// canonical JSON, or "text " and the text. It sets *isJSON.
func payloadKey(data []byte, ignore []Path, swaps swapper, isJSON *bool) string {
	if c, ok := canonicalJSONRenamed(data, ignore, swaps); ok {
		*isJSON = true
		return "json " + string(c)
	}
	return "text " + string(data)
}

// Describe returns the message as its session's protocol reads it (an
// empty Description when no profile was found, or the message is not
// one the profile reads).
func (m *Message) Describe() protocol.Description {
	if m.profile == nil {
		return protocol.Description{}
	}
	return m.profile.Describe(protocol.Message{Dir: m.Dir, Binary: m.Opcode == format.Binary, Data: m.Data})
}
