package replayer

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// bootstrapSession is a recorded bootstrap as the recorder writes it: a
// poll session naming the protocol, its request and its answer.
func bootstrapSession(id, proto, method, url, answer string, at time.Time) []*format.Event {
	return []*format.Event{
		{Type: format.TypeSession, Version: 1, Session: id, Time: at, URL: url, Kind: format.KindPoll, Protocol: proto},
		{Type: format.TypeMessage, Session: id, Time: at, Dir: format.Send, Opcode: format.Text, Data: []byte{},
			HTTP: &format.HTTP{Method: method, URL: url}},
		{Type: format.TypeMessage, Session: id, Time: at.Add(time.Millisecond), Dir: format.Receive, Opcode: format.Text,
			Data: []byte(answer), HTTP: &format.HTTP{Status: 200, Headers: map[string][]string{"Content-Type": {"application/json"}}}},
		{Type: format.TypeClose, Session: id, Time: at.Add(2 * time.Millisecond), By: format.ByServer, Code: 1000, Clean: true},
	}
}

const recordedTransports = `[{"transport":"WebSockets","transferFormats":["Text","Binary"]},{"transport":"ServerSentEvents","transferFormats":["Text"]}]`

// signalRRecording: a negotiate, and the hub's WebSocket session with its
// token redacted, as the recorder writes them; with bootstrap false, the
// WebSocket session alone (an older recording).
func signalRRecording(t *testing.T, bootstrap bool) string {
	var evs []*format.Event
	if bootstrap {
		evs = bootstrapSession("neg", "signalr", "POST", "/hub/negotiate?negotiateVersion=1",
			`{"negotiateVersion":1,"connectionId":"rec-id","connectionToken":"[redacted]","availableTransports":`+recordedTransports+`}`, rec0)
	}
	at := rec0.Add(10 * time.Millisecond)
	evs = append(evs, sessionLine("hub", "/hub?id=%5Bredacted%5D", "", at),
		message("hub", at, format.Send, format.Text, []byte("{\"protocol\":\"json\",\"version\":1}\x1e")),
		message("hub", at.Add(time.Millisecond), format.Receive, format.Text, []byte("{}\x1e")),
		message("hub", at.Add(2*time.Millisecond), format.Receive, format.Text, []byte("{\"type\":1,\"target\":\"news\",\"arguments\":[\"hello\"]}\x1e")),
	)
	return writeRecording(t, evs...)
}

type negotiated struct {
	NegotiateVersion    int             `json:"negotiateVersion"`
	ConnectionID        string          `json:"connectionId"`
	ConnectionToken     string          `json:"connectionToken"`
	AvailableTransports json.RawMessage `json:"availableTransports"`
}

// bootstrapRequest makes a bootstrap request from a page's origin and
// returns its answer's body, which must be a 200 with CORS for the page.
func bootstrapRequest(t *testing.T, ts *httptest.Server, method, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, nil)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Fatalf("%s %s: %d %q, CORS %q; want 200 for the page", method, path, resp.StatusCode, body, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	return body
}

