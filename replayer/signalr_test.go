package replayer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/coder/websocket"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
	"github.com/wsreplay/wsreplay/protocol"
)

// signalRHTTPRecording: a negotiate offering the three transports, and a
// connection recorded on long polling (as the recorder writes it): the
// handshake, a ping, an invocation of "add" with invocationId "0" and its
// completion, the server's Close (type 7), the server's end.
func signalRHTTPRecording(t *testing.T) string {
	evs := bootstrapSession("neg", "signalr", "POST", "/hub/negotiate?negotiateVersion=1",
		`{"negotiateVersion":1,"connectionId":"rec-id","connectionToken":"[redacted]","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]},{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}`, rec0)
	at := rec0.Add(10 * time.Millisecond)
	s := sessionLine("conn", "/hub?id=%5Bredacted%5D&_=1", "", at)
	s.Protocol, s.Transport = "signalr", "LongPolling"
	return writeRecording(t, append(evs, s,
		message("conn", at, format.Send, format.Text, []byte("{\"protocol\":\"json\",\"version\":1}\x1e")),
		message("conn", at.Add(time.Millisecond), format.Receive, format.Text, []byte("{}\x1e")),
		message("conn", at.Add(3*time.Millisecond), format.Receive, format.Text, []byte(`{"type":6}`+"\x1e")),
		message("conn", at.Add(5*time.Millisecond), format.Send, format.Text, []byte(`{"type":1,"invocationId":"0","target":"add","arguments":[1,2]}`+"\x1e")),
		message("conn", at.Add(6*time.Millisecond), format.Receive, format.Text, []byte(`{"type":3,"invocationId":"0","result":3}`+"\x1e")),
		message("conn", at.Add(8*time.Millisecond), format.Receive, format.Text, []byte(`{"type":7}`+"\x1e")),
		&format.Event{Type: format.TypeClose, Session: "conn", Time: at.Add(9 * time.Millisecond), By: format.ByServer, Code: 1000, Clean: true},
	)...)
}

// hubClient is a SignalR client's transport, as a test drives it.
type hubClient interface {
	send(rec string)
	recv() (string, bool) // the next record from the server; false at the connection's end
}

// TestSignalRTransportsReplay: a SignalR connection recorded on long
// polling replays to a client on each transport, with only the URL
// changed: the token negotiate handed out is accepted, the handshake
// answered, the recorded ping left out (pings are made live), the
// completion held until the live invocation and given its invocationId, then the Close (type 7) and the end of the connection
// (a 204 to the poll, the stream's end, the WebSocket's close); two
// start()s each get the session.
func TestSignalRTransportsReplay(t *testing.T) {
	for _, transport := range []string{"WebSockets", "ServerSentEvents", "LongPolling"} {
		t.Run(transport, func(t *testing.T) {
			var logs nettest.Buffer
			ts := startServer(t, &Server{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, File(signalRHTTPRecording(t)))
			for start := range 2 {
				var neg negotiated
				if err := json.Unmarshal(bootstrapRequest(t, ts, "POST", "/hub/negotiate?negotiateVersion=1"), &neg); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(neg.AvailableTransports), `"`+transport+`"`) {
					t.Fatalf("negotiate offers %s, want %s", neg.AvailableTransports, transport)
				}
				c := connectHub(t, ts, transport, "/hub?id="+neg.ConnectionToken)
				c.send("{\"protocol\":\"json\",\"version\":1}\x1e")
				if rec, _ := c.recv(); rec != "{}\x1e" {
					t.Fatalf("start %d: handshake answered %q, want {}", start, rec)
				}
				time.Sleep(200 * time.Millisecond) // slower than recorded: the completion must wait
				sent := time.Now()
				c.send(`{"type":1,"invocationId":"7","target":"add","arguments":[1,2]}` + "\x1e")
				var got []string
				for {
					rec, ok := c.recv()
					if !ok {
						break
					}
					got = append(got, rec)
				}
				want := []string{`{"type":3,"invocationId":"7","result":3}` + "\x1e", `{"type":7}` + "\x1e"}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("start %d: got %q, want %q", start, got, want)
				}
				if time.Since(sent) > 10*time.Second {
					t.Errorf("start %d: the end took %v", start, time.Since(sent))
				}
				if transport != "WebSockets" {
					// An EventSource reconnecting after the end gets 404,
					// not the next session.
					nettest.WaitFor(t, "the replay to end", func() bool { return ts.Config.Handler.(*Server).signalR.get(neg.ConnectionToken) == nil })
					req, _ := http.NewRequest("GET", ts.URL+"/hub?id="+neg.ConnectionToken, nil)
					req.Header.Set("Accept", "text/event-stream")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusNotFound {
						t.Errorf("start %d: a GET after the end: %d, want 404", start, resp.StatusCode)
					}
				}
			}
			ts.Close()
			if out := logs.String(); strings.Contains(out, "cannot answer") || strings.Count(out, "msg=connected") != 2 ||
				strings.Count(out, "transport="+transport) < 2 && transport != "WebSockets" {
				t.Errorf("log:\n%s", out)
			}
		})
	}
}

