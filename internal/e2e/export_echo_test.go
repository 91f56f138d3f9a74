package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// echoRecording writes a session on url with subprotocol sub whose
// messages are ">" (client) or "<" (server) and their text, 10 ms apart.
func echoRecording(t *testing.T, dir, url, sub string, msgs []string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"session","v":1,"session":"e1","time":"2026-11-25T10:00:00Z","url":%q,"subprotocol":%q}`+"\n", url, sub)
	for i, m := range msgs {
		dir := "receive"
		if m[0] == '>' {
			dir = "send"
		}
		text, _ := json.Marshal(m[1:])
		fmt.Fprintf(&b, `{"type":"message","session":"e1","time":"2026-11-25T10:00:00.%03dZ","dir":%q,"text":%s}`+"\n", (i+1)*10, dir, text)
	}
	p := filepath.Join(dir, "rec.ndjson")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExportFollowsIDs: the MSW module's player reads and writes ids where
// each protocol keeps them (a JSON-RPC id of another type, Phoenix's array
// refs, ActionCable's identifier, a value in a double-encoded string by the
// generic rule), pairs requests by kind whatever their order, and holds a
// reply until its request has come.
func TestExportFollowsIDs(t *testing.T) {
	need(t, false)
	needPackage(t, "msw")
	tests := []struct {
		name, url, sub string
		recorded       []string
		send, want     []string
	}{
		{"jsonrpc", "/rpc", "", []string{
			`>{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":"rec-1"}`,
			`<{"jsonrpc":"2.0","result":3,"id":"rec-1"}`,
			`>{"jsonrpc":"2.0","method":"mul","params":[2,3],"id":"rec-2"}`,
			`<{"jsonrpc":"2.0","result":6,"id":"rec-2"}`,
		}, []string{
			`{"jsonrpc":"2.0","method":"mul","params":[2,3],"id":"live-b"}`,
			`{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":7}`,
		}, []string{
			`{"jsonrpc":"2.0","result":3,"id":7}`,
			`{"jsonrpc":"2.0","result":6,"id":"live-b"}`,
		}},
		{"phoenix", "/socket/websocket?vsn=2.0.0", "", []string{
			`>["1","1","room:lobby","phx_join",{}]`,
			`<["1","1","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`>["1","2","room:lobby","new_msg",{"body":"hi"}]`,
			`<["1","2","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`<["1",null,"room:lobby","new_msg",{"body":"hi"}]`,
		}, []string{
			`["3","3","room:lobby","phx_join",{}]`,
			`["3","4","room:lobby","new_msg",{"body":"hi"}]`,
		}, []string{
			`["3","3","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`["3","4","room:lobby","phx_reply",{"status":"ok","response":{}}]`,
			`["3",null,"room:lobby","new_msg",{"body":"hi"}]`,
		}},
		{"actioncable", "/cable", "actioncable-v1-json", []string{
			`<{"type":"welcome"}`,
			`>{"command":"subscribe","identifier":"{\"channel\":\"Chat\",\"room\":\"r1\"}"}`,
			`<{"identifier":"{\"channel\":\"Chat\",\"room\":\"r1\"}","type":"confirm_subscription"}`,
		}, []string{
			`{"command":"subscribe","identifier":"{\"channel\":\"Chat\",\"room\":\"r9\"}"}`,
		}, []string{
			`{"type":"welcome"}`,
			`{"identifier":"{\"channel\":\"Chat\",\"room\":\"r9\"}","type":"confirm_subscription"}`,
		}},
		{"generic", "/app", "", []string{
			`>{"op":"watch","params":"{\"sub\":\"w-0042\"}"}`,
			`<{"event":"{\"sub\":\"w-0042\",\"v\":2}"}`,
		}, []string{
			`{"op":"watch","params":"{\"sub\":\"w-9999\"}"}`,
		}, []string{
			`{"event":"{\"sub\":\"w-9999\",\"v\":2}"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := os.MkdirTemp(".", ".export-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			module := filepath.Join(dir, "rec.msw.mjs")
			rec := echoRecording(t, dir, tt.url, tt.sub, tt.recorded)
			if out, err := exec.Command(wsreplayBin, "export", "--to", "msw", rec, "--out", module).CombinedOutput(); err != nil {
				t.Fatalf("wsreplay export: %v\n%s", err, out)
			}
			// The client sends its requests 100 ms apart: a reply that did
			// not wait for its request would come before it, with the
			// recorded id.
			opts, _ := json.Marshal(map[string]any{"send": tt.send, "expect": len(tt.want), "gap": 100})
			var got struct{ Received []string }
			runNode(t, &got, "--experimental-websocket", "export-echo-msw.mjs", module, "ws://app.example"+tt.url, string(opts))
			if !reflect.DeepEqual(got.Received, tt.want) {
				t.Errorf("the client got\n%q\nwant\n%q", got.Received, tt.want)
			}
		})
	}
}
