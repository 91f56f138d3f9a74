package replayer

import (
	"fmt"
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
	for _, bad := range []struct{ body, field string }{
		{`{"latency": "soon"}`, "latency"},
		{`{"bandwidth": "64"}`, "bandwidth"},
		{`{"stall_at": ["10s"]}`, "stall_at"},
		{`{"stall": "x"}`, "stall"},
		{`{"messages": ["explode:#1"]}`, "messages"},
	} {
		st, v := call(t, ts, "POST", "replays/r1/faults", bad.body)
		if st != 400 || v["field"] != bad.field {
			t.Errorf("%s: %d %v, want 400 naming %s", bad.body, st, v, bad.field)
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