// connectHub opens a connection on transport at path, as @microsoft/signalr
// does.
func connectHub(t *testing.T, ts *httptest.Server, transport, path string) hubClient {
	t.Helper()
	switch transport {
	case "WebSockets":
		return &wsHub{t: t, c: dial(t, ts, path)}
	case "ServerSentEvents":
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept", "text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("event stream: %v %v", resp, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return &sseHub{t: t, url: ts.URL + path, r: bufio.NewReader(resp.Body)}
	}
	h := &pollHub{t: t, url: ts.URL + path}
	if resp := h.do("GET", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("first poll: %d, want 200", resp.StatusCode)
	}
	return h
}

type wsHub struct {
	t    *testing.T
	c    *websocket.Conn
	held []string
}

func (h *wsHub) send(rec string) { h.c.Write(context.Background(), websocket.MessageText, []byte(rec)) }

func (h *wsHub) recv() (string, bool) {
	for len(h.held) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, data, err := h.c.Read(ctx)
		cancel()
		if err != nil {
			return "", false
		}
		h.held = splitRecords(string(data))
	}
	rec := h.held[0]
	h.held = h.held[1:]
	return rec, true
}

type sseHub struct {
	t    *testing.T
	url  string
	r    *bufio.Reader
	held []string
}

func (h *sseHub) send(rec string) { post(h.t, h.url, rec) }

func (h *sseHub) recv() (string, bool) {
	for len(h.held) == 0 {
		line, err := h.r.ReadString('\n')
		if err != nil {
			return "", false
		}
		if data, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "data: "); ok {
			h.held = splitRecords(data)
		}
	}
	rec := h.held[0]
	h.held = h.held[1:]
	return rec, true
}

type pollHub struct {
	t    *testing.T
	url  string
	held []string
	over bool
}

func (h *pollHub) send(rec string) { post(h.t, h.url, rec) }

func (h *pollHub) do(method, body string) *http.Response {
	req, _ := http.NewRequest(method, h.url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if method == "GET" && resp.StatusCode == http.StatusOK {
		h.held = append(h.held, splitRecords(string(b))...)
	}
	return resp
}

func (h *pollHub) recv() (string, bool) {
	for len(h.held) == 0 && !h.over {
		if h.do("GET", "").StatusCode == http.StatusNoContent {
			h.over = true
			h.do("DELETE", "")
		}
	}
	if len(h.held) == 0 {
		return "", false
	}
	rec := h.held[0]
	h.held = h.held[1:]
	return rec, true
}

func post(t *testing.T, url, body string) {
	resp, err := http.Post(url, "text/plain", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("send: %v %v, want 200", resp, err)
		return
	}
	resp.Body.Close()
}

func splitRecords(s string) []string {
	var out []string
	for _, rec := range strings.SplitAfter(s, "\x1e") {
		if rec != "" {
			out = append(out, rec)
		}
	}
	return out
}

// TestSignalRPingsLive: an HTTP transport's replay sends the server's Ping
// (type 6) every 15 s on its own clock, queued for the stream or the next
// poll as the recorded messages are, until it is stopped.
func TestSignalRPingsLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		r := &signalRReplay{rp: &replayLife{ctx: ctx, cancel: cancel, ioCtx: ctx}, wake: make(chan struct{}), closeSeen: make(chan struct{})}
		r.beats = newLiveBeats(nil)
		r.beats.found(protocol.SignalR{})
		r.beats.askBeat()
		stop := r.beatLive()
		queued := func() string {
			synctest.Wait()
			recs, _, _, _ := r.take()
			return string(bytes.Join(recs, nil))
		}
		time.Sleep(15*time.Second - time.Millisecond)
		if got := queued(); got != "" {
			t.Errorf("before 15 s: %q, want nothing", got)
		}
		for i := range 2 {
			time.Sleep(time.Millisecond)
			if got := queued(); got != "{\"type\":6}\x1e" {
				t.Errorf("ping %d: %q, want {\"type\":6}", i, got)
			}
			time.Sleep(15*time.Second - time.Millisecond)
		}
		stop()
		time.Sleep(time.Minute)
		if got := queued(); got != "" {
			t.Errorf("after stop: %q, want nothing", got)
		}
	})
}
