package format

import (
	"strings"
	"testing"
	"time"
)

// TestSessionTransportRoundTrip: a SignalR session line's "transport" is
// written and read back, and a Summary carries it with the protocol.
func TestSessionTransportRoundTrip(t *testing.T) {
	in := &Event{Type: TypeSession, Version: Version, Session: "s", Time: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		URL: "/hub?id=%5Bredacted%5D", Protocol: "signalr", Transport: "LongPolling"}
	line, err := AppendLine(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(line), `"protocol":"signalr","transport":"LongPolling"`) {
		t.Errorf("written %s, want the transport after the protocol", line)
	}
	sums, err := Summarize(NewReader(strings.NewReader(string(line)), nil))
	if err != nil || len(sums) != 1 || sums[0].Protocol != "signalr" || sums[0].Transport != "LongPolling" {
		t.Fatalf("summary %+v %v, want protocol signalr and transport LongPolling", sums, err)
	}
	e, err := NewReader(strings.NewReader(string(line)), nil).Next()
	if err != nil || e.Transport != "LongPolling" || e.Protocol != "signalr" {
		t.Errorf("read %+v %v, want the transport back", e, err)
	}
}
