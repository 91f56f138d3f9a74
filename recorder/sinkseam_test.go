package recorder

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// seamSink is a Sink of a third party that implements the optional
// interfaces, and keeps how each line came.
type seamSink struct {
	mu  sync.Mutex
	how []string // "add", "redacted" or "wait", a line each, with its type
	evs []*format.Event
}

func (s *seamSink) keep(how string, e *format.Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.how = append(s.how, how+" "+string(e.Type))
	s.evs = append(s.evs, e)
	return true
}

func (s *seamSink) Add(e *format.Event) bool { return s.keep("add", e) }

func (s *seamSink) AddRedacted(e *format.Event, redact func([]byte) ([]byte, bool)) bool {
	e.Data, _ = redact(e.Data)
	return s.keep("redacted", e)
}

func (s *seamSink) AddWait(_ context.Context, e *format.Event) bool { return s.keep("wait", e) }

var (
	_ RedactingSink = (*seamSink)(nil)
	_ WaitingSink   = (*seamSink)(nil)
	_ RedactingSink = (*FileSink)(nil)
	_ WaitingSink   = (*FileSink)(nil)
)

// A Sink other than FileSink gets the optional behaviours by implementing
// their interfaces: text messages to redact through AddRedacted (the sink
// redacts them, off the relay path), the close line through AddWait, for
// a WebSocket session and for a poll session alike.
func TestSinkSeam(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	for _, kind := range []string{"websocket", "poll"} {
		t.Run(kind, func(t *testing.T) {
			sink := &seamSink{}
			u, _ := url.Parse(wsURL(up))
			p := &Proxy{Upstream: u, Sink: sink, Poll: []string{"/poll"}, PollIdle: 1}
			p.Redaction.JSONFields = []string{"password"}
			ts := httptest.NewServer(p)
			t.Cleanup(ts.Close)
			if kind == "websocket" {
				c := dial(t, ts, "/ws", nil)
				c.Write(t.Context(), websocket.MessageText, []byte(`{"password":"pw"}`))
				c.Read(t.Context())
				c.Close(websocket.StatusNormalClosure, "")
			} else {
				resp, err := http.Get(ts.URL + "/poll")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			nettest.WaitFor(t, "the session to end", func() bool { return p.Stats().Open == 0 })
			if err := p.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if last := sink.how[len(sink.how)-1]; last != "wait close" {
				t.Errorf("close line came as %q, want through AddWait", last)
			}
			var redacted int
			for i, how := range sink.how {
				if how == "redacted message" {
					redacted++
					if e := sink.evs[i]; e.Dir == format.Send && kind == "websocket" && string(e.Data) != `{"password":"[redacted]"}` {
						t.Errorf("got %s, want it redacted", e.Data)
					}
				}
			}
			if redacted < 2 {
				t.Errorf("lines %q: want the text messages through AddRedacted", sink.how)
			}
		})
	}
}
