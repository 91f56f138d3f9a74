package replayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// manyShortSessions is a recording of n sessions of one message each, on a
// few paths, as a busy recorder writes them.
func manyShortSessions(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := format.NewWriter(&buf, nil)
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("%016x", i)
		t := at.Add(time.Duration(i) * time.Millisecond)
		w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: t, URL: fmt.Sprintf("/live?room=%d", i%8)})
		w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: t, Dir: format.Receive, Opcode: format.Text, Data: []byte("hi")})
		w.Write(&format.Event{Type: format.TypeClose, Session: id, Time: t, By: format.ByServer, Code: 1000, Clean: true})
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The index of a recording of many short sessions stays compact: what it
// holds per session is the Session itself and one name, not a map entry per
// session for every purpose.
func TestIndexIsCompact(t *testing.T) {
	const n = 100_000
	data := manyShortSessions(t, n)
	before := heapInUse()
	cat, err := Open(Bytes("many", data))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	per := float64(heapInUse()-before) / n
	runtime.KeepAlive(data)
	if len(cat.Sessions()) != n {
		t.Fatalf("%d sessions", len(cat.Sessions()))
	}
	t.Logf("%.0f bytes a session", per)
	if per > 280 {
		t.Errorf("the index holds %.0f bytes a session; want at most 280", per)
	}
}

// The page of a catalog of many sessions lists the first thousand and
// counts the rest.
func TestPageOfManySessions(t *testing.T) {
	ts := startServer(t, &Server{}, Bytes("many", manyShortSessions(t, 1500)))
	code, body := nettest.Get(t, ts.URL+"/")
	if code != 200 || strings.Count(body, `<tr class="s">`) != 1000 || !strings.Contains(body, "and 500 more") {
		t.Errorf("page: %d, %d rows\n%.300s", code, strings.Count(body, `<tr class="s">`), body)
	}
}

// Opening a missing recording is an error callers can test.
func TestOpenMissingIsNotExist(t *testing.T) {
	_, err := Open(File(t.TempDir() + "/missing.ndjson"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.ndjson") {
		t.Errorf("Open of a missing file: %v", err)
	}
}

// An id that begins again after its close line in the same file is a
// session of its own, named ~2, and the warning says where it is.
func TestIDAgainInOneFile(t *testing.T) {
	one := manyShortSessions(t, 1)
	cat, err := Open(Bytes("dup", append(append([]byte{}, one...), one...)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	cat.Wait(context.Background())
	ids := []string{}
	for _, s := range cat.Sessions() {
		ids = append(ids, s.ID)
	}
	w := cat.Warnings()
	if fmt.Sprint(ids) != "[0000000000000000 0000000000000000~2]" || len(w) != 1 || !strings.Contains(w[0], "begins again after its close line") {
		t.Errorf("ids %v, warnings %q", ids, w)
	}
}
