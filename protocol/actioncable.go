package protocol

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// ActionCable is the profile of Rails' Action Cable protocol (subprotocol
// "actioncable-v1-json"; the protocol as AnyCable's "Action Cable
// Protocol" document writes it down). Server messages carry a "type"
// (welcome, ping, confirm_subscription, reject_subscription, disconnect)
// or, for data, an "identifier" and a "message"; client messages carry a
// "command" (subscribe, unsubscribe, message) and an "identifier": a
// string the client makes, JSON of the channel and its parameters
// ({"channel":"ChatChannel","id":42}).
//
// The server pings every 3 s with its Unix time (HeartbeatSender; the
// live beat carries the time it is sent). The server's confirm and
// reject, and the channel's data messages, carry the identifier of the
// client's subscribe (Echoer): the same request is the same command for
// the same channel.
type ActionCable struct{}

// Name returns "actioncable".
func (ActionCable) Name() string { return "actioncable" }

// Recognize reports the subprotocol "actioncable-v1-json" (or AnyCable's
// extended "actioncable-v1-ext-json"), or with no subprotocol, a server
// that begins with a welcome and a client that sends a command with an
// identifier.
func (ActionCable) Recognize(o Opening) bool {
	if o.Subprotocol != "" {
		return o.Subprotocol == "actioncable-v1-json" || o.Subprotocol == "actioncable-v1-ext-json"
	}
	welcome, command := false, false
	for _, m := range o.First {
		a, ok := parseActionCable(m)
		switch {
		case !ok:
		case m.Dir == format.Receive && !welcome:
			welcome = a.Type == "welcome"
			if !welcome {
				return false
			}
		case m.Dir == format.Send:
			command = command || a.Command != "" && a.Identifier != nil
		}
	}
	return welcome && command
}

// actionCableMsg is what the profile reads of a message.
type actionCableMsg struct {
	Type, Command string
	Identifier    *string // nil: none, or not a string
	Message, Data json.RawMessage
}

// parseActionCable reads a text JSON object; member names exactly, the
// last of a member given twice, as the JavaScript client reads them.
func parseActionCable(m Message) (actionCableMsg, bool) {
	var obj map[string]json.RawMessage
	if m.Binary || json.Unmarshal(m.Data, &obj) != nil || obj == nil {
		return actionCableMsg{}, false
	}
	var a actionCableMsg
	json.Unmarshal(obj["type"], &a.Type)
	json.Unmarshal(obj["command"], &a.Command)
	var id string
	if json.Unmarshal(obj["identifier"], &id) == nil && obj["identifier"] != nil && string(obj["identifier"]) != "null" {
		a.Identifier = &id
	}
	a.Message, a.Data = obj["message"], obj["data"]
	return a, true
}

// channel returns the "channel" of the identifier's JSON, or the
// identifier itself when it is not such JSON.
func (a actionCableMsg) channel() string {
	if a.Identifier == nil {
		return ""
	}
	var id struct {
		Channel string `json:"channel"`
	}
	if json.Unmarshal([]byte(*a.Identifier), &id) == nil && id.Channel != "" {
		return id.Channel
	}
	return *a.Identifier
}

// Describe reads a message: the server's type (a data message is
// "message"), the client's command; the channel of its identifier as
// Channel and the identifier as ID; a client message's action as Name. A
// ping is a heartbeat.
func (ActionCable) Describe(m Message) Description {
	a, ok := parseActionCable(m)
	if !ok {
		return Description{}
	}
	d := Description{Kind: a.Type, Channel: a.channel()}
	if a.Identifier != nil {
		d.ID = *a.Identifier
	}
	detail := ""
	switch {
	case m.Dir == format.Send && a.Command != "":
		d.Kind = a.Command
		d.Name, detail = actionCableAction(a.Data), actionCableData(a.Data)
	case a.Type == "" && a.Identifier != nil && a.Message != nil:
		d.Kind, detail = "message", string(a.Message)
	case a.Type == "ping":
		d.Heartbeat, detail = true, string(a.Message)
	case a.Type != "":
		detail = string(a.Message)
	default:
		return Description{}
	}
	parts := []string{d.Kind}
	for _, s := range []string{d.Channel, d.Name} {
		if s != "" {
			parts = append(parts, strconv.Quote(s))
		}
	}
	if detail != "" {
		parts = append(parts, detail)
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// actionCableData returns a client message's data: a string of JSON,
// shown as that JSON.
func actionCableData(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// actionCableAction returns the "action" in a client message's data.
func actionCableAction(raw json.RawMessage) string {
	var s string
	var data struct {
		Action string `json:"action"`
	}
	if json.Unmarshal(raw, &s) == nil && json.Unmarshal([]byte(s), &data) == nil {
		return data.Action
	}
	return ""
}

// SendHeartbeat returns the server's ping, every 3 s (Action Cable's
// beat interval), carrying the Unix time it is sent.
func (ActionCable) SendHeartbeat(Opening) (Beat, bool) {
	return Beat{Interval: 3 * time.Second, Message: actionCablePing(time.Now()), At: actionCablePing}, true
}

func actionCablePing(now time.Time) Message {
	return Message{Dir: format.Receive, Data: []byte(`{"type":"ping","message":` + strconv.FormatInt(now.Unix(), 10) + `}`)}
}

// Request reads a client's subscribe: the same request subscribes to the
// same channel; its identifier is what the server's answers carry.
func (ActionCable) Request(m Message) (Request, bool) {
	a, ok := parseActionCable(m)
	if !ok || m.Dir != format.Send || a.Command != "subscribe" || a.Identifier == nil {
		return Request{}, false
	}
	return Request{Same: "subscribe " + strconv.Quote(a.channel()), IDs: []ID{{Scope: "identifier", Value: *a.Identifier}}}, true
}

// Echoes returns the identifier of a server message that carries one: a
// confirm or reject of a subscription, or the channel's data.
func (ActionCable) Echoes(m Message) []ID {
	a, ok := parseActionCable(m)
	if !ok || m.Dir != format.Receive || a.Identifier == nil {
		return nil
	}
	return []ID{{Scope: "identifier", Value: *a.Identifier}}
}

// Rewrite gives a server message the identifier to() names.
func (c ActionCable) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	ids := c.Echoes(m)
	if len(ids) == 0 {
		return m.Data
	}
	v, ok := to(ids[0])
	if !ok || v == ids[0].Value {
		return m.Data
	}
	out, ok := setTopString(m.Data, "identifier", v)
	if !ok {
		return m.Data
	}
	return out
}
