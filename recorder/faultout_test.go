package recorder

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/fault"
	"github.com/wsreplay/wsreplay/format"
)

func mustRules(tb testing.TB, specs ...string) []*fault.Rule {
	tb.Helper()
	var rs []*fault.Rule
	for _, s := range specs {
		r, err := fault.ParseRule(s)
		if err != nil {
			tb.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

// Faults on the live proxy act on what the server sends: a message
// dropped by JSON path never reaches the client, a delayed one comes late
// (overtaken), a link's latency delays everything, the close comes after
// the messages; the recording says which faults acted and its message
// lines are what the client got, when it got it.
func TestLiveFaults(t *testing.T) {
	sent := make(chan time.Time, 1)
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		ctx := context.Background()
		sent <- time.Now()
		for _, m := range []string{`{"type":"a"}`, `{"type":"tick"}`, `{"type":"b"}`, `{"type":"c"}`} {
			c.Write(ctx, websocket.MessageText, []byte(m))
		}
		c.Read(ctx) // until the client closes
	})
	faults := &Faults{}
	faults.Set(&fault.Link{Latency: 50 * time.Millisecond}, mustRules(t, "drop:$.type==tick", "delay=300ms:$.type==b", "duplicate:path=/other"))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
	c := dial(t, ts, "/feed", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t0 := <-sent
	var got []string
	var at []time.Duration
	for range 3 {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, at = append(got, string(data)), append(at, time.Since(t0))
	}
	if want := []string{`{"type":"a"}`, `{"type":"c"}`, `{"type":"b"}`}; !slices.Equal(got, want) {
		t.Fatalf("the client got %q, want %q", got, want)
	}
	if at[0] < 50*time.Millisecond || at[2] < 350*time.Millisecond {
		t.Errorf("arrivals at %v: want the first after the 50ms latency, the delayed one 350ms or more", at)
	}
	c.Close(websocket.StatusNormalClosure, "")
	stopProxy(t, p, ts, sink)
	var lines []string
	var times []time.Time
	for _, e := range onlySession(t, dir) {
		switch e.Type {
		case format.TypeFault:
			lines = append(lines, "fault "+e.Action+" "+e.Fault)
		case format.TypeMessage:
			lines, times = append(lines, string(e.Data)), append(times, e.Time)
		}
	}
	want := []string{"fault link latency 50ms", "fault drop drop:$.type==tick", "fault delay delay=300ms:$.type==b", `{"type":"a"}`, `{"type":"c"}`, `{"type":"b"}`}
	if !slices.Equal(lines, want) {
		t.Fatalf("recorded %q, want %q", lines, want)
	}
	if d := times[2].Sub(times[0]); d < 250*time.Millisecond {
		t.Errorf("the delayed message is recorded %v after the first, want its delay", d)
	}
}

// A close frame from the server waits for the messages before it.
func TestLiveFaultsCloseAfterMessages(t *testing.T) {
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		c.Write(context.Background(), websocket.MessageText, []byte("last words"))
		c.Close(4001, "bye")
	})
	faults := &Faults{}
	faults.Set(&fault.Link{Latency: 100 * time.Millisecond, Bandwidth: 1 << 20}, nil)
	_, ts, _, _ := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
	c := dial(t, ts, "/", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, data, err := c.Read(ctx); err != nil || string(data) != "last words" {
		t.Fatalf("got %q, %v", data, err)
	}
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "bye" {
		t.Fatalf("then %v, want close 4001 bye", err)
	}
}

// Sessions no fault can act on, and every session of a Proxy without
// Faults, are relayed as they come.
func TestFaultsOnlyWhereAsked(t *testing.T) {
	faults := &Faults{}
	faults.Set(nil, mustRules(t, "drop:path=/feed"))
	for _, c := range []struct {
		p    *Proxy
		path string
		want bool
	}{
		{&Proxy{}, "/feed", false},
		{&Proxy{Faults: &Faults{}}, "/feed", false},
		{&Proxy{Faults: faults}, "/other", false},
		{&Proxy{Faults: faults}, "/feed", true},
	} {
		if got := c.p.faultsFor(c.path) != nil; got != c.want {
			t.Errorf("faults for %s: %v, want %v", c.path, got, c.want)
		}
	}
}

// A server's close frame waits for the messages a fault delays: the
// client gets them, then the close.
func TestLiveFaultsCloseAfterDelayed(t *testing.T) {
	up := upstream(t, nil, func(c *websocket.Conn, _ *http.Request) {
		c.Write(context.Background(), websocket.MessageText, []byte("late"))
		c.Close(4002, "maintenance")
	})
	faults := &Faults{}
	faults.Set(nil, mustRules(t, "delay=200ms:path=/slow"))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.Faults = faults })
	c := dial(t, ts, "/slow", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, data, err := c.Read(ctx); err != nil || string(data) != "late" {
		t.Fatalf("got %q, %v; want the delayed message before the close", data, err)
	}
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4002 {
		t.Fatalf("then %v, want close 4002", err)
	}
	// The recording ends as the client saw it: the close after the
	// message, which a replay then sends first.
	stopProxy(t, p, ts, sink)
	evs := onlySession(t, dir)
	var msgAt, closeAt time.Time
	for _, e := range evs {
		switch e.Type {
		case format.TypeMessage:
			msgAt = e.Time
		case format.TypeClose:
			closeAt = e.Time
		}
	}
	if msgAt.IsZero() || closeAt.Before(msgAt) {
		t.Errorf("recorded the message at %v and the close at %v; want the close after it", msgAt, closeAt)
	}
}
