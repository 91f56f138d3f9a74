package protocol

import (
	"encoding/json"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// GraphQLTransportWS is the profile of GraphQL over WebSocket as the
// graphql-ws library speaks it (subprotocol "graphql-transport-ws"; the
// protocol document is PROTOCOL.md of enisdenjo/graphql-ws). Messages are
// JSON objects with a "type": connection_init, connection_ack, ping, pong,
// subscribe, next, error, complete; the last four carry the operation's
// "id", which the client chooses (a fresh UUID per operation).
//
// Either side may ping; the other answers pong. A ping the client starts
// is answered at once (HeartbeatReplier). A subscribe is the same request
// as a recorded one when its operation name and query are the same; its
// id is echoed by next, error and complete (Echoer).
type GraphQLTransportWS struct{}

// Name returns "graphql-transport-ws", the subprotocol.
func (GraphQLTransportWS) Name() string { return "graphql-transport-ws" }

// Recognize reports the subprotocol "graphql-transport-ws", or with no
// subprotocol, a client that begins with connection_init and a subscribe
// or next.
func (GraphQLTransportWS) Recognize(o Opening) bool {
	return recognizeGraphQL(o, "graphql-transport-ws", "subscribe", "next")
}

// Describe reads a message's type, id, and for a subscribe its operation
// (the operation name, or else the name in its query, or its kind) and
// variables; the summary ends with the payload of other messages.
func (GraphQLTransportWS) Describe(m Message) Description {
	return describeGraphQL(m, "subscribe", "ping", "pong")
}

// ReplyHeartbeat answers a client's ping with a pong (a ping's payload is
// not echoed: the protocol leaves the pong's payload to the server).
func (GraphQLTransportWS) ReplyHeartbeat(m Message) (Message, bool) {
	if m.Dir != format.Send || graphQLType(m) != "ping" {
		return Message{}, false
	}
	return Message{Dir: format.Receive, Data: []byte(`{"type":"pong"}`)}, true
}

// Request reads a subscribe: the same operation name and query are the
// same request; its id is the one next, error and complete echo.
func (GraphQLTransportWS) Request(m Message) (Request, bool) {
	return graphQLRequest(m, "subscribe")
}

// Echoes returns the id of a next, error or complete from the server.
func (GraphQLTransportWS) Echoes(m Message) []ID {
	return graphQLEchoes(m, "next", "error", "complete")
}

// Rewrite gives a next, error or complete the id to() names.
func (GraphQLTransportWS) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	return graphQLRewrite(m, to, "next", "error", "complete")
}

// SubscriptionsTransportWS is the profile of the older GraphQL over
// WebSocket protocol of Apollo's subscriptions-transport-ws (subprotocol
// "graphql-ws", which the newer protocol's library is confusingly named
// after): connection_init, connection_ack, connection_error, ka (the
// server's keep-alive), start, data, error, complete, stop,
// connection_terminate. A start is answered by data, error and complete
// under its id.
type SubscriptionsTransportWS struct{}

// Name returns "subscriptions-transport-ws", the library's name: its
// subprotocol "graphql-ws" would be mistaken for the newer protocol's
// library.
func (SubscriptionsTransportWS) Name() string { return "subscriptions-transport-ws" }

// Recognize reports the subprotocol "graphql-ws", or with no subprotocol,
// a client that begins with connection_init and a start or ka.
func (SubscriptionsTransportWS) Recognize(o Opening) bool {
	return recognizeGraphQL(o, "graphql-ws", "start", "ka")
}

// Describe reads a message's type, id, and for a start its operation; a
// ka is a heartbeat.
func (SubscriptionsTransportWS) Describe(m Message) Description {
	return describeGraphQL(m, "start", "ka", "")
}

// SendHeartbeat gives the server's ka. The protocol leaves its interval to
// the server (the library's keepAlive option), so it is the recording's:
// Interval zero.
func (SubscriptionsTransportWS) SendHeartbeat(Opening) (Beat, bool) {
	return Beat{Message: Message{Dir: format.Receive, Data: []byte(`{"type":"ka"}`)}}, true
}

// Request reads a start, as GraphQLTransportWS reads a subscribe.
func (SubscriptionsTransportWS) Request(m Message) (Request, bool) {
	return graphQLRequest(m, "start")
}

// Echoes returns the id of a data, error or complete from the server.
func (SubscriptionsTransportWS) Echoes(m Message) []ID {
	return graphQLEchoes(m, "data", "error", "complete")
}

// Rewrite gives a data, error or complete the id to() names.
func (SubscriptionsTransportWS) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	return graphQLRewrite(m, to, "data", "error", "complete")
}

// graphQLMessage is what the GraphQL profiles read of a message.
type graphQLMessage struct {
	Type    string
	ID      *string // nil: no "id", or not a string
	Payload json.RawMessage
}

