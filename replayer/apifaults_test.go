package replayer

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The API sets a live replay's faults: a message dropped by content
// never arrives, the view lists the faults and marks what was applied, and
// bad specs are 400s naming the field.
func TestAPIFaults(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	c := dial(t, ts, "/ws")
	msgs, _ := reader(c)
	waitReplay(t, ts, "r1")
	for _, bad := range []struct{ body, field, msg string }{
		{`{"latency": "soon"}`, "latency", `latency "soon" is not a duration`},
		{`{"bandwidth": "64"}`, "bandwidth", "has no unit"},
		{`{"stall_at": ["10s"]}`, "stall_at", "is not AT:FOR"},
		{`{"stall": "x"}`, "stall", `stall length "x" is not a duration`},
		{`{"messages": ["explode:#1"]}`, "messages", "unknown action"},
		// Beyond the vocabulary's limits: once a panic in the player.
		{`{"latency": "0±1300000h"}`, "latency", `jitter "1300000h" is over the limit of 24h`},
		{`{"bandwidth": "NaNKB"}`, "bandwidth", "not a positive number"},
		{`{"stall_at": ["1s:25h"]}`, "stall_at", "over the limit of 24h"},
		{`{"stall": "25h"}`, "stall", "over the limit of 24h"},
		{`{"messages": ["delay=25h"]}`, "messages", "over the limit of 24h"},
		{`{"stall": "-1s"}`, "stall", `stall length "-1s" must be positive`},
		{`{"stall": "0"}`, "stall", `stall length "0" must be positive`},
	} {
		st, v := call(t, ts, "POST", "replays/r1/faults", bad.body)
		msg, _ := v["error"].(string)
		if st != 400 || v["field"] != bad.field || !strings.Contains(msg, bad.msg) || strings.Contains(msg, "\n") {
			t.Errorf("%s: %d %v, want 400 naming %s, saying %q", bad.body, st, v, bad.field, bad.msg)
		}
	}
	v := mustCall(t, ts, "POST", "replays/r1/faults", `{"latency": "10ms±5ms", "messages": ["drop:~m3", "duplicate:#5"]}`)
	f := v["faults"].(map[string]any)
	if f["latency"] != "10ms±5ms" || fmt.Sprint(f["messages"]) != "[drop:~m3 duplicate:#5]" {
		t.Fatalf("faults in the view: %v", f)
	}
	mustCall(t, ts, "POST", "replays/r1/speed", `{"speed": 4}`)
	mustCall(t, ts, "POST", "replays/r1/resume", "")
	for _, want := range []string{"m1", "m2", "m4", "m5", "m5", "m6", "m7", "m8", "m9", "m10"} {
		next(t, msgs, want)
	}
	for range 100 {
		v = mustCall(t, ts, "GET", "replays/r1", "")
		if len(v["faults"].(map[string]any)["applied"].([]any)) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	applied := v["faults"].(map[string]any)["applied"]
	if fmt.Sprint(applied) != "[map[action:drop fault:drop:~m3 seq:3] map[action:duplicate fault:duplicate:#5 seq:5]]" {
		t.Errorf("applied: %v", applied)
	}
}
