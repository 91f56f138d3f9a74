package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// A machine lost in the middle of a long session (the recorder killed with
// -9 and its spool gone with it) loses at most --upload-interval plus
// --flush-interval of it, plus the second between two looks at the spool:
// the bucket's .partial object holds the rest.
func TestS3LostMachineLosesAtMostAnInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("starts versitygw and a recorder process")
	}
	s3Store(t)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(context.Background())
		for i := 0; ctx.Err() == nil; i++ {
			if c.Write(ctx, websocket.MessageText, fmt.Appendf(nil, "tick-%d", i)) != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}))
	defer up.Close()
	rec := startFleetRecorder(t, "ws"+strings.TrimPrefix(up.URL, "http"), t.TempDir()) // --upload-interval 500ms, --flush-interval 100ms
	c := nettest.Dial(t, rec.url+"/long", nil)
	defer c.CloseNow()
	go func() {
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	time.Sleep(3 * time.Second)
	killed := time.Now()
	rec.cmd.Process.Kill()
	<-rec.exited
	os.RemoveAll(rec.spool) // the machine is gone, and its disk

	out := filepath.Join(t.TempDir(), "long.ndjson")
	if _, errOut, code := wsreplay(t, "convert", "s3://rec/fleet", out); code != 0 {
		t.Fatalf("convert: exit %d: %s", code, errOut)
	}
	f, _ := os.Open(out)
	defer f.Close()
	r := format.NewReader(f, nil)
	defer r.Close()
	var last time.Time
	messages := 0
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		if e.Type == format.TypeMessage {
			last, messages = e.Time, messages+1
		}
	}
	const bound = 500*time.Millisecond + 100*time.Millisecond + time.Second
	lost := killed.Sub(last)
	t.Logf("the bucket holds %d messages; the last was recorded %v before the kill (bound %v plus the upload)", messages, lost.Round(time.Millisecond), bound)
	if messages == 0 || lost > bound+time.Second {
		t.Errorf("lost the last %v of the session (%d messages kept), want at most %v and the upload's time", lost, messages, bound)
	}
}
