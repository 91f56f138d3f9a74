package browser

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wsreplay/wsreplay/format"
)

// fakeBrowser is a chromedp.Transport that answers Network.getResponseBody
// with the bodies it holds by request id, and every other command with {}.
type fakeBrowser struct {
	bodies  map[network.RequestID]string
	answers chan *cdproto.Message
}

func (f *fakeBrowser) Write(_ context.Context, m *cdproto.Message) error {
	res := []byte(`{}`)
	if m.Method == network.CommandGetResponseBody {
		var p network.GetResponseBodyParams
		jsonv2.Unmarshal(m.Params, &p)
		res, _ = json.Marshal(map[string]any{"body": f.bodies[p.RequestID], "base64Encoded": false})
	}
	f.answers <- &cdproto.Message{ID: m.ID, Result: res}
	return nil
}

func (f *fakeBrowser) Read(ctx context.Context, m *cdproto.Message) error {
	select {
	case a, ok := <-f.answers:
		if !ok {
			return context.Canceled
		}
		*m = *a
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeBrowser) Close() error { return nil }

// event is a DevTools event message of the target "s".
func event(t *testing.T, method string, params any) *cdproto.Message {
	t.Helper()
	b, err := jsonv2.Marshal(params, chromedp.DefaultMarshalOptions)
	if err != nil {
		t.Fatal(err)
	}
	return &cdproto.Message{SessionID: "s", Method: cdproto.MethodType(method), Params: b}
}

// A client asks again with its sid as soon as it has the handshake's
// answer, and DevTools may report those requests before the answer: they
// are adopted once the answer is read, and every packet is recorded, in the
// order it happened.
func TestEngineIOAdoptsEarlyRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	fb := &fakeBrowser{answers: make(chan *cdproto.Message, 16), bodies: map[network.RequestID]string{
		"1": `0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`,
		"3": "40{\"sid\":\"x\"}\x1e42[\"welcome\"]",
	}}
	sink := &lines{}
	r := newTestRecorder(sink)
	r.c = newConn(fb)
	done := make(chan struct{})
	go func() { r.c.read(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	base := "http://h/socket.io/?EIO=4&transport=polling"
	req := func(id network.RequestID, method, u string, ts float64, body string) *cdproto.Message {
		rq := &network.Request{URL: u, Method: method, Headers: network.Headers{}}
		if body != "" {
			rq.HasPostData, rq.PostDataEntries = true, []*network.PostDataEntry{{Bytes: []byte(body)}}
		}
		return event(t, cdproto.EventNetworkRequestWillBeSent, &network.EventRequestWillBeSent{RequestID: id, Request: rq,
			Timestamp: cdp.MonotonicTime(ts), WallTime: 1.7e9, Type: network.ResourceTypeXHR})
	}
	resp := func(id network.RequestID, ts float64) *cdproto.Message {
		return event(t, cdproto.EventNetworkResponseReceived, &network.EventResponseReceived{RequestID: id,
			Timestamp: cdp.MonotonicTime(ts), Response: &network.Response{Status: 200, Headers: network.Headers{"Content-Type": "text/plain"}}})
	}
	fin := func(id network.RequestID, ts float64) *cdproto.Message {
		return event(t, cdproto.EventNetworkLoadingFinished, &network.EventLoadingFinished{RequestID: id, Timestamp: cdp.MonotonicTime(ts)})
	}
	for _, m := range []*cdproto.Message{
		req("1", "GET", base+"&t=a", 1.0, ""),
		req("2", "POST", base+"&sid=abc&t=b", 1.2, "40"), // before the handshake's answer is reported
		req("3", "GET", base+"&sid=abc&t=c", 1.21, ""),
		resp("1", 1.1), fin("1", 1.1),
		resp("2", 1.25), fin("2", 1.25),
		resp("3", 1.3), fin("3", 1.3),
	} {
		r.handle(ctx, m)
	}
	var got []string
	for _, e := range sink.all {
		switch e.Type {
		case format.TypeSession:
			got = append(got, "session "+e.EngineIO.SID)
		case format.TypeMessage:
			got = append(got, string(e.Dir)+" "+string(e.Data))
		}
	}
	want := []string{"session abc", "receive " + fb.bodies["1"], "send 40", `receive 40{"sid":"x"}`, `receive 42["welcome"]`}
	if len(got) != len(want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
	for i := 1; i < len(sink.all); i++ {
		if sink.all[i].Time.Before(sink.all[i-1].Time) {
			t.Errorf("line %d at %v, before line %d at %v", i, sink.all[i].Time, i-1, sink.all[i-1].Time)
		}
	}
}
