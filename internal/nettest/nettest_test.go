package nettest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestWaitFor(t *testing.T) {
	t.Parallel()
	n := 0
	WaitFor(t, "the third poll", func() bool { n++; return n == 3 })
	if n != 3 {
		t.Errorf("polled %d times, want 3", n)
	}
}

func TestDialAndGet(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1<<20) // above coder/websocket's default read limit
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte("short and stout"))
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.Write(r.Context(), websocket.MessageText, []byte(big))
		c.Read(r.Context()) // until the client goes
	}))
	defer ts.Close()
	if code, body := Get(t, ts.URL+"/page"); code != http.StatusTeapot || body != "short and stout" {
		t.Errorf("Get: %d %q", code, body)
	}
	t.Run("dial", func(t *testing.T) {
		c := Dial(t, "ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
		_, got, err := c.Read(context.Background())
		if err != nil || len(got) != len(big) {
			t.Errorf("read %d bytes, %v; want %d", len(got), err, len(big))
		}
	}) // the connection is closed here, so ts.Close does not wait for it
}
