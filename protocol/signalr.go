package protocol

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// SignalR is the profile of ASP.NET Core SignalR's JSON hub protocol over
// a WebSocket (dotnet/aspnetcore, HubProtocol.md). Every message is a JSON
// object ended by the record separator 0x1e, and a WebSocket message may
// hold several (Framer). The client begins with the handshake
// {"protocol":"json","version":1}, the server answers {} (or an
// "error"); then each message has a numeric "type": 1 Invocation, 2
// StreamItem, 3 Completion, 4 StreamInvocation, 5 CancelInvocation, 6
// Ping, 7 Close, 8 Ack, 9 Sequence.
//
// The server pings every 15 s (HeartbeatSender); the client's own pings
// need no answer. The server's StreamItems and Completion carry the
// "invocationId" of the client's Invocation or StreamInvocation (Echoer):
// the same request is a call of the same hub method (target).
type SignalR struct{}

// Name returns "signalr".
func (SignalR) Name() string { return "signalr" }

// signalRSep ends every message of the protocol's text encoding.
const signalRSep = 0x1e

// Recognize reports a session whose client begins with the JSON hub
// protocol's handshake. SignalR offers no subprotocol; its negotiate
// request and its path are the application's.
func (SignalR) Recognize(o Opening) bool {
	for _, m := range o.First {
		if m.Dir != format.Send {
			continue
		}
		first := firstRecord(m, signalRSep)
		body, sep := withoutSep(first.Data, signalRSep)
		var hs struct {
			Protocol *string `json:"protocol"`
		}
		return !m.Binary && sep != nil && json.Unmarshal(body, &hs) == nil && hs.Protocol != nil && *hs.Protocol == "json"
	}
	return false
}

// Inject writes an invocation of the client method event with args, as a
// hub's Clients.Caller.SendAsync(event, args...) sends it: the JSON record
// {"type":1,"target":event,"arguments":args} and its 0x1e.
func (SignalR) Inject(event string, args []json.RawMessage) (Message, error) {
	if event == "" {
		return Message{}, errors.New("give the client method to invoke (its target)")
	}
	if args == nil {
		args = []json.RawMessage{}
	}
	b, err := json.Marshal(struct {
		Type      int               `json:"type"`
		Target    string            `json:"target"`
		Arguments []json.RawMessage `json:"arguments"`
	}{1, event, args})
	if err != nil { // an argument that is not JSON
		return Message{}, err
	}
	return Message{Dir: format.Receive, Data: append(b, signalRSep)}, nil
}

// signalRMsg is what the profile reads of one message.
type signalRMsg struct {
	obj          map[string]json.RawMessage
	typ          int // 0: none (the handshake)
	invocationID *string
	target       string
}

// parseSignalR reads one record: a text JSON object, its 0x1e optional.
func parseSignalR(m Message) (signalRMsg, bool) {
	body, _ := withoutSep(m.Data, signalRSep)
	var s signalRMsg
	if m.Binary || json.Unmarshal(body, &s.obj) != nil || s.obj == nil {
		return signalRMsg{}, false
	}
	if raw, ok := s.obj["type"]; ok && (json.Unmarshal(raw, &s.typ) != nil || s.typ <= 0) {
		return signalRMsg{}, false
	}
	var id string
	if raw := s.obj["invocationId"]; raw != nil && json.Unmarshal(raw, &id) == nil && string(raw) != "null" {
		s.invocationID = &id
	}
	json.Unmarshal(s.obj["target"], &s.target)
	return s, true
}

var signalRTypes = []string{"", "Invocation", "StreamItem", "Completion", "StreamInvocation", "CancelInvocation",
	"Ping", "Close", "Ack", "Sequence"}

// Describe reads the first message of a WebSocket message: its type
// (the handshake is "handshake"), an invocation's target as Name, its
// invocationId as ID; pings are heartbeats.
func (SignalR) Describe(m Message) Description {
	return describeRecords(m, signalRSep, describeSignalR)
}

