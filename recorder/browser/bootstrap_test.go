package browser

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"

	"github.com/wsreplay/wsreplay/format"
)

// The page's secrets in these tests: a query token and a fragment token
// in its URL, and the connectionToken its negotiate hands out.
const (
	secretPage  = "http://h/app?token=QSECRET&x=1#access_token=FRAGSECRET"
	secretToken = "CONNTOKSECRET123"
	negotiateOK = `{"negotiateVersion":1,"connectionId":"cid-1","connectionToken":"` + secretToken + `","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}`
	sockJSInfo  = `{"websocket":true,"origins":["*:*"],"cookie_needed":false,"entropy":42}`
)

// attachedPage is the event of the recorder attached to a tab on u.
func attachedPage(t *testing.T, u string) *cdproto.Message {
	return event(t, cdproto.EventTargetAttachedToTarget, &target.EventAttachedToTarget{SessionID: "s",
		TargetInfo: &target.Info{TargetID: "t1", Type: "page", URL: u}})
}

// wsEvents are the events of a WebSocket to u opened at ts, and one frame
// error on it.
func wsEvents(t *testing.T, id network.RequestID, u string, ts float64) []*cdproto.Message {
	return []*cdproto.Message{
		event(t, cdproto.EventNetworkWebSocketCreated, &network.EventWebSocketCreated{RequestID: id, URL: u}),
		event(t, cdproto.EventNetworkWebSocketWillSendHandshakeRequest, &network.EventWebSocketWillSendHandshakeRequest{RequestID: id,
			Timestamp: cdp.MonotonicTime(ts), WallTime: 1.7e9, Request: &network.WebSocketRequest{Headers: network.Headers{}}}),
		event(t, cdproto.EventNetworkWebSocketHandshakeResponseReceived, &network.EventWebSocketHandshakeResponseReceived{RequestID: id,
			Timestamp: cdp.MonotonicTime(ts + 0.01), Response: &network.WebSocketResponse{Status: 101, Headers: network.Headers{}}}),
		event(t, cdproto.EventNetworkWebSocketFrameError, &network.EventWebSocketFrameError{RequestID: id,
			Timestamp: cdp.MonotonicTime(ts + 0.02), ErrorMessage: "bad frame"}),
	}
}

// SignalR's negotiate and SockJS's /info are recorded as the proxy records
// them, bootstrap sessions naming their protocol; the connectionToken is
// hidden in the answer, and in the hub's WebSocket URL, its session and
// its log lines, whether DevTools reports the negotiate finished before
// the socket opens or after; on a --poll path the negotiate is the
// poller's, its token hidden as well. An application's own /negotiate is
// plain HTTP. The page's URL keeps neither its query token nor its
// fragment, in the session lines or the log.
func TestBootstrapTokenHidden(t *testing.T) {
	negotiate := func(t *testing.T) []*cdproto.Message {
		return []*cdproto.Message{
			pollRequest(t, "1", "POST", "http://h/hub/negotiate?negotiateVersion=1", 1.0, ""),
			pollResponse(t, "1", 1.1),
		}
	}
	cases := []struct {
		name      string
		poll      []string
		events    func(t *testing.T) []*cdproto.Message
		bootstrap int // bootstrap sessions recorded
	}{
		{"finished before the socket", nil, func(t *testing.T) []*cdproto.Message {
			evs := append(negotiate(t), pollFinished(t, "1", 1.1))
			evs = append(evs, pollRequest(t, "3", "GET", "http://h/echo/info?t=1", 1.2, ""), pollResponse(t, "3", 1.3), pollFinished(t, "3", 1.3))
			evs = append(evs, pollRequest(t, "4", "POST", "http://h/api/negotiate", 1.2, ""), pollResponse(t, "4", 1.3), pollFinished(t, "4", 1.3))
			return append(evs, wsEvents(t, "2", "ws://h/hub?id="+secretToken, 1.5)...)
		}, 2},
		{"finished after the socket opened", nil, func(t *testing.T) []*cdproto.Message {
			evs := append(negotiate(t), wsEvents(t, "2", "ws://h/hub?id="+secretToken, 1.15)...)
			return append(evs, pollFinished(t, "1", 1.2))
		}, 1},
		{"polled", []string{"/hub/negotiate*"}, func(t *testing.T) []*cdproto.Message {
			evs := append(negotiate(t), pollFinished(t, "1", 1.1))
			return append(evs, wsEvents(t, "2", "ws://h/hub?id="+secretToken, 1.5)...)
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fb := &fakeBrowser{answers: make(chan *cdproto.Message, 16), bodies: map[network.RequestID]string{
				"1": negotiateOK, "3": sockJSInfo, "4": `{"version":"1.2"}`}}
			sink := &lines{}
			r, ctx := startFake(t, fb, sink)
			var logs bytes.Buffer
			r.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r.Poll = c.poll
			r.handle(ctx, attachedPage(t, secretPage))
			for _, m := range c.events(t) {
				r.handle(ctx, m)
			}
			r.endAll(endStopped, r.at(2))

			var all strings.Builder
			sessions := map[string][]*format.Event{}
			var order []string
			for _, e := range sink.all {
				line, _ := format.AppendLine(nil, e)
				all.Write(line)
				if e.Type == format.TypeSession {
					order = append(order, e.Session)
				}
				sessions[e.Session] = append(sessions[e.Session], e)
			}
			for _, secret := range []string{secretToken, "QSECRET", "FRAGSECRET"} {
				if strings.Contains(all.String(), secret) {
					t.Errorf("the recording holds %s:\n%s", secret, all.String())
				}
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the log holds %s:\n%s", secret, logs.String())
				}
			}
			boots, hub := 0, false
			for _, id := range order {
				evs := sessions[id]
				if evs[0].Page != "http://h/app?token=%5Bredacted%5D&x=1" {
					t.Errorf("session %s: page %q", evs[0].URL, evs[0].Page)
				}
				switch {
				case evs[0].URL == "/hub?id=%5Bredacted%5D" && evs[0].Upstream == "ws://h/hub?id=%5Bredacted%5D":
					hub = true
				case evs[0].URL == "/hub/negotiate?negotiateVersion=1" && c.poll != nil:
					if len(evs) < 3 || !strings.Contains(string(evs[2].Data), `"connectionToken":"[redacted]"`) {
						t.Errorf("the polled negotiate: %s", dump(evs))
					}
				case evs[0].Protocol != "":
					boots++
					checkBootstrap(t, evs)
				}
			}
			if !hub || boots != c.bootstrap {
				t.Errorf("hub's WebSocket recorded with its token hidden: %v; %d bootstrap sessions, want %d:\n%s", hub, boots, c.bootstrap, all.String())
			}
			if !strings.Contains(logs.String(), `"session started"`) || !strings.Contains(logs.String(), `"session ended"`) {
				t.Errorf("the log has no session lines:\n%s", logs.String())
			}
		})
	}
}

