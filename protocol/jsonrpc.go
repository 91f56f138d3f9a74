package protocol

import (
	"encoding/json"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// JSONRPC is the profile of JSON-RPC 2.0 (the specification at
// jsonrpc.org) over a WebSocket, each message one request, notification,
// response, or a batch (an array) of them. Every object carries
// "jsonrpc":"2.0"; a request has a "method" and an "id" the client chose
// (a string or a number), a notification a method and no id, and a
// response the request's id with a "result" or an "error".
//
// A session is JSON-RPC when one of its first messages is a JSON-RPC 2.0
// object or batch, whatever its subprotocol (there is no standard one).
// A request is the same as a recorded one when its method is; a batch
// when its requests' methods are, in order (a batch of one request is the
// same as that request alone). The responses echo the ids, which a
// rewrite replaces by the live client's, of the JSON type the live client
// used. Requests the server makes of the client (JSON-RPC is symmetric)
// choose server ids and are not followed. An ID's Value is the id's JSON
// text ("\"a1\"" or "7"), so that the type is kept.
type JSONRPC struct{}

// Name returns "jsonrpc".
func (JSONRPC) Name() string { return "jsonrpc" }

// Recognize reports a session one of whose first messages is JSON-RPC
// 2.0: an object with "jsonrpc":"2.0" and a method, a result or an error,
// or a batch of them.
func (JSONRPC) Recognize(o Opening) bool {
	for _, m := range o.First {
		if len(parseJSONRPC(m)) > 0 {
			return true
		}
	}
	return false
}

// rpcMessage is what JSONRPC reads of one object of a message.
type rpcMessage struct {
	method string
	id     []byte // the id's JSON text; nil: none (a notification), or null
	result []byte // nil: none
	err    []byte // nil: none
	params []byte
}

// parseJSONRPC reads m as JSON-RPC 2.0: one object, or a batch of them;
// nil when m is not JSON-RPC 2.0 (a batch must be all of it). Member names
// are matched exactly and a member given twice counts last, as a
// JavaScript client reads them.
func parseJSONRPC(m Message) []rpcMessage {
	data := m.Data
	if m.Binary || !json.Valid(data) {
		return nil
	}
	i := skipSpace(data, 0)
	if i < len(data) && data[i] == '[' {
		var batch []rpcMessage
		ok := true
		elements(data, i, func(_ int, v span) {
			r, isRPC := parseRPCObject(data, v.start)
			ok = ok && isRPC
			batch = append(batch, r)
		})
		if !ok {
			return nil
		}
		return batch
	}
	if r, ok := parseRPCObject(data, i); ok {
		return []rpcMessage{r}
	}
	return nil
}

func parseRPCObject(data []byte, i int) (rpcMessage, bool) {
	var r rpcMessage
	version := false
	members(data, i, func(key string, v span) {
		raw := data[v.start:v.end]
		switch key {
		case "jsonrpc":
			version = string(raw) == `"2.0"`
		case "method":
			r.method = ""
			json.Unmarshal(raw, &r.method)
		case "id":
			r.id = nil
			if _, ok := scalarID(raw); ok {
				r.id = raw
			}
		case "result":
			r.result = raw
		case "error":
			r.err = raw
		case "params":
			r.params = raw
		}
	})
	return r, version && (r.method != "" || r.result != nil || r.err != nil)
}

// kind names what an object is: "request", "notification", "result" or
// "error".
func (r rpcMessage) kind() string {
	switch {
	case r.method != "" && r.id != nil:
		return "request"
	case r.method != "":
		return "notification"
	case r.err != nil:
		return "error"
	}
	return "result"
}

func (r rpcMessage) summary() string {
	parts := []string{r.kind()}
	if r.method != "" {
		parts = append(parts, r.method)
	}
	if r.id != nil {
		parts = append(parts, "id "+string(r.id))
	}
	for _, v := range [][]byte{r.params, r.result, r.err} {
		if v != nil {
			parts = append(parts, string(v))
		}
	}
	return strings.Join(parts, " ")
}

// Describe reads an object's kind ("request", "notification", "result",
// "error"), method as Name and id; a batch is Kind "batch" with its
// methods and ids joined by commas and each object summarised.
func (JSONRPC) Describe(m Message) Description {
	rs := parseJSONRPC(m)
	switch {
	case len(rs) == 0:
		return Description{}
	case m.Data[skipSpace(m.Data, 0)] == '{':
		r := rs[0]
		return Description{Kind: r.kind(), Name: r.method, ID: scalarText(r.id), Summary: r.summary()}
	}
	var names, ids, sums []string
	for _, r := range rs {
		if r.method != "" {
			names = append(names, r.method)
		}
		if r.id != nil {
			ids = append(ids, scalarText(r.id))
		}
		sums = append(sums, r.summary())
	}
	return Description{Kind: "batch", Name: strings.Join(names, ","), ID: strings.Join(ids, ","),
		Summary: "batch [" + strings.Join(sums, "; ") + "]"}
}

// Request reads a client's request, or a batch with requests: the same
// method (methods, in order) is the same request; its ids are those the
// responses echo. A notification chooses none.
func (JSONRPC) Request(m Message) (Request, bool) {
	if m.Dir != format.Send {
		return Request{}, false
	}
	var r Request
	var methods []string
	for _, o := range parseJSONRPC(m) {
		if o.kind() != "request" {
			continue
		}
		id, _ := scalarID(o.id)
		methods = append(methods, o.method)
		r.IDs = append(r.IDs, ID{Scope: "id", Value: id})
	}
	if len(r.IDs) == 0 {
		return Request{}, false
	}
	r.Same = strings.Join(methods, "\x00")
	return r, true
}

// Echoes returns the ids of a server's responses (a batch's too).
func (JSONRPC) Echoes(m Message) []ID {
	if m.Dir != format.Receive {
		return nil
	}
	var ids []ID
	for _, o := range parseJSONRPC(m) {
		if o.method == "" && o.id != nil {
			id, _ := scalarID(o.id)
			ids = append(ids, ID{Scope: "id", Value: id})
		}
	}
	return ids
}

// Rewrite gives each response the id to() names: the live client's JSON
// text, so a number stays a number and a string a string.
func (JSONRPC) Rewrite(m Message, to func(ID) (string, bool)) []byte {
	if m.Dir != format.Receive || len(parseJSONRPC(m)) == 0 {
		return m.Data
	}
	data := m.Data
	var edits []edit
	rewrite := func(i int) {
		r, ok := parseRPCObject(data, i)
		if !ok || r.method != "" || r.id == nil {
			return
		}
		id, _ := scalarID(r.id)
		v, ok := to(ID{Scope: "id", Value: id})
		if !ok || v == id || !validScalar(v) {
			return
		}
		if s, ok := topMember(data[i:valueEnd(data, i)], "id"); ok {
			edits = append(edits, edit{span{i + s.start, i + s.end}, []byte(v)})
		}
	}
	i := skipSpace(data, 0)
	if data[i] == '[' {
		elements(data, i, func(_ int, v span) { rewrite(v.start) })
	} else {
		rewrite(i)
	}
	return splice(data, edits)
}

// validScalar reports whether v is the JSON text of one string or number,
// what an id may be replaced with.
func validScalar(v string) bool {
	_, ok := scalarID([]byte(v))
	return ok && json.Valid([]byte(v))
}