func describeSignalR(m Message) Description {
	s, ok := parseSignalR(m)
	if !ok {
		return Description{}
	}
	if s.typ == 0 {
		return describeSignalRHandshake(s)
	}
	if s.typ >= len(signalRTypes) {
		return Description{Kind: "type " + strconv.Itoa(s.typ), Summary: "type " + strconv.Itoa(s.typ)}
	}
	d := Description{Kind: signalRTypes[s.typ], Name: s.target, Heartbeat: s.typ == 6}
	parts := []string{d.Kind}
	if d.Name != "" {
		parts = append(parts, strconv.Quote(d.Name))
	}
	if s.invocationID != nil {
		d.ID = *s.invocationID
		parts = append(parts, "id "+strconv.Quote(d.ID))
	}
	for _, k := range []string{"arguments", "item", "result", "error", "sequenceId"} {
		if v, ok := s.obj[k]; ok {
			parts = append(parts, k+" "+string(v))
		}
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// describeSignalRHandshake reads the handshake request or its answer.
func describeSignalRHandshake(s signalRMsg) Description {
	parts := []string{"handshake"}
	for _, k := range []string{"protocol", "version", "error"} {
		if v, ok := s.obj[k]; ok {
			parts = append(parts, k+" "+string(v))
		}
	}
	switch {
	case len(s.obj) == 0:
		parts = append(parts, "ok") // the server's answer: {}
	case len(parts) == 1:
		return Description{} // an object of nothing the protocol has
	}
	return Description{Kind: "handshake", Summary: strings.Join(parts, " ")}
}

// SendHeartbeat returns the server's Ping at the interval the recording
// shows (a server setting, KeepAliveInterval, that the protocol does not
// announce), every 15 s, ASP.NET Core's default, when it shows none.
func (SignalR) SendHeartbeat(Opening) (Beat, bool) {
	return Beat{Interval: 15 * time.Second, Learn: true, Message: Message{Dir: format.Receive, Data: []byte("{\"type\":6}\x1e")}}, true
}

// Request reads the first message of a client's WebSocket message: an
// Invocation or StreamInvocation with an invocationId (a call that wants
// no result has none). The same request calls the same target.
func (SignalR) Request(m Message) (Request, bool) {
	s, ok := parseSignalR(firstRecord(m, signalRSep))
	if !ok || m.Dir != format.Send || s.typ != 1 && s.typ != 4 || s.invocationID == nil {
		return Request{}, false
	}
	return Request{Same: strconv.Quote(s.target), IDs: []ID{{Scope: "invocationId", Value: *s.invocationID}}}, true
}

// Echoes returns the invocationId of each StreamItem and Completion of a
// server message.
func (SignalR) Echoes(m Message) []ID {
	return echoesRecords(m, signalRSep, func(r Message) []ID {
		if s, ok := parseSignalR(r); ok && r.Dir == format.Receive && (s.typ == 2 || s.typ == 3) && s.invocationID != nil {
			return []ID{{Scope: "invocationId", Value: *s.invocationID}}
		}
		return nil
	})
}

// Rewrite gives each StreamItem and Completion of a server message the
// invocationId to() names.
func (p SignalR) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	return rewriteRecords(m, signalRSep, func(r Message) []byte {
		ids := p.Echoes(r)
		if len(ids) == 0 {
			return r.Data
		}
		v, ok := to(ids[0])
		if !ok || v == ids[0].Value {
			return r.Data
		}
		body, tail := withoutSep(r.Data, signalRSep)
		out, ok := setTopString(body, "invocationId", v)
		if !ok {
			return r.Data
		}
		return append(out, tail...)
	})
}

// NewSplitter returns a Splitter that cuts a WebSocket message after
// each record separator.
func (SignalR) NewSplitter() Splitter { return recordSplitter{sep: signalRSep} }