// parseGraphQL reads m as a GraphQL over WebSocket message: a text JSON
// object with a string "type". Member names are matched exactly, as a
// JavaScript client reads them (encoding/json's struct fields would also
// take "Type"); of a member given twice, the last counts, as there.
func parseGraphQL(m Message) (graphQLMessage, bool) {
	var obj map[string]json.RawMessage
	if m.Binary || len(m.Data) == 0 || m.Data[0] != '{' || json.Unmarshal(m.Data, &obj) != nil {
		return graphQLMessage{}, false
	}
	var g graphQLMessage
	if json.Unmarshal(obj["type"], &g.Type) != nil || g.Type == "" {
		return graphQLMessage{}, false
	}
	var id string
	if json.Unmarshal(obj["id"], &id) == nil && obj["id"] != nil && string(obj["id"]) != "null" {
		g.ID = &id
	}
	g.Payload = obj["payload"]
	return g, true
}

func graphQLType(m Message) string {
	g, _ := parseGraphQL(m)
	return g.Type
}

// recognizeGraphQL reports the subprotocol, or with none, messages only
// this protocol has: the client's first message a connection_init (both
// protocols begin so), and a message of a type in only. An application's
// own {"type":"subscribe"} messages alone are not taken for GraphQL.
func recognizeGraphQL(o Opening, subprotocol string, only ...string) bool {
	if o.Subprotocol != "" {
		return o.Subprotocol == subprotocol
	}
	initFirst := false
	for _, m := range o.First {
		t := graphQLType(m)
		if m.Dir == format.Send && !initFirst {
			if t != "connection_init" {
				return false
			}
			initFirst = true
		}
		if initFirst && oneOf(t, only) {
			return true
		}
	}
	return false
}

func describeGraphQL(m Message, start, ping, pong string) Description {
	g, ok := parseGraphQL(m)
	if !ok {
		return Description{}
	}
	d := Description{Kind: g.Type, Heartbeat: g.Type == ping || g.Type == pong && pong != ""}
	if g.ID != nil {
		d.ID = *g.ID
	}
	if g.Type == start {
		d.Name = operationName(g.Payload)
	}
	parts := []string{g.Type}
	if d.Name != "" {
		parts = append(parts, d.Name)
	}
	if g.ID != nil {
		parts = append(parts, "id "+jsonQuote(d.ID))
	}
	switch {
	case g.Type == start:
		if v := variables(g.Payload); v != "" {
			parts = append(parts, v)
		}
	case len(g.Payload) > 0 && string(g.Payload) != "null":
		parts = append(parts, string(g.Payload))
	}
	d.Summary = strings.Join(parts, " ")
	return d
}

// operationName names a subscribe's operation: its operationName, or the
// name in its query ("subscription OnPrice { ... }"), or its kind alone.
func operationName(payload json.RawMessage) string {
	var p struct {
		OperationName string `json:"operationName"`
		Query         string `json:"query"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return ""
	}
	if p.OperationName != "" {
		return p.OperationName
	}
	f := strings.FieldsFunc(p.Query, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '{' || r == '(' || r == ','
	})
	switch {
	case len(f) >= 2 && (f[0] == "query" || f[0] == "mutation" || f[0] == "subscription"):
		return f[1]
	case len(f) >= 1 && (f[0] == "query" || f[0] == "mutation" || f[0] == "subscription"):
		return f[0]
	case strings.HasPrefix(strings.TrimSpace(p.Query), "{"):
		return "query" // the shorthand of an anonymous query
	}
	return ""
}

// variables returns an operation's variables as JSON, "" if none.
func variables(payload json.RawMessage) string {
	var p struct {
		Variables json.RawMessage `json:"variables"`
	}
	if json.Unmarshal(payload, &p) != nil || len(p.Variables) == 0 || string(p.Variables) == "null" || string(p.Variables) == "{}" {
		return ""
	}
	return string(p.Variables)
}

func graphQLRequest(m Message, start string) (Request, bool) {
	g, ok := parseGraphQL(m)
	if !ok || m.Dir != format.Send || g.Type != start || g.ID == nil {
		return Request{}, false
	}
	var p struct {
		OperationName string `json:"operationName"`
		Query         string `json:"query"`
	}
	json.Unmarshal(g.Payload, &p) // an unreadable payload is one "same" of its own: empty
	return Request{Same: p.OperationName + "\x00" + p.Query, IDs: []ID{{Scope: "id", Value: *g.ID}}}, true
}

func graphQLEchoes(m Message, replies ...string) []ID {
	g, ok := parseGraphQL(m)
	if !ok || m.Dir != format.Receive || g.ID == nil || !oneOf(g.Type, replies) {
		return nil
	}
	return []ID{{Scope: "id", Value: *g.ID}}
}

func graphQLRewrite(m Message, to func(ID) (string, bool), replies ...string) []byte {
	ids := graphQLEchoes(m, replies...)
	if len(ids) == 0 {
		return m.Data
	}
	v, ok := to(ids[0])
	if !ok || v == ids[0].Value {
		return m.Data
	}
	out, ok := setTopString(m.Data, "id", v)
	if !ok {
		return m.Data
	}
	return out
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
