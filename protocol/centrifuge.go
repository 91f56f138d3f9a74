package protocol

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// Centrifuge is the profile of the JSON client protocol v2 of Centrifuge
// and Centrifugo (centrifugal.dev, "Client protocol"; the protobuf schema
// client.proto is its source of truth). The client sends commands, a JSON
// object with an "id" (a uint32 the client counts up) and one member
// naming the method: {"id":2,"subscribe":{"channel":"news"}}. The server
// answers under the same "id", with the method's result under the same
// member or an "error"; pushes come without an id: {"push":{"channel":
// "news","pub":{...}}}. Several replies may share one WebSocket message,
// separated by '\n' (Framer).
//
// The server pings: an empty object {} every 25 s, or the "ping" seconds
// of its connect reply (HeartbeatSender); the client answers {} (a pong,
// which needs no reply). A reply echoes its command's id (Echoer): the
// same request is the same method on the same channel (an RPC: the same
// RPC method).
type Centrifuge struct{}

// Name returns "centrifuge".
func (Centrifuge) Name() string { return "centrifuge" }

// Recognize reports the subprotocol "centrifuge-json", or with no
// subprotocol a WebSocket on a path ending in /connection/websocket, the
// endpoint Centrifugo and the library's examples serve (JSON, unless the
// query asks for protobuf).
func (Centrifuge) Recognize(o Opening) bool {
	if o.Subprotocol != "" {
		return o.Subprotocol == "centrifuge-json"
	}
	return o.Kind == format.KindWebSocket && o.URL != nil && strings.HasSuffix(o.URL.Path, "/connection/websocket") &&
		o.URL.Query().Get("format") != "protobuf"
}

// centrifugeMethods are the members that name a command's method, and its
// reply's result (client.proto, Command and Reply).
var centrifugeMethods = []string{"connect", "subscribe", "unsubscribe", "publish", "presence", "presence_stats",
	"history", "ping", "send", "rpc", "refresh", "sub_refresh"}

// centrifugeMsg is what the profile reads of one command, reply or push.
type centrifugeMsg struct {
	obj    map[string]json.RawMessage
	id     string // the id as a decimal number; "" if none
	method string // the member naming the method; "" if none
	body   json.RawMessage
}

// parseCentrifuge reads one record (a '\n' may end it) as a JSON object.
func parseCentrifuge(m Message) (centrifugeMsg, bool) {
	b, _ := withoutSep(m.Data, '\n')
	var c centrifugeMsg
	if m.Binary || json.Unmarshal(b, &c.obj) != nil || c.obj == nil {
		return centrifugeMsg{}, false
	}
	var id uint32
	if raw, ok := c.obj["id"]; ok && json.Unmarshal(raw, &id) == nil && id != 0 {
		c.id = strconv.FormatUint(uint64(id), 10)
	}
	for _, k := range centrifugeMethods {
		if body, ok := c.obj[k]; ok {
			c.method, c.body = k, body
			break
		}
	}
	return c, true
}

// field returns a string member of the method's body ("channel").
func (c centrifugeMsg) field(name string) string {
	var v map[string]json.RawMessage
	var s string
	if json.Unmarshal(c.body, &v) == nil {
		json.Unmarshal(v[name], &s)
	}
	return s
}

// Describe reads the first record of a message: a command or reply's
// method (or "error") with its id and channel (an RPC's method as Name),
// a push's type ("pub", "join", ...) and channel; {} is a heartbeat
// ("ping" from the server, "pong" from the client).
func (Centrifuge) Describe(m Message) Description {
	return describeRecords(m, '\n', describeCentrifuge)
}

