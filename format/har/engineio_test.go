package har

import (
	"os"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// A Socket.IO page's HAR (its polling XHR entries and its websocket entry)
// reads as one socketio session: a message per packet, in time order, each
// with its transport; the page's other entries are left out.
func TestReadSocketIO(t *testing.T) {
	t.Parallel()

	f, err := os.Open("../../testdata/har/socketio.har")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := Read(f, "socketio.har")
	if err != nil {
		t.Fatal(err)
	}
	s := h.Events[0]
	if s.Type != format.TypeSession || s.Kind != format.KindSocketIO || s.EngineIO == nil || s.EngineIO.SID != "S1" ||
		s.EngineIO.PingInterval != 300 || s.EngineIO.Version != 4 || !strings.HasPrefix(s.URL, "/socket.io/?EIO=4&transport=polling") {
		t.Fatalf("session line %+v %+v", s, s.EngineIO)
	}
	var got []string
	for _, e := range h.Events[1:] {
		if e.Session != s.Session {
			t.Errorf("a line of session %q, want %q", e.Session, s.Session)
		}
		got = append(got, string(e.Dir)+" "+e.Transport+" "+string(e.Data))
	}
	want := []string{
		`receive polling 0{"sid":"S1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":1000,"maxPayload":1000000}`,
		`send polling 40`,
		`receive polling 40{"sid":"N1"}`,
		`receive polling 42["hi",{"n":1}]`,
		"receive polling \x00\x01\x02",
		`send websocket 2probe`,
		`receive websocket 3probe`,
		`send websocket 5`,
		`send websocket 420["ask",21]`,
		`receive websocket 430[{"answer":42}]`,
		`receive websocket 42["late",{"after":1}]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadSocketIOPacketBudget: the packets a Reader holds from polling
// bodies cost at most sioBudgetPerByte times the HAR's size, plus
// sioBudgetBase; past it they are left out and counted (a 12 MB HAR of one
// POST of "6\x1e6\x1e..." cost ls 830 MiB). A body of separators alone
// holds nothing: an empty packet ends a payload.
func TestReadSocketIOPacketBudget(t *testing.T) {
	const n = 200_000
	flood := strings.Repeat(`6\u001e`, n-1) + "6"
	open := `0{\"sid\":\"S1\",\"upgrades\":[],\"pingInterval\":300,\"pingTimeout\":1000}`
	har := `{"log":{"entries":[` +
		`{"startedDateTime":"2026-11-27T10:00:00.100Z","time":5,"request":{"method":"GET","url":"http://h/socket.io/?EIO=4&transport=polling"},"response":{"status":200,"content":{"mimeType":"text/plain","text":"` + open + `"}}},` +
		`{"startedDateTime":"2026-11-27T10:00:00.200Z","time":5,"request":{"method":"POST","url":"http://h/socket.io/?EIO=4&transport=polling&sid=S1","postData":{"mimeType":"text/plain","text":"` + flood + `"}},"response":{"status":200,"content":{"mimeType":"text/plain","text":"ok"}}},` +
		`{"startedDateTime":"2026-11-27T10:00:00.300Z","time":5,"request":{"method":"POST","url":"http://h/socket.io/?EIO=4&transport=polling&sid=S1","postData":{"mimeType":"text/plain","text":"` + strings.Repeat(`\u001e`, n) + `"}},"response":{"status":200,"content":{"mimeType":"text/plain","text":"ok"}}}` +
		`]}}`
	r := NewReader(strings.NewReader(har), "flood.har")
	s, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	held := int64(len(s.Events)-2) * sioEventCost // but the session line and the open packet
	if limit := int64(sioBudgetPerByte*len(har) + sioBudgetBase); held > limit {
		t.Errorf("held %d packets (%d bytes), past the budget of %d", len(s.Events)-2, held, limit)
	}
	if got := r.DroppedPackets(); got == 0 || got+len(s.Events)-2 != n {
		t.Errorf("kept %d packets and dropped %d, want %d in all, some dropped", len(s.Events)-2, got, n)
	}
}
