package recorder

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
)

// signalRHTTPUpstream is a hub on SignalR's HTTP transports, as
// TransportProtocols.md describes them: negotiate hands out tok-SECRET-<n>;
// GET <hub>?id= is the event stream (Accept: text/event-stream) or a poll
// (the first answered at once, empty; 204 once the connection is over);
// POST carries the client's records: the handshake is answered {}, an
// invocation of "add" its completion, then the server's Close (type 7).
func signalRHTTPUpstream(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	n := 0
	out := map[string]chan string{}
	polled := map[string]bool{}
	conn := func(id string) chan string {
		mu.Lock()
		defer mu.Unlock()
		if out[id] == nil {
			out[id] = make(chan string, 16)
		}
		return out[id]
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		switch {
		case strings.HasSuffix(r.URL.Path, "/negotiate"):
			mu.Lock()
			n++
			k := n
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"negotiateVersion":1,"connectionId":"c%d","connectionToken":"tok-SECRET-%d","availableTransports":[{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}`, k, k)
		case r.Method == http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			for _, rec := range strings.SplitAfter(string(body), "\x1e") {
				switch {
				case strings.Contains(rec, `"protocol":"json"`):
					conn(id) <- "{}\x1e"
				case strings.Contains(rec, `"target":"add"`):
					conn(id) <- `{"type":3,"invocationId":"0","result":3}` + "\x1e" + `{"type":6}` + "\x1e"
					conn(id) <- `{"type":7}` + "\x1e"
					close(conn(id))
				}
			}
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusAccepted)
		case strings.Contains(r.Header.Get("Accept"), "text/event-stream"):
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			for rec := range conn(id) {
				fmt.Fprintf(w, "data: %s\r\n\r\n", rec)
				w.(http.Flusher).Flush()
			}
		default:
			mu.Lock()
			first := !polled[id]
			polled[id] = true
			mu.Unlock()
			if first {
				return // the first poll: the connection is made
			}
			rec, ok := <-conn(id)
			if !ok {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			io.WriteString(w, rec)
		}
	}))
	t.Cleanup(up.Close)
	return up
}

// signalRHTTPClient runs one connection on transport through base: the
// negotiate, the handshake, an invocation of "add", and the polls or the
// stream until the server's Close; it returns what the client got.
func signalRHTTPClient(t *testing.T, base, transport string) string {
	t.Helper()
	do := func(method, url, accept, body string) *http.Response {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := do("POST", base+"/hub/negotiate?negotiateVersion=1", "", "")
	neg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := between(string(neg), `"connectionToken":"`, `"`)
	hub := base + "/hub?id=" + tok
	var got bytes.Buffer
	if transport == "ServerSentEvents" {
		stream := do("GET", hub, "text/event-stream", "")
		defer stream.Body.Close()
		do("POST", hub, "", "{\"protocol\":\"json\",\"version\":1}\x1e").Body.Close()
		rd := bufio.NewReader(stream.Body)
		first, _ := rd.ReadString('\x1e') // the handshake's answer, before the invocation
		do("POST", hub, "", `{"type":1,"invocationId":"0","target":"add","arguments":[1,2]}`+"\x1e").Body.Close()
		b, _ := io.ReadAll(rd)
		return first + string(b)
	}
	do("GET", hub+"&_=1", "", "").Body.Close()
	do("POST", hub, "", "{\"protocol\":\"json\",\"version\":1}\x1e").Body.Close()
	for i := 2; ; i++ {
		if i == 3 {
			do("POST", hub, "", `{"type":1,"invocationId":"0","target":"add","arguments":[1,2]}`+"\x1e").Body.Close()
		}
		poll := do("GET", fmt.Sprintf("%s&_=%d", hub, i), "", "")
		io.Copy(&got, poll.Body)
		poll.Body.Close()
		if poll.StatusCode == http.StatusNoContent {
			do("DELETE", hub, "", "").Body.Close()
			return got.String()
		}
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}

// TestSignalRHTTPTransportsRecorded: a SignalR connection on Server-Sent
// Events or long polling is relayed untouched and recorded with no flag as
// one session per connection token, marked signalr with its transport, its
// token hidden, its messages the hub protocol's records (the handshake,
// the invocation, the completion, the ping and the Close each one), ended
// by the server; two connections at once are two sessions.
func TestSignalRHTTPTransportsRecorded(t *testing.T) {
	for _, transport := range []string{"ServerSentEvents", "LongPolling"} {
		t.Run(transport, func(t *testing.T) {
			p, ts, sink, dir := proxyFor(t, signalRHTTPUpstream(t), nil)
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					got := signalRHTTPClient(t, ts.URL, transport)
					if !strings.Contains(got, `{"type":7}`) {
						t.Errorf("relayed %q, want the server's records through to its Close", got)
					}
				})
			}
			wg.Wait()
			nettest.WaitFor(t, "the sessions to end", func() bool { return p.Stats().Open == 0 })
			stopProxy(t, p, ts, sink)
			recs, _ := readRecordings(t, dir)
			conns := 0
			for _, evs := range recs {
				if s := dump(evs); strings.Contains(s, "SECRET") {
					t.Errorf("a recording holds the token: %s", s)
				}
				if evs[0].Kind != format.KindWebSocket {
					continue
				}
				conns++
				checkSignalRSession(t, evs, transport)
			}
			if conns != 2 {
				t.Errorf("got %d SignalR connection sessions, want 2 (one per token)", conns)
			}
		})
	}
}

func checkSignalRSession(t *testing.T, evs []*format.Event, transport string) {
	t.Helper()
	var msgs []string
	for _, e := range evs[1 : len(evs)-1] {
		msgs = append(msgs, string(e.Dir)+" "+string(e.Data))
	}
	want := []string{
		"send {\"protocol\":\"json\",\"version\":1}\x1e",
		"receive {}\x1e",
		"send {\"type\":1,\"invocationId\":\"0\",\"target\":\"add\",\"arguments\":[1,2]}\x1e",
		"receive {\"type\":3,\"invocationId\":\"0\",\"result\":3}\x1e",
		"receive {\"type\":6}\x1e",
		"receive {\"type\":7}\x1e",
	}
	s, end := evs[0], evs[len(evs)-1]
	if s.Protocol != "signalr" || s.Transport != transport || !strings.HasPrefix(s.URL, "/hub?id=%5Bredacted%5D") {
		t.Errorf("session line %s, want protocol signalr, transport %s, the token hidden", dump(evs[:1]), transport)
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if end.Type != format.TypeClose || end.By != format.ByServer || !end.Clean {
		t.Errorf("ending %s, want the server's clean end", dump(evs[len(evs)-1:]))
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Time.Before(evs[i-1].Time) {
			t.Errorf("line %d goes back in time", i)
		}
	}
}

// TestSignalRRecordsSplit: a text body is split after each 0x1e, a record
// each; a binary body (the MessagePack hub protocol's, whose records are
// length-prefixed and may hold 0x1e) is kept whole.
func TestSignalRRecordsSplit(t *testing.T) {
	sink := &seamSink{}
	p := &Proxy{Sink: sink}
	c := &signalRConn{reg: &p.signalR}
	c.httpSession = httpSession{p.newRecord("/hub", format.KindWebSocket, time.Now())}
	c.sink = sink
	c.records(format.Receive, []byte("{}\x1e{\"type\":6}\x1e"))
	msgpack := []byte{0x05, 0x95, 0x01, 0x1e, 0xc0, 0xff}
	c.records(format.Receive, msgpack)
	var got []string
	for _, e := range sink.evs {
		got = append(got, fmt.Sprintf("%v %q", e.Opcode, e.Data))
	}
	want := []string{fmt.Sprintf("%v %q", format.Text, "{}\x1e"), fmt.Sprintf("%v %q", format.Text, "{\"type\":6}\x1e"),
		fmt.Sprintf("%v %q", format.Binary, msgpack)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("recorded %q, want %q", got, want)
	}
}