// checkBootstrap checks a bootstrap session as the proxy records one:
// kind poll, the request and its answer, the answer's token hidden, and a
// close line "bootstrap answered".
func checkBootstrap(t *testing.T, evs []*format.Event) {
	t.Helper()
	want := map[string]struct{ url, method, answer string }{
		"signalr": {"/hub/negotiate?negotiateVersion=1", "POST", `"connectionToken":"[redacted]"`},
		"sockjs":  {"/echo/info?t=1", "GET", `"entropy":42`},
	}[evs[0].Protocol]
	if len(evs) != 4 || evs[0].Kind != format.KindPoll || evs[0].URL != want.url ||
		evs[1].HTTP == nil || evs[1].HTTP.Method != want.method || evs[1].HTTP.URL != want.url ||
		evs[2].HTTP == nil || evs[2].HTTP.Status != 200 || !strings.Contains(string(evs[2].Data), want.answer) ||
		evs[3].Type != format.TypeClose || evs[3].Reason != "bootstrap answered" || evs[3].Code != 1000 || !evs[3].Clean {
		t.Errorf("a %s bootstrap recorded as\n%s", evs[0].Protocol, dump(evs))
	}
}

func dump(evs []*format.Event) string {
	var b strings.Builder
	for _, e := range evs {
		line, _ := format.AppendLine(nil, e)
		b.Write(line)
	}
	return b.String()
}

// The page given to open is logged, and named in an error, without its
// secrets, when it cannot be opened.
func TestOpenNamesNoSecret(t *testing.T) {
	cases := []struct {
		name string
		fail cdproto.MethodType
		run  func(t *testing.T, r *Recorder) error
	}{
		{"navigate", page.CommandNavigate, func(t *testing.T, r *Recorder) error {
			r.handle(t.Context(), attachedPage(t, "about:blank"))
			return nil
		}},
		{"new tab", target.CommandCreateTarget, func(t *testing.T, r *Recorder) error {
			return r.attachBrowser(t.Context())
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fb := &fakeBrowser{answers: make(chan *cdproto.Message, 16), fail: map[cdproto.MethodType]string{c.fail: "Cannot navigate"}}
			r, _ := startFake(t, fb, &lines{})
			var logs bytes.Buffer
			r.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			r.Open = secretPage
			err := c.run(t, r)
			said := logs.String()
			if err != nil {
				said += err.Error()
			}
			if !strings.Contains(said, "Cannot navigate") || !strings.Contains(said, "http://h/app?token=") {
				t.Fatalf("the failure to open the page is not told: %q", said)
			}
			for _, secret := range []string{"QSECRET", "FRAGSECRET"} {
				if strings.Contains(said, secret) {
					t.Errorf("%q holds %s", said, secret)
				}
			}
		})
	}
}
