package replayertest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"
)

// reconnector is a client with the reconnect logic a frontend has: read
// until the connection ends; after a clean close, stop; after a lost
// connection, wait Backoff and connect again. It logs what it sees with the
// time since it started.
type reconnector struct {
	URL     string
	Client  *http.Client
	Backoff time.Duration
	start   time.Time
	log     []string
}

func (r *reconnector) logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf("%v ", time.Since(r.start))+fmt.Sprintf(format, args...))
}

func (r *reconnector) run(ctx context.Context) {
	r.start = time.Now()
	for range 5 {
		conn, _, err := websocket.Dial(ctx, r.URL, &websocket.DialOptions{HTTPClient: r.Client})
		if err != nil {
			r.logf("dial failed: %v", err)
			time.Sleep(r.Backoff)
			continue
		}
		r.logf("open")
		if r.readAll(ctx, conn) {
			return
		}
		time.Sleep(r.Backoff)
	}
}

// readAll reads until the connection ends and reports whether it was a
// clean close.
func (r *reconnector) readAll(ctx context.Context, conn *websocket.Conn) (clean bool) {
	defer conn.CloseNow()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				r.logf("closed %d %s", ce.Code, ce.Reason)
				return true
			}
			r.logf("lost")
			return false
		}
		if typ == websocket.MessageBinary {
			r.logf("binary %x", data)
		} else {
			r.logf("text %s", data)
		}
	}
}

// A reconnecting client meets a recorded drop and the recorded reconnection
// under testing/synctest: minutes of recording pass on the fake clock, at
// exactly their recorded offsets, in no real time.
func TestReconnectUnderSynctest(t *testing.T) {
	realStart := time.Now()
	synctest.Test(t, func(t *testing.T) {
		srv := Start(t, "testdata/reconnect.ndjson", &Options{InMemory: true})
		r := &reconnector{URL: srv.URL + "/feed", Client: srv.HTTPClient(), Backoff: 30 * time.Second}
		r.run(t.Context())
		want := []string{
			"0s open",
			"1m0s text {\"n\":1}",
			"2m0s binary 000102ff",
			"3m0s lost",
			"3m30s open",
			"4m0s text {\"n\":2}",
			"4m30s closed 1000 done",
		}
		if !reflect.DeepEqual(r.log, want) {
			t.Errorf("the client saw\n%q\nwant\n%q", r.log, want)
		}
	})
	if d := time.Since(realStart); d > time.Minute {
		t.Errorf("4m30s of recording took %v of real time", d)
	}
}

// Options reach the replay: a fault cuts the first session short.
func TestFaultUnderSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := Start(t, "testdata/reconnect.ndjson", &Options{InMemory: true, Speed: 2, CloseAt: 45 * time.Second, CloseCode: 4000, CloseReason: "maintenance"})
		r := &reconnector{URL: srv.URL + "/feed", Client: srv.HTTPClient(), Backoff: time.Second}
		r.run(t.Context())
		want := []string{"0s open", "30s text {\"n\":1}", "45s closed 4000 maintenance"}
		if !reflect.DeepEqual(r.log, want) {
			t.Errorf("the client saw\n%q\nwant\n%q", r.log, want)
		}
	})
}

// Without InMemory, the replay listens on loopback and any client dials
// its URL.
func TestLoopback(t *testing.T) {
	srv := Start(t, "testdata/reconnect.ndjson", &Options{Speed: math.Inf(1), Sessions: []string{"second"}})
	r := &reconnector{URL: srv.URL + "/feed", Backoff: time.Millisecond}
	r.run(t.Context())
	if len(r.log) != 3 || r.log[2][len(r.log[2])-len("closed 1000 done"):] != "closed 1000 done" {
		t.Errorf("the client saw %q", r.log)
	}
}