// TestSignalRNegotiateReplay: every negotiate (a second start(), a reload)
// gets a fresh connectionId and connectionToken with the recorded
// transports; the WebSocket presenting the token gets the hub's session.
// Without a recorded negotiate, the answer comes from the protocol alone.
func TestSignalRNegotiateReplay(t *testing.T) {
	for _, tt := range []struct {
		name       string
		bootstrap  bool
		transports string
	}{
		{"recorded negotiate", true, recordedTransports},
		{"no negotiate recorded", false, `[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs nettest.Buffer
			ts := startServer(t, &Server{Speed: 1000, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, File(signalRRecording(t, tt.bootstrap)))
			var got [2]negotiated
			for i := range got {
				if err := json.Unmarshal(bootstrapRequest(t, ts, "POST", "/hub/negotiate?negotiateVersion=1"), &got[i]); err != nil {
					t.Fatal(err)
				}
				if got[i].NegotiateVersion != 1 || got[i].ConnectionID == "" || got[i].ConnectionToken == "" || got[i].ConnectionID == "rec-id" {
					t.Errorf("negotiate %d: %+v, want version 1 and fresh ids", i, got[i])
				}
				if string(got[i].AvailableTransports) != tt.transports {
					t.Errorf("negotiate %d: transports %s, want %s", i, got[i].AvailableTransports, tt.transports)
				}
			}
			if got[0].ConnectionID == got[1].ConnectionID || got[0].ConnectionToken == got[1].ConnectionToken {
				t.Errorf("two negotiates got the same ids: %+v", got)
			}
			c := dial(t, ts, "/hub?id="+got[1].ConnectionToken)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Write(ctx, websocket.MessageText, []byte("{\"protocol\":\"json\",\"version\":1}\x1e")); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"{}\x1e", "{\"type\":1,\"target\":\"news\",\"arguments\":[\"hello\"]}\x1e"} {
				if _, data, err := c.Read(ctx); err != nil || string(data) != want {
					t.Fatalf("read %q, %v; want %q", data, err, want)
				}
			}
			c.Close(websocket.StatusNormalClosure, "")
			ts.Close()
			if strings.Contains(logs.String(), "note=") {
				t.Errorf("the token in the URL read as another path:\n%s", logs.String())
			}
		})
	}
}

// sockJSRecording: an /info and a session on /echo/<server>/<session>/websocket.
func sockJSRecording(t *testing.T, bootstrap bool) string {
	var evs []*format.Event
	if bootstrap {
		evs = bootstrapSession("info", "sockjs", "GET", "/echo/info?t=1",
			`{"entropy":1234,"origins":["*:*"],"cookie_needed":true,"websocket":true}`, rec0)
		evs[0].URL = "/echo/info?t=1"
	}
	at := rec0.Add(10 * time.Millisecond)
	evs = append(evs, sessionLine("sock", "/echo/123/abcdefgh/websocket", "", at),
		message("sock", at, format.Receive, format.Text, []byte("o")),
		message("sock", at.Add(time.Millisecond), format.Receive, format.Text, []byte(`a["hello"]`)),
		&format.Event{Type: format.TypeClose, Session: "sock", Time: at.Add(2 * time.Millisecond), By: format.ByServer, Code: 1000, Clean: true},
	)
	return writeRecording(t, evs...)
}

// TestBootstrapPreflight: a page's CORS preflight for negotiate (the
// browser client sends X-Requested-With) is answered for that page.
func TestBootstrapPreflight(t *testing.T) {
	ts := startServer(t, &Server{}, File(signalRRecording(t, true)))
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/hub/negotiate?negotiateVersion=1", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "x-requested-with, x-signalr-user-agent")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-signalr-user-agent") {
		t.Errorf("preflight: %d %v, want 204 allowing the page, POST and its headers", resp.StatusCode, h)
	}
}

// TestSockJSInfoReplay: every /info gets the recorded websocket,
// cookie_needed and origins with a fresh entropy (from the protocol alone
// without a recorded one); the websocket on new random path parts gets the
// session, with no note of another path.
func TestSockJSInfoReplay(t *testing.T) {
	for _, tt := range []struct {
		name         string
		bootstrap    bool
		cookieNeeded bool
	}{
		{"recorded info", true, true},
		{"no info recorded", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs nettest.Buffer
			ts := startServer(t, &Server{Speed: 1000, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, File(sockJSRecording(t, tt.bootstrap)))
			var entropies []int64
			for range 2 {
				var info struct {
					WebSocket    bool     `json:"websocket"`
					CookieNeeded bool     `json:"cookie_needed"`
					Origins      []string `json:"origins"`
					Entropy      int64    `json:"entropy"`
				}
				if err := json.Unmarshal(bootstrapRequest(t, ts, "GET", "/echo/info?t=99"), &info); err != nil {
					t.Fatal(err)
				}
				if !info.WebSocket || info.CookieNeeded != tt.cookieNeeded || len(info.Origins) != 1 || info.Origins[0] != "*:*" {
					t.Errorf("info %+v, want websocket, cookie_needed %v, origins [*:*]", info, tt.cookieNeeded)
				}
				entropies = append(entropies, info.Entropy)
			}
			if entropies[0] == entropies[1] || entropies[0] == 1234 {
				t.Errorf("entropy %v: want fresh ones", entropies)
			}
			c := dial(t, ts, "/echo/987/zyxwvuts/websocket")
			got, _ := readUntilEnd(t, c)
			if len(got) != 2 || string(got[0].data) != "o" || string(got[1].data) != `a["hello"]` {
				t.Errorf("got %v, want o and a[\"hello\"]", got)
			}
			ts.Close()
			if out := logs.String(); strings.Contains(out, "note=") || !strings.Contains(out, "endpoint=/echo/*/*/websocket") {
				t.Errorf("log should name the endpoint and make no note of another path:\n%s", out)
			}
		})
	}
}

// TestFallbackTransportLogged: a transport the replay does not serve gets
// 404 and one line naming the request and what it would need.
func TestFallbackTransportLogged(t *testing.T) {
	for _, tt := range []struct{ name, method, path, accept, want string }{
		{"sockjs xhr_streaming", "POST", "/echo/123/abcd/xhr_streaming?t=1", "", "the SockJS xhr-streaming transport"},
		{"sockjs iframe", "GET", "/echo/iframe.html", "", "the SockJS iframe page"},
		{"signalr sse", "GET", "/hub?id=tok", "text/event-stream", "the SignalR Server-Sent Events transport"},
		{"signalr long polling", "GET", "/hub?id=tok&_=17", "", "the SignalR long polling transport"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs nettest.Buffer
			ts := startServer(t, &Server{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, File(sockJSRecording(t, true)))
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ts.Close()
			out := logs.String()
			if resp.StatusCode != http.StatusNotFound || strings.Count(out, "cannot answer") != 1 ||
				!strings.Contains(out, "cannot answer "+tt.want) || !strings.Contains(out, "asked=\""+tt.method+" "+tt.path+"\"") || !strings.Contains(out, "need=") {
				t.Errorf("status %d, log:\n%s\nwant 404 and one line on %s", resp.StatusCode, out, tt.want)
			}
		})
	}
}
