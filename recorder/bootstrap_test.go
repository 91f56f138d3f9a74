package recorder

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// bootstrapUpstream answers SignalR's negotiate, SockJS's /info, an
// application's own /api/info and /api/negotiate, and a hub WebSocket.
func bootstrapUpstream(t *testing.T) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/hub/negotiate":
			io.WriteString(w, `{"negotiateVersion":1,"connectionId":"cid-1","connectionToken":"tok-SECRET-1","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}`)
		case "/echo/info":
			io.WriteString(w, `{"websocket":true,"origins":["*:*"],"cookie_needed":false,"entropy":42}`)
		case "/api/info", "/api/negotiate":
			io.WriteString(w, `{"version":"1.2"}`)
		case "/hub":
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			c.Read(context.Background())
			c.Write(context.Background(), websocket.MessageText, []byte("{}\x1e"))
			c.Close(websocket.StatusNormalClosure, "")
		}
	}))
	t.Cleanup(up.Close)
	return up
}

// TestBootstrapRecorded: SignalR's negotiate and SockJS's /info are relayed
// untouched and recorded with no flag, each as a small poll session naming
// its protocol, the connectionToken hidden in the answer and in the
// WebSocket URL that presents it; an application's own /info is not.
func TestBootstrapRecorded(t *testing.T) {
	p, ts, sink, dir := proxyFor(t, bootstrapUpstream(t), nil)
	relayed := map[string]string{}
	for _, r := range []struct{ method, path string }{
		{"POST", "/hub/negotiate?negotiateVersion=1"}, {"GET", "/echo/info?t=1"}, {"GET", "/api/info"}, {"POST", "/api/negotiate"},
	} {
		req, _ := http.NewRequest(r.method, ts.URL+r.path, nil)
		req.Header.Set("Authorization", "Bearer abc")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		relayed[r.path] = string(body)
	}
	if !strings.Contains(relayed["/hub/negotiate?negotiateVersion=1"], `"connectionToken":"tok-SECRET-1"`) || !strings.Contains(relayed["/echo/info?t=1"], `"entropy":42`) {
		t.Fatalf("not relayed untouched: %q", relayed)
	}
	c := dial(t, ts, "/hub?id=tok-SECRET-1", nil)
	c.Write(t.Context(), websocket.MessageText, []byte("{\"protocol\":\"json\",\"version\":1}\x1e"))
	if _, data, err := c.Read(t.Context()); err != nil || string(data) != "{}\x1e" {
		t.Fatalf("hub: %q %v", data, err)
	}
	c.Read(t.Context()) // the close
	nettest.WaitFor(t, "the sessions to end", func() bool { return p.Stats().Open == 0 })
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	byURL := map[string][]*format.Event{}
	for _, evs := range recs {
		byURL[evs[0].URL] = evs
	}
	if len(recs) != 3 {
		t.Errorf("got %d sessions %v, want the two bootstraps and the hub's", len(recs), keys(byURL))
	}
	for _, tt := range []struct{ url, protocol, method, answer string }{
		{"/hub/negotiate?negotiateVersion=1", "signalr", "POST", `"connectionToken":"[redacted]"`},
		{"/echo/info?t=1", "sockjs", "GET", `"entropy":42`},
	} {
		evs := byURL[tt.url]
		if len(evs) != 4 || evs[0].Kind != format.KindPoll || evs[0].Protocol != tt.protocol ||
			evs[1].HTTP == nil || evs[1].HTTP.Method != tt.method || evs[1].HTTP.Headers["Authorization"][0] != Redacted ||
			evs[2].HTTP == nil || evs[2].HTTP.Status != 200 || !strings.Contains(string(evs[2].Data), tt.answer) || evs[3].Type != format.TypeClose {
			t.Errorf("%s: recorded %s, want a %s bootstrap session whose answer has %s", tt.url, dump(evs), tt.protocol, tt.answer)
		}
	}
	hub := byURL["/hub?id=%5Bredacted%5D"]
	if hub == nil {
		t.Errorf("the hub's WebSocket is not recorded with its token hidden: %v", keys(byURL))
	}
	for _, evs := range recs {
		if s := dump(evs); strings.Contains(s, "SECRET") {
			t.Errorf("a recording holds the token: %s", s)
		}
	}
}

func keys(m map[string][]*format.Event) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func dump(evs []*format.Event) string {
	var b strings.Builder
	for _, e := range evs {
		line, _ := format.AppendLine(nil, e)
		b.Write(line)
	}
	return b.String()
}

// TestBootstrapPolledHidesToken: a negotiate on a --poll path is recorded
// in the poller's session, and its answer's connectionToken is hidden
// there as in a bootstrap's, and in the WebSocket URL and the log lines
// that present it later.
func TestBootstrapPolledHidesToken(t *testing.T) {
	var logs bytes.Buffer
	p, ts, sink, dir := proxyFor(t, bootstrapUpstream(t), func(p *Proxy) {
		p.Poll = []string{"/hub/negotiate*"}
		p.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	resp, err := http.Post(ts.URL+"/hub/negotiate?negotiateVersion=1", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"connectionToken":"tok-SECRET-1"`) {
		t.Fatalf("not relayed untouched: %q", body)
	}
	c := dial(t, ts, "/hub?id=tok-SECRET-1", nil)
	c.Write(t.Context(), websocket.MessageText, []byte("{\"protocol\":\"json\",\"version\":1}\x1e"))
	c.Read(t.Context())
	c.Read(t.Context()) // the close
	nettest.WaitFor(t, "the hub's session to end", func() bool { return p.Stats().Open <= 1 })
	stopProxy(t, p, ts, sink)
	recs, _ := readRecordings(t, dir)
	var negotiate, hub string
	for _, evs := range recs {
		switch evs[0].URL {
		case "/hub/negotiate?negotiateVersion=1":
			negotiate = dump(evs)
		case "/hub?id=%5Bredacted%5D":
			hub = dump(evs)
		}
		if s := dump(evs); strings.Contains(s, "SECRET") {
			t.Errorf("a recording holds the token: %s", s)
		}
	}
	if !strings.Contains(negotiate, `\"connectionToken\":\"[redacted]\"`) || hub == "" {
		t.Errorf("negotiate polled: %s\nhub: %s\nwant the token hidden in both", negotiate, hub)
	}
	if strings.Contains(logs.String(), "SECRET") {
		t.Errorf("the log holds the token:\n%s", logs.String())
	}
}
