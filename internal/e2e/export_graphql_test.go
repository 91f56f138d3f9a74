package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// graphqlRecording is a graphql-transport-ws session as a graphql-ws
// client records it: a query and then a subscription, each under the
// UUID the recorded client chose; the query answered 10 ms after it, the
// subscription 100 and 110 ms after it.
func graphqlRecording(t *testing.T, dir string) string {
	t.Helper()
	const (
		q = "0b9f5c1e-1111-4a5b-9c3d-00000000000a"
		s = "0b9f5c1e-2222-4a5b-9c3d-00000000000b"
	)
	data := `{"type":"session","v":1,"session":"gql-1","time":"2026-11-25T10:00:00Z","url":"/graphql","subprotocol":"graphql-transport-ws"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.005Z","dir":"send","text":"{\"type\":\"connection_init\"}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.010Z","dir":"receive","text":"{\"type\":\"connection_ack\"}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.020Z","dir":"send","text":"{\"id\":\"` + q + `\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.030Z","dir":"receive","text":"{\"id\":\"` + q + `\",\"type\":\"next\",\"payload\":{\"data\":{\"hello\":\"world\"}}}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.031Z","dir":"receive","text":"{\"id\":\"` + q + `\",\"type\":\"complete\"}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.040Z","dir":"send","text":"{\"id\":\"` + s + `\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { tick }\"}}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.140Z","dir":"receive","text":"{\"id\":\"` + s + `\",\"type\":\"next\",\"payload\":{\"data\":{\"tick\":1}}}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.150Z","dir":"receive","text":"{\"id\":\"` + s + `\",\"type\":\"next\",\"payload\":{\"data\":{\"tick\":2}}}"}
{"type":"message","session":"gql-1","time":"2026-11-25T10:00:00.160Z","dir":"receive","text":"{\"id\":\"` + s + `\",\"type\":\"complete\"}"}
`
	p := filepath.Join(dir, "gql.ndjson")
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type graphqlRun struct {
	Query        []map[string]any `json:"query"`
	Subscription []map[string]any `json:"subscription"`
	Error        string           `json:"error"`
	// Delays are the ms from the subscription's start to each of its
	// results.
	Delays []float64 `json:"delays"`
}

// graphqlCases: at full speed; at the recorded pace with the client 300 ms
// later than recorded before its subscription (its answers, recorded 100
// ms after the recorded subscribe, must wait for the live one, and come
// no sooner than 100 ms after it); and with followIds false, the recorded
// ids, which the client ignores.
var graphqlCases = []struct {
	name, options string
	answered      bool
}{
	{"max", `{"speed":"max"}`, true},
	{"client late", `{"speed":1,"clientDelay":300}`, true},
	{"followIds false", `{"speed":"max","followIds":false,"timeout":2000}`, false},
}

// TestExportGraphQLMSW: a real graphql-ws client in Node gets its query and
// subscription data from the MSW module, under fresh operation ids.
func TestExportGraphQLMSW(t *testing.T) {
	need(t, false)
	needPackage(t, "msw")
	needPackage(t, "graphql-ws")
	testExportGraphQL(t, "msw", "--experimental-websocket", "export-graphql-msw.mjs")
}

// TestExportGraphQLPlaywright: a page in Chromium with graphql-ws's browser
// bundle gets its query and subscription data from the Playwright module.
func TestExportGraphQLPlaywright(t *testing.T) {
	need(t, true)
	needPackage(t, "graphql-ws")
	testExportGraphQL(t, "playwright", "export-graphql-playwright.mjs")
}

func testExportGraphQL(t *testing.T, to string, script ...string) {
	for _, tc := range graphqlCases {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := os.MkdirTemp(".", ".export-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			module := filepath.Join(dir, "gql."+to+".mjs")
			if out, err := exec.Command(wsreplayBin, "export", "--to", to, graphqlRecording(t, dir), "--out", module).CombinedOutput(); err != nil {
				t.Fatalf("wsreplay export: %v\n%s", err, out)
			}
			var got graphqlRun
			runNode(t, &got, script[0], append(script[1:], module, "ws://app.example/graphql", tc.options)...)
			if tc.name == "client late" && (len(got.Delays) == 0 || got.Delays[0] < 95) {
				t.Errorf("the subscription's first result came %v ms after it started, sooner than its recorded 100 ms", got.Delays)
			}
			got.Delays = nil
			want := graphqlRun{
				Query:        []map[string]any{{"data": map[string]any{"hello": "world"}}},
				Subscription: []map[string]any{{"data": map[string]any{"tick": 1.0}}, {"data": map[string]any{"tick": 2.0}}},
			}
			if !tc.answered {
				want = graphqlRun{Query: []map[string]any{}, Subscription: []map[string]any{}, Error: "timeout: no complete answer"}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the graphql-ws client got\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}
