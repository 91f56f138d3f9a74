package protocol

import "testing"

// TestJSONRPCRecognize: a session is JSON-RPC 2.0 by its first messages,
// a request, a response or a batch, never by a "jsonrpc" of another
// version or a JSON message without one.
func TestJSONRPCRecognize(t *testing.T) {
	tests := []struct {
		name  string
		first []Message
		want  bool
	}{
		{"request", []Message{send(`{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}`)}, true},
		{"notification", []Message{send(`{"jsonrpc":"2.0","method":"hello"}`)}, true},
		{"server speaks first", []Message{receive(`{"jsonrpc":"2.0","method":"welcome"}`)}, true},
		{"after another message", []Message{receive(`hello`), send(`{"id":"a","jsonrpc":"2.0","result":null}`)}, true},
		{"batch", []Message{send(`[{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"b"}]`)}, true},
		{"version 1", []Message{send(`{"method":"sum","params":[1],"id":1}`)}, false},
		{"version as a number", []Message{send(`{"jsonrpc":2.0,"method":"sum","id":1}`)}, false},
		{"no method, result or error", []Message{send(`{"jsonrpc":"2.0","id":1}`)}, false},
		{"a batch with a stranger", []Message{send(`[{"jsonrpc":"2.0","method":"a","id":1},{"x":1}]`)}, false},
		{"binary", []Message{{Binary: true, Data: []byte(`{"jsonrpc":"2.0","method":"a"}`)}}, false},
		{"no messages", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (JSONRPC{}).Recognize(Opening{First: tt.first}); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	p := Set(nil).Detect(Opening{First: []Message{send(`{"jsonrpc":"2.0","method":"sum","id":1}`)}})
	if p == nil || p.Name() != "jsonrpc" {
		t.Errorf("Default() detected %v, want jsonrpc", p)
	}
}

// TestJSONRPCDescribe: requests, notifications, results, errors and
// batches read as kind, method and id.
func TestJSONRPCDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"request", send(`{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}`),
			Description{Kind: "request", Name: "subtract", ID: "1", Summary: `request subtract id 1 [42,23]`}},
		{"string id", send(`{"jsonrpc":"2.0","method":"get","id":"a-7"}`),
			Description{Kind: "request", Name: "get", ID: "a-7", Summary: `request get id "a-7"`}},
		{"notification", send(`{"jsonrpc":"2.0","method":"update","params":{"x":1}}`),
			Description{Kind: "notification", Name: "update", Summary: `notification update {"x":1}`}},
		{"null id is none", send(`{"jsonrpc":"2.0","method":"update","id":null}`),
			Description{Kind: "notification", Name: "update", Summary: `notification update`}},
		{"result", receive(`{"jsonrpc":"2.0","result":19,"id":1}`),
			Description{Kind: "result", ID: "1", Summary: `result id 1 19`}},
		{"error", receive(`{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"1"}`),
			Description{Kind: "error", ID: "1", Summary: `error id "1" {"code":-32601,"message":"Method not found"}`}},
		{"batch", send(` [{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"b"}]`),
			Description{Kind: "batch", Name: "a,b", ID: "1", Summary: `batch [request a id 1; notification b]`}},
		{"not json-rpc", send(`{"method":"a","id":1}`), Description{}},
		{"not json", send(`{"jsonrpc":"2.0",`), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (JSONRPC{}).Describe(tt.m); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestJSONRPCPairing: a response waits for the live request of the same
// method and goes out with the live client's id, of the live client's
// JSON type; notifications choose nothing; batches pair id by id.
func TestJSONRPCPairing(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"random ids follow the client", []step{
			{op: "rec", msg: `{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"r-1"}`},
			{op: "rec", msg: `{"jsonrpc":"2.0","method":"get","id":"r-2"}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":3,"id":"r-1"}`, ready: false},
			{op: "live", msg: `{"jsonrpc":"2.0","method":"get","id":"x9"}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":{"id":"r-2"}, "id" : "r-2"}`, ready: true,
				want: `{"jsonrpc":"2.0","result":{"id":"r-2"}, "id" : "x9"}`},
			{op: "live", msg: `{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"y8"}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":3,"id":"r-1"}`, ready: true, want: `{"jsonrpc":"2.0","result":3,"id":"y8"}`},
		}},
		{"a string id becomes the live number", []step{
			{op: "rec", msg: `{"jsonrpc":"2.0","method":"m","id":"7"}`},
			{op: "live", msg: `{"jsonrpc":"2.0","method":"m","id":12}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","error":{"code":1,"message":"no"},"id":"7"}`, ready: true,
				want: `{"jsonrpc":"2.0","error":{"code":1,"message":"no"},"id":12}`},
		}},
		{"number 7 and string 7 are different ids", []step{
			{op: "rec", msg: `{"jsonrpc":"2.0","method":"m","id":7}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":1,"id":"7"}`, ready: true},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":1,"id":7}`, ready: false},
		}},
		{"notifications and server requests choose nothing", []step{
			{op: "rec", msg: `{"jsonrpc":"2.0","method":"ping"}`},
			{op: "reply", msg: `{"jsonrpc":"2.0","method":"tick","params":[1],"id":5}`, ready: true},
			{op: "reply", msg: `{"jsonrpc":"2.0","result":"ok","id":null}`, ready: true},
		}},
		{"batch ids pair in order", []step{
			{op: "rec", msg: `[{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","method":"b","id":2}]`},
			{op: "live", msg: `[{"jsonrpc":"2.0","method":"a","id":"u1"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","method":"b","id":"u2"}]`},
			{op: "reply", msg: `[{"jsonrpc":"2.0","result":"B","id":2}, {"jsonrpc":"2.0","result":"A","id":1}]`, ready: true,
				want: `[{"jsonrpc":"2.0","result":"B","id":"u2"}, {"jsonrpc":"2.0","result":"A","id":"u1"}]`},
		}},
		{"a batch of one is the same as a single call", []step{
			{op: "rec", msg: `[{"jsonrpc":"2.0","method":"a","id":1}]`},
			{op: "reply", msg: `[{"jsonrpc":"2.0","result":0,"id":1}]`, ready: false},
			{op: "live", msg: `{"jsonrpc":"2.0","method":"a","id":9}`},
			{op: "reply", msg: `[{"jsonrpc":"2.0","result":0,"id":1}]`, ready: true, want: `[{"jsonrpc":"2.0","result":0,"id":9}]`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { playSteps(t, NewPairing(JSONRPC{}), tt.steps) })
	}
}

// TestJSONRPCRewriteKeepsJSON: a replacement that is no JSON string or
// number is not written; an id inside the result is not touched.
func TestJSONRPCRewriteKeepsJSON(t *testing.T) {
	m := receive(`{"jsonrpc":"2.0","result":{"id":1},"id":1}`)
	for _, v := range []string{`x`, `{"a":1}`, `true`, `"unterminated`, ``} {
		if got := (JSONRPC{}).Rewrite(m, func(ID) (string, bool) { return v, true }); string(got) != string(m.Data) {
			t.Errorf("to %q: got %s", v, got)
		}
	}
	got := (JSONRPC{}).Rewrite(m, func(id ID) (string, bool) { return `"n"`, id == ID{"id", "1"} })
	if want := `{"jsonrpc":"2.0","result":{"id":1},"id":"n"}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
