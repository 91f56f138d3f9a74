package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSession writes a one-session recording whose messages are the given
// texts (received), ended by closeLine (may be empty).
func writeSession(t *testing.T, name, id string, texts []string, closeLine string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"session","v":1,"session":%q,"time":"2026-11-25T10:00:00Z","url":"/live"}`+"\n", id)
	for i, s := range texts {
		q, _ := json.Marshal(s)
		fmt.Fprintf(&b, `{"type":"message","session":%q,"time":"2026-11-25T10:00:%02d.5Z","dir":"receive","text":%s}`+"\n", id, i%60, q)
	}
	if closeLine != "" {
		fmt.Fprintf(&b, `{"type":"close","session":%q,"time":"2026-11-25T10:01:00Z",%s}`+"\n", id, closeLine)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiff(t *testing.T) {
	clean := `"by":"server","code":1000,"reason":"bye","clean":true`
	a := writeSession(t, "a.ndjson", "s1", []string{`{"n":1,"ts":1}`, `{"n":2,"ts":2}`, `{"n":3,"ts":3}`}, clean)
	sameButKeys := writeSession(t, "b.ndjson", "s2", []string{`{"ts":1,"n":1}`, `{"ts":2,"n":2}`, `{"ts":3, "n":3}`}, clean)
	otherTS := writeSession(t, "c.ndjson", "s3", []string{`{"n":1,"ts":9}`, `{"n":2,"ts":9}`, `{"n":3,"ts":9}`}, clean)
	inserted := writeSession(t, "d.ndjson", "s4", []string{`{"n":1,"ts":1}`, `{"n":1.5}`, `{"n":2,"ts":2}`, `{"n":3,"ts":3}`}, clean)
	dropped := writeSession(t, "e.ndjson", "s5", []string{`{"n":1,"ts":1}`, `{"n":2,"ts":2}`, `{"n":3,"ts":3}`}, `"by":"server","code":1006,"clean":false`)

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"same file", []string{a, a}, 0, []string{"the same: 0 added, 0 removed, 0 changed, 0 retimed, 3 equal"}},
		{"key order", []string{a, sameButKeys}, 0, []string{"the same"}},
		{"a field differs", []string{a, otherTS}, 1, []string{"3 changed", `- #1`, `+        #1`}},
		{"ignored", []string{a, otherTS, "--ignore", "$.ts"}, 0, []string{"3 equal"}},
		{"inserted", []string{a, inserted}, 1, []string{"@@ added, A none, B #2 @@", "1 added, 0 removed, 0 changed, 0 retimed, 3 equal"}},
		{"ending", []string{a, dropped}, 1, []string{`ending: A 1000 clean "bye", B 1006 drop`, "the endings differ"}},
		{"session flag, both", []string{"--session", "s1", a, a}, 0, []string{"session s1"}},
		{"session flag, each", []string{"--session", "s1", "--session", "s3", a, otherTS, "--ignore", "$..ts"}, 0, []string{"session s3"}},
		{"timing", []string{a, a, "--time-tolerance", "10ms"}, 0, []string{"3 equal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := wsreplay(t, append([]string{"diff"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s\n%s", code, tt.code, errOut, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}

	out, _, code := wsreplay(t, "diff", "--json", a, inserted)
	var got struct {
		Same     bool
		Sessions []struct {
			Added, Equal int
			Hunks        []struct{ Edits []struct{ Kind string } }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 {
		t.Fatalf("--json: %v (exit %d): %s", err, code, out)
	}
	if got.Same || len(got.Sessions) != 1 || got.Sessions[0].Added != 1 || got.Sessions[0].Equal != 3 || len(got.Sessions[0].Hunks) != 1 || len(got.Sessions[0].Hunks[0].Edits) != 4 {
		t.Errorf("--json: got %+v", got)
	}
}

// Every difference is shown, each in its context, up to --max of them;
// the rest are counted, in text and --json alike.
func TestDiffEveryDifference(t *testing.T) {
	var texts, other []string
	for i := range 60 {
		texts = append(texts, fmt.Sprintf(`{"n":%d}`, i))
		if i%10 == 0 {
			other = append(other, fmt.Sprintf(`{"n":%d,"changed":true}`, i))
		} else {
			other = append(other, texts[i])
		}
	}
	a := writeSession(t, "a.ndjson", "s1", texts, "")
	b := writeSession(t, "b.ndjson", "s2", other, "")
	out, _, code := wsreplay(t, "diff", a, b)
	if n := strings.Count(out, "@@ changed"); code != 1 || n != 6 || !strings.Contains(out, "@@ changed, A #1, B #1 @@") || !strings.Contains(out, "@@ changed, A #51, B #51 @@") {
		t.Errorf("exit %d, %d hunks; want 1, every one of the 6 changes:\n%s", code, n, out)
	}
	out, _, _ = wsreplay(t, "diff", "--max", "2", a, b)
	if strings.Count(out, "@@ changed") != 2 || !strings.Contains(out, "... 4 more differences not shown (--max)") || !strings.Contains(out, "6 changed") {
		t.Errorf("--max 2: want 2 hunks and 4 more counted:\n%s", out)
	}
	out, _, _ = wsreplay(t, "diff", "--json", "--max", "3", a, b)
	var got struct {
		Sessions []struct {
			Changed, More int
			Hunks         []struct{ Edits []struct{ Kind string } }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Sessions) != 1 {
		t.Fatalf("--json: %v: %s", err, out)
	}
	if s := got.Sessions[0]; s.Changed != 6 || s.More != 3 || len(s.Hunks) != 3 || s.Hunks[2].Edits[3].Kind != "changed" {
		t.Errorf("--json --max 3: got %+v", s)
	}
}

// Bad input exits 2 with one line naming the file, line or flag.
func TestDiffErrors(t *testing.T) {
	a := writeSession(t, "a.ndjson", "s1", []string{"x"}, "")
	garbage := filepath.Join(t.TempDir(), "garbage.ndjson")
	os.WriteFile(garbage, []byte("not json\n"), 0o600)
	broken := filepath.Join(t.TempDir(), "broken.ndjson")
	os.WriteFile(broken, []byte(`{"type":"session","v":1,"session":"s","time":"2026-11-25T10:00:00Z"}`+"\n{nope\n"), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{a}, "diff: name two recordings, A and B: files or directories (got 1)"},
		{[]string{a, "/nonexistent.ndjson"}, "/nonexistent.ndjson: no such file or directory"},
		{[]string{a, garbage}, "garbage.ndjson:1: not a wsreplay recording"},
		{[]string{a, broken}, "broken.ndjson:2:"},
		{[]string{a, a, "--ignore", "ts"}, `--ignore: "ts" does not start with $`},
		{[]string{a, a, "--time-tolerance", "soon"}, `--time-tolerance: "soon" is not a duration`},
		{[]string{a, a, "--session", "nope"}, `--session: ` + a + ` has no session "nope" (it has s1)`},
		{[]string{a, a, "--session", "s1", "--session", "s1", "--session", "s1"}, "--session: give it once"},
		{[]string{a, "-"}, "give a file, not -"},
		{[]string{a, a, "--max", "0"}, "--max: 0 is not between 1 and 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, errOut, code := wsreplay(t, append([]string{"diff"}, tt.args...)...)
			if code != 2 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, errOut, tt.want)
			}
		})
	}
}

