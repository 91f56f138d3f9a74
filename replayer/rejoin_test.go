package replayer_test

import (
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/replayer/replayertest"
)

// A Phoenix client that loses its connection and rejoins with new refs
// gets the next recorded session, with its new join_ref and ref followed,
// not the data of the first session again.
func TestReconnectRejoins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rejoin.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := format.NewWriter(f, nil)
	at := func(ms int) time.Time { return beat0.Add(time.Duration(ms) * time.Millisecond) }
	session := func(id string, start int, joinRef, data string, drop bool) {
		w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: id, Time: at(start), URL: "/socket/websocket?vsn=2.0.0"})
		msg := func(ms int, dir format.Dir, text string) {
			w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: at(start + ms), Dir: dir, Opcode: format.Text, Data: []byte(text)})
		}
		msg(10, format.Send, `["`+joinRef+`","`+joinRef+`","room:1","phx_join",{}]`)
		msg(20, format.Receive, `["`+joinRef+`","`+joinRef+`","room:1","phx_reply",{"status":"ok","response":{}}]`)
		msg(30, format.Receive, `["`+joinRef+`",null,"room:1","update",{"data":"`+data+`"}]`)
		if drop {
			w.Write(&format.Event{Type: format.TypeClose, Session: id, Time: at(start + 40), By: format.ByServer, Code: 1006})
		}
	}
	session("first", 0, "1", "before the drop", true)
	session("second", 1000, "3", "after the rejoin", false)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	synctest.Test(t, func(t *testing.T) {
		srv := replayertest.Start(t, path, &replayertest.Options{InMemory: true})
		first := dialPath(t, srv, "/socket/websocket?vsn=2.0.0", "")
		first.send(0, `["11","11","room:1","phx_join",{}]`)
		// The drop at 40 ms ends the first (a lost connection: no close).
		expectGot(t, "the first connection", first.until(time.Second), []got{
			{20 * time.Millisecond, `["11","11","room:1","phx_reply",{"status":"ok","response":{}}]`},
			{30 * time.Millisecond, `["11",null,"room:1","update",{"data":"before the drop"}]`},
		})
		second := dialPath(t, srv, "/socket/websocket?vsn=2.0.0", "")
		second.send(0, `["42","42","room:1","phx_join",{}]`)
		expectGot(t, "the rejoin", second.until(time.Second), []got{
			{20 * time.Millisecond, `["42","42","room:1","phx_reply",{"status":"ok","response":{}}]`},
			{30 * time.Millisecond, `["42",null,"room:1","update",{"data":"after the rejoin"}]`},
		})
	})
}