func describeCentrifuge(m Message) Description {
	c, ok := parseCentrifuge(m)
	if !ok {
		return Description{}
	}
	if len(c.obj) == 0 {
		kind := map[bool]string{true: "pong", false: "ping"}[m.Dir == format.Send]
		return Description{Kind: kind, Heartbeat: true, Summary: kind}
	}
	if push, ok := c.obj["push"]; ok && c.id == "" {
		return describeCentrifugePush(push)
	}
	d := Description{Kind: c.method, ID: c.id, Channel: c.field("channel")}
	if c.method == "rpc" {
		d.Name = c.field("method")
	}
	detail := string(c.body)
	if e, ok := c.obj["error"]; ok {
		d.Kind, detail = "error", string(e)
	}
	if d.Kind == "" {
		return Description{}
	}
	parts := []string{d.Kind}
	if m.Dir == format.Receive && d.Kind != "error" {
		parts = append(parts, "reply")
	}
	for _, s := range []string{d.Channel, d.Name} {
		if s != "" {
			parts = append(parts, strconv.Quote(s))
		}
	}
	if d.ID != "" {
		parts = append(parts, "id "+d.ID)
	}
	if detail != "" && detail != "{}" {
		parts = append(parts, detail)
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// describeCentrifugePush reads a push: its type is the member beside
// "channel" (pub, join, leave, unsubscribe, message, subscribe, connect,
// disconnect, refresh).
func describeCentrifugePush(raw json.RawMessage) Description {
	var push map[string]json.RawMessage
	if json.Unmarshal(raw, &push) != nil {
		return Description{}
	}
	d := Description{Kind: "push"}
	json.Unmarshal(push["channel"], &d.Channel)
	parts := []string{"push"}
	for _, k := range []string{"pub", "join", "leave", "unsubscribe", "message", "subscribe", "connect", "disconnect", "refresh"} {
		if body, ok := push[k]; ok {
			d.Kind = k
			parts = []string{"push", k}
			if d.Channel != "" {
				parts = append(parts, strconv.Quote(d.Channel))
			}
			parts = append(parts, string(body))
			break
		}
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// SendHeartbeat returns the server's ping, {}, every "ping" seconds of
// the connect reply among the session's first messages, or every 25 s
// (the servers' default) when that reply names none. Until the connect
// reply has come it returns none (the caller asks again with more of the
// first messages, and the interval is the reply's), unless MaxFirst
// messages came without it: then the default.
func (Centrifuge) SendHeartbeat(o Opening) (Beat, bool) {
	interval, replied := 25*time.Second, false
	for _, m := range o.First {
		if m.Dir != format.Receive {
			continue
		}
		eachRecord(m, '\n', func(r Message) bool {
			c, ok := parseCentrifuge(r)
			if !ok || c.method != "connect" {
				return true
			}
			replied = true
			var connect struct {
				Ping int `json:"ping"`
			}
			if json.Unmarshal(c.body, &connect) == nil && connect.Ping > 0 {
				interval = time.Duration(connect.Ping) * time.Second
			}
			return false
		})
		if replied {
			break
		}
	}
	if !replied && len(o.First) < MaxFirst {
		return Beat{}, false
	}
	return Beat{Interval: interval, Message: Message{Dir: format.Receive, Data: []byte("{}")}}, true
}

// Request reads the first record of a client message: a command with an
// id. The same request is the same method on the same channel, or the
// same RPC method.
func (Centrifuge) Request(m Message) (Request, bool) {
	var r Request
	ok := false
	eachRecord(m, '\n', func(rec Message) bool {
		c, parsed := parseCentrifuge(rec)
		if !parsed || m.Dir != format.Send || c.id == "" || c.method == "" {
			return false
		}
		same := c.method + " " + strconv.Quote(c.field("channel"))
		if c.method == "rpc" {
			same += " " + strconv.Quote(c.field("method"))
		}
		r, ok = Request{Same: same, IDs: []ID{{Scope: "id", Value: c.id}}}, true
		return false
	})
	return r, ok
}

// Echoes returns the id of each reply in a server message.
func (Centrifuge) Echoes(m Message) []ID {
	return echoesRecords(m, '\n', func(r Message) []ID {
		if c, ok := parseCentrifuge(r); ok && r.Dir == format.Receive && c.id != "" {
			return []ID{{Scope: "id", Value: c.id}}
		}
		return nil
	})
}

// Rewrite gives each reply of a server message the id to() names (a
// number, as command ids are).
func (c Centrifuge) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	return rewriteRecords(m, '\n', func(r Message) []byte {
		ids := c.Echoes(r)
		if len(ids) == 0 {
			return r.Data
		}
		v, ok := to(ids[0])
		live, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || live == 0 || v == ids[0].Value {
			return r.Data
		}
		body, tail := withoutSep(r.Data, '\n')
		out, ok := setTopRaw(body, "id", []byte(strconv.FormatUint(live, 10)))
		if !ok {
			return r.Data
		}
		return append(out, tail...)
	})
}

// NewSplitter returns a Splitter that cuts a message into its replies.
func (Centrifuge) NewSplitter() Splitter { return recordSplitter{sep: '\n'} }