// writeFlow writes a one-session recording of messages, each "->TEXT"
// (sent by the client) or "<-TEXT" (received), with the subprotocol sub.
func writeFlow(t *testing.T, name, sub string, msgs ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"session","v":1,"session":"s","time":"2026-11-25T10:00:00Z","url":"/flow","subprotocol":%q}`+"\n", sub)
	for i, m := range msgs {
		dir := "receive"
		if strings.HasPrefix(m, "->") {
			dir = "send"
		}
		q, _ := json.Marshal(m[2:])
		fmt.Fprintf(&b, `{"type":"message","session":"s","time":"2026-11-25T10:00:%02d.5Z","dir":%q,"text":%s}`+"\n", i%60, dir, q)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// graphQLFlow is a graphql-transport-ws session: a query and a
// subscription under the ids q and s, the subscription's price, and the
// client's complete.
func graphQLFlow(t *testing.T, name, q, s string, price int) string {
	return writeFlow(t, name, "graphql-transport-ws",
		`->{"type":"connection_init"}`,
		`<-{"type":"connection_ack"}`,
		`->{"type":"subscribe","id":"`+q+`","payload":{"query":"query Me { me { name } }"}}`,
		`->{"type":"subscribe","id":"`+s+`","payload":{"query":"subscription OnPrice { price }"}}`,
		`<-{"type":"next","id":"`+q+`","payload":{"data":{"me":{"name":"ada"}}}}`,
		`<-{"type":"complete","id":"`+q+`"}`,
		fmt.Sprintf(`<-{"type":"next","id":"%s","payload":{"data":{"price":%d}}}`, s, price),
		`->{"type":"complete","id":"`+s+`"}`,
	)
}

// Two recordings of one flow differ only in the ids the client chose:
// diff finds them the same (graphql-ws's UUIDs, JSON-RPC's random ids),
// unless --exact-ids; a real difference still shows.
func TestDiffFollowsClientIDs(t *testing.T) {
	gqlA := graphQLFlow(t, "a.ndjson", "0c4e6f1a-58cc-4372-a567-0e02b2c3d479", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", 42)
	gqlB := graphQLFlow(t, "b.ndjson", "1d2e3f40-1111-4222-8333-944455556666", "7c9e6679-7425-40de-944b-e07fc1f90ae7", 42)
	gqlPrice := graphQLFlow(t, "c.ndjson", "2e3f4051-1111-4222-8333-944455556666", "8d0f7780-7425-40de-944b-e07fc1f90ae7", 43)
	rpc := func(name string, ids ...string) string {
		return writeFlow(t, name, "",
			`->{"jsonrpc":"2.0","method":"subscribe","params":["prices"],"id":`+ids[0]+`}`,
			`->{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":`+ids[1]+`}`,
			`<-{"jsonrpc":"2.0","result":3,"id":`+ids[1]+`}`,
			`<-{"jsonrpc":"2.0","result":true,"id":`+ids[0]+`}`,
			`<-{"jsonrpc":"2.0","method":"price","params":{"p":42}}`,
		)
	}
	rpcA := rpc("ra.ndjson", `"kq3x8"`, `"p0z71"`)
	rpcB := rpc("rb.ndjson", `"m2v9d"`, `"a7w4c"`)
	rpcSwapped := rpc("rc.ndjson", `"m2v9d"`, `"m2v9d"`) // both answers under one id: not the same flow
	// Counter ids that differ, where a result holds the same number as
	// the id on one side: data, not the id.
	counter := func(name string, id int) string {
		return writeFlow(t, name, "",
			fmt.Sprintf(`->{"jsonrpc":"2.0","method":"count","id":%d}`, id),
			fmt.Sprintf(`<-{"jsonrpc":"2.0","result":{"count":1},"id":%d}`, id),
		)
	}
	// A JSON protocol no profile knows: the generic rule.
	generic := func(name, id string) string {
		return writeFlow(t, name, "",
			`->{"op":"watch","reqId":"`+id+`","room":"lobby"}`,
			`<-{"op":"ok","reqId":"`+id+`"}`,
			`<-{"op":"event","room":"lobby","text":"hi"}`,
		)
	}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"graphql, fresh UUIDs", []string{gqlA, gqlB}, 0, []string{"the same: 0 added, 0 removed, 0 changed, 0 retimed, 8 equal"}},
		{"graphql, exact ids", []string{"--exact-ids", gqlA, gqlB}, 1, []string{"6 changed", "2 equal"}},
		{"graphql, a price differs", []string{gqlA, gqlPrice}, 1, []string{"1 changed", `"price":42`, `"price":43`, "#7"}},
		{"json-rpc, random ids", []string{rpcA, rpcB}, 0, []string{"5 equal"}},
		{"json-rpc, an answer under another id", []string{rpcA, rpcSwapped}, 1, []string{"changed"}},
		{"json-rpc, a result equal to the id", []string{counter("ca.ndjson", 1), counter("cb.ndjson", 7)}, 0, []string{"2 equal"}},
		{"generic JSON, fresh ids", []string{generic("ga.ndjson", "r-17"), generic("gb.ndjson", "r-93")}, 0, []string{"3 equal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := wsreplay(t, append([]string{"diff"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s\n%s", code, tt.code, errOut, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
