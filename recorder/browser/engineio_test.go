package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wsreplay/wsreplay/format"
)

// fakeBrowser is a chromedp.Transport that answers Network.getResponseBody
// with the bodies it holds by request id, the methods of fail with their
// error, and every other command with {}.
type fakeBrowser struct {
	bodies  map[network.RequestID]string
	fail    map[cdproto.MethodType]string
	answers chan *cdproto.Message
}

func (f *fakeBrowser) Write(_ context.Context, m *cdproto.Message) error {
	if msg, ok := f.fail[m.Method]; ok {
		f.answers <- &cdproto.Message{ID: m.ID, Error: &cdproto.Error{Code: -32000, Message: msg}}
		return nil
	}
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

// Engine.IO polling events of the target "s", at browser timestamp ts.
func pollRequest(t *testing.T, id network.RequestID, method, u string, ts float64, body string) *cdproto.Message {
	rq := &network.Request{URL: u, Method: method, Headers: network.Headers{}}
	if body != "" {
		rq.HasPostData, rq.PostDataEntries = true, []*network.PostDataEntry{{Bytes: []byte(body)}}
	}
	return event(t, cdproto.EventNetworkRequestWillBeSent, &network.EventRequestWillBeSent{RequestID: id, Request: rq,
		Timestamp: cdp.MonotonicTime(ts), WallTime: 1.7e9, Type: network.ResourceTypeXHR})
}

func pollResponse(t *testing.T, id network.RequestID, ts float64) *cdproto.Message {
	return event(t, cdproto.EventNetworkResponseReceived, &network.EventResponseReceived{RequestID: id,
		Timestamp: cdp.MonotonicTime(ts), Response: &network.Response{Status: 200, Headers: network.Headers{"Content-Type": "text/plain"}}})
}

func pollData(t *testing.T, id network.RequestID, ts float64) *cdproto.Message {
	return event(t, cdproto.EventNetworkDataReceived, &network.EventDataReceived{RequestID: id, Timestamp: cdp.MonotonicTime(ts), DataLength: 1})
}

func pollFinished(t *testing.T, id network.RequestID, ts float64) *cdproto.Message {
	return event(t, cdproto.EventNetworkLoadingFinished, &network.EventLoadingFinished{RequestID: id, Timestamp: cdp.MonotonicTime(ts)})
}

// startFake is a Recorder reading from fb, recording into sink, until the
// test ends.
func startFake(t *testing.T, fb *fakeBrowser, sink *lines) (*Recorder, context.Context) {
	ctx, cancel := context.WithCancel(t.Context())
	r := newTestRecorder(sink)
	r.c = newConn(fb)
	done := make(chan struct{})
	go func() { r.c.read(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, ctx
}

// The handshake's answer, sid "abc".
const openABC = `0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`

// A client asks again with its sid as soon as it has the handshake's
// answer, and DevTools may report those requests before the answer: they
// are adopted once the answer is read, and every packet is recorded, in the
// order it happened.
func TestEngineIOAdoptsEarlyRequests(t *testing.T) {
	fb := &fakeBrowser{answers: make(chan *cdproto.Message, 16), bodies: map[network.RequestID]string{
		"1": openABC,
		"3": "40{\"sid\":\"x\"}\x1e42[\"welcome\"]",
	}}
	sink := &lines{}
	r, ctx := startFake(t, fb, sink)

	base := "http://h/socket.io/?EIO=4&transport=polling"
	for _, m := range []*cdproto.Message{
		pollRequest(t, "1", "GET", base+"&t=a", 1.0, ""),
		pollRequest(t, "2", "POST", base+"&sid=abc&t=b", 1.2, "40"), // before the handshake's answer is reported
		pollRequest(t, "3", "GET", base+"&sid=abc&t=c", 1.21, ""),
		pollResponse(t, "1", 1.1), pollFinished(t, "1", 1.1),
		pollResponse(t, "2", 1.25), pollFinished(t, "2", 1.25),
		pollResponse(t, "3", 1.3), pollFinished(t, "3", 1.3),
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

// A polling response's packets are the page's once its body has come, not
// when its headers did: they are recorded at the last dataReceived (the
// page may answer them, here with a POST, before DevTools reports the
// response finished), or at loadingFinished when no data was reported.
func TestEngineIOPacketsAtBodyArrival(t *testing.T) {
	fb := &fakeBrowser{answers: make(chan *cdproto.Message, 16), bodies: map[network.RequestID]string{
		"1": openABC,
		"2": `42["tick",{"n":1}]`,
		"4": `42["tick",{"n":2}]`,
	}}
	sink := &lines{}
	r, ctx := startFake(t, fb, sink)

	base := "http://h/socket.io/?EIO=4&transport=polling"
	for _, m := range []*cdproto.Message{
		pollRequest(t, "1", "GET", base+"&t=a", 1.0, ""),
		pollResponse(t, "1", 1.1), pollFinished(t, "1", 1.1),
		pollRequest(t, "2", "GET", base+"&sid=abc&t=b", 1.2, ""),
		pollResponse(t, "2", 2.0), // headers, then the body a while later
		pollData(t, "2", 2.3),
		pollRequest(t, "3", "POST", base+"&sid=abc&t=c", 2.35, "42[\"got\"]"), // the page's answer to the body
		pollFinished(t, "2", 2.3),
		pollResponse(t, "3", 2.36), pollFinished(t, "3", 2.36),
		pollRequest(t, "4", "GET", base+"&sid=abc&t=d", 2.4, ""),
		pollResponse(t, "4", 3.0), pollFinished(t, "4", 3.2), // no dataReceived reported
	} {
		r.handle(ctx, m)
	}
	var got []string
	var start time.Time
	for _, e := range sink.all {
		switch e.Type {
		case format.TypeSession:
			start = e.Time
		case format.TypeMessage:
			got = append(got, fmt.Sprintf("+%.2fs %s %s", e.Time.Sub(start).Seconds(), e.Dir, e.Data))
		}
	}
	want := []string{
		"+0.10s receive " + openABC,
		`+1.30s receive 42["tick",{"n":1}]`,
		`+1.35s send 42["got"]`,
		`+2.20s receive 42["tick",{"n":2}]`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
