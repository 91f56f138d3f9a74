package protocol

import (
	"encoding/json"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// Phoenix is the profile of Phoenix channels (the Elixir framework's
// Phoenix.Socket, the "phoenix" npm client) with its JSON serializers.
// Version 2.0.0 sends each message as an array [join_ref, ref, topic,
// event, payload]; version 1.0.0 as an object {"topic", "event",
// "payload", "ref"} (and "join_ref" where given). The client chooses the
// refs, as strings counting up per socket: a push's ref, which the
// server's "phx_reply" to it echoes, and a join's ref, which becomes the
// channel's join_ref, echoed by every message the server sends on the
// channel while it is joined. The client's heartbeat is a push of event
// "heartbeat" to the topic "phoenix"; the server answers it with a
// phx_reply of status "ok".
//
// Phoenix's binary serializer (binary payloads) is not read: its messages
// get empty descriptions and are replayed as recorded. An ID's Value is
// the ref's JSON text, so that the type is kept.
type Phoenix struct{}

// Name returns "phoenix".
func (Phoenix) Name() string { return "phoenix" }

// Recognize reports a path ending in /websocket with vsn=2.0.0 or
// vsn=1.0.0 in its query (the phoenix client's), or, with neither, a
// session whose first client message joins a channel (event "phx_join").
func (Phoenix) Recognize(o Opening) bool {
	if o.URL != nil && strings.HasSuffix(o.URL.Path, "/websocket") {
		if v := o.URL.Query().Get("vsn"); v == "2.0.0" || v == "1.0.0" {
			return true
		}
	}
	for _, m := range o.First {
		if m.Dir != format.Send {
			continue
		}
		p, ok := parsePhoenix(m)
		return ok && p.event == "phx_join"
	}
	return false
}

// phxMessage is what Phoenix reads of a message. Refs are JSON texts,
// nil for none or null; where says where each is in the message.
type phxMessage struct {
	joinRef, ref     []byte
	joinRefAt, refAt span
	topic, event     string
	payload          []byte
	array            bool // the 2.0.0 serializer's
}

// parsePhoenix reads a message of either JSON serializer; false when it is
// neither.
func parsePhoenix(m Message) (phxMessage, bool) {
	data := m.Data
	if m.Binary || !json.Valid(data) {
		return phxMessage{}, false
	}
	var p phxMessage
	var topic, event []byte
	i := skipSpace(data, 0)
	switch data[i] {
	case '[':
		p.array = true
		n := 0
		elements(data, i, func(k int, v span) {
			n++
			raw := data[v.start:v.end]
			switch k {
			case 0:
				p.joinRef, p.joinRefAt = phxRef(raw), v
			case 1:
				p.ref, p.refAt = phxRef(raw), v
			case 2:
				topic = raw
			case 3:
				event = raw
			case 4:
				p.payload = raw
			}
		})
		if n != 5 {
			return phxMessage{}, false
		}
	case '{':
		members(data, i, func(key string, v span) {
			raw := data[v.start:v.end]
			switch key {
			case "join_ref":
				p.joinRef, p.joinRefAt = phxRef(raw), v
			case "ref":
				p.ref, p.refAt = phxRef(raw), v
			case "topic":
				topic = raw
			case "event":
				event = raw
			case "payload":
				p.payload = raw
			}
		})
	default:
		return phxMessage{}, false
	}
	if json.Unmarshal(topic, &p.topic) != nil || json.Unmarshal(event, &p.event) != nil || p.event == "" {
		return phxMessage{}, false
	}
	return p, true
}

// phxRef returns a ref's JSON text, nil for null or a value no ref is.
func phxRef(raw []byte) []byte {
	if _, ok := scalarID(raw); ok {
		return raw
	}
	return nil
}

// status returns a phx_reply's status ("ok", "error"), "" for none.
func (p phxMessage) status() string {
	var r struct {
		Status string `json:"status"`
	}
	if p.event != "phx_reply" || json.Unmarshal(p.payload, &r) != nil {
		return ""
	}
	return r.Status
}

func (p phxMessage) heartbeat() bool {
	return p.topic == "phoenix" && (p.event == "heartbeat" || p.event == "phx_reply")
}

// Describe reads a message's event as Kind, topic as Channel, ref as ID,
// and a reply's status as Name; the summary ends with the payload. A
// heartbeat and its reply are heartbeats.
func (Phoenix) Describe(m Message) Description {
	p, ok := parsePhoenix(m)
	if !ok {
		return Description{}
	}
	d := Description{Kind: p.event, Channel: p.topic, Name: p.status(), ID: scalarText(p.ref), Heartbeat: p.heartbeat()}
	parts := []string{p.event, jsonQuote(p.topic)}
	if p.ref != nil {
		parts = append(parts, "ref "+string(p.ref))
	}
	if p.joinRef != nil {
		parts = append(parts, "join_ref "+string(p.joinRef))
	}
	if len(p.payload) > 0 && string(p.payload) != "{}" && string(p.payload) != "null" {
		parts = append(parts, string(p.payload))
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// ReplyHeartbeat answers a client's heartbeat with a phx_reply of status
// "ok" under the heartbeat's own ref, in the serializer it came in.
func (Phoenix) ReplyHeartbeat(m Message) (Message, bool) {
	p, ok := parsePhoenix(m)
	if m.Dir != format.Send || !ok || p.topic != "phoenix" || p.event != "heartbeat" {
		return Message{}, false
	}
	ref := p.ref
	if ref == nil {
		ref = []byte("null")
	}
	var reply string
	if p.array {
		reply = `[null,` + string(ref) + `,"phoenix","phx_reply",{"status":"ok","response":{}}]`
	} else {
		reply = `{"topic":"phoenix","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":` + string(ref) + `}`
	}
	return Message{Dir: format.Receive, Data: []byte(reply)}, true
}

// Request reads a client's push that has a ref (heartbeats are answered
// live and choose none): the same topic and event are the same request.
// Its ref is echoed by its phx_reply; a join's ref is also the channel's
// join_ref, which the server's messages on the channel echo.
func (Phoenix) Request(m Message) (Request, bool) {
	p, ok := parsePhoenix(m)
	if m.Dir != format.Send || !ok || p.ref == nil || p.heartbeat() {
		return Request{}, false
	}
	ref, _ := scalarID(p.ref)
	r := Request{Same: p.topic + "\x00" + p.event, IDs: []ID{{Scope: "ref", Value: ref}}}
	if p.event == "phx_join" {
		jr := ref // the 1.0.0 serializer may leave join_ref out: a join's ref is its join_ref
		if p.joinRef != nil {
			jr, _ = scalarID(p.joinRef)
		}
		r.IDs = append(r.IDs, ID{Scope: "join_ref", Value: jr})
	}
	return r, true
}

// phxEchoes returns what a server message echoes, each with where it is:
// a phx_reply its ref, and any message on a joined channel its join_ref.
// A heartbeat's reply echoes nothing: heartbeats are answered live.
func phxEchoes(m Message) ([]ID, []span) {
	p, ok := parsePhoenix(m)
	if m.Dir != format.Receive || !ok || p.heartbeat() {
		return nil, nil
	}
	var ids []ID
	var at []span
	if p.event == "phx_reply" && p.ref != nil {
		ref, _ := scalarID(p.ref)
		ids, at = append(ids, ID{Scope: "ref", Value: ref}), append(at, p.refAt)
	}
	if p.joinRef != nil {
		jr, _ := scalarID(p.joinRef)
		ids, at = append(ids, ID{Scope: "join_ref", Value: jr}), append(at, p.joinRefAt)
	}
	return ids, at
}

// Echoes returns the ref a phx_reply echoes and the join_ref of a message
// on a joined channel.
func (Phoenix) Echoes(m Message) []ID {
	ids, _ := phxEchoes(m)
	return ids
}

// Rewrite gives a server message the live client's ref and join_ref.
func (Phoenix) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	ids, at := phxEchoes(m)
	var edits []edit
	for i, id := range ids {
		if v, ok := to(id); ok && v != id.Value && validScalar(v) {
			edits = append(edits, edit{at[i], []byte(v)})
		}
	}
	return splice(m.Data, edits)
}
