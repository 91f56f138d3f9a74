package e2e

import (
	"strings"
	"testing"
)

// @microsoft/signalr 10 with each HTTP transport forced (withUrl(url,
// { transport: HttpTransportType.ServerSentEvents }), LongPolling) against
// the hub server written from the published protocol documents, through
// wsreplay record with no flag, then against wsreplay serve with only the
// URL changed: the same transcript for two start()s of one HubConnection,
// each negotiate answered with fresh ids and the recorded transports, each
// connection token's requests recorded as one session marked signalr with
// its transport, its token hidden, and played on the transport the client
// chose.
func TestSignalRTransportsNoFlag(t *testing.T) {
	need(t, false)
	for _, tt := range []struct{ transport, class string }{
		{"ServerSentEvents", "ServerSentEventsTransport"},
		{"LongPolling", "LongPollingTransport"},
	} {
		t.Run(tt.transport, func(t *testing.T) {
			_, port := startNode(t, "signalr-server.mjs")
			proxyURL, stopRecord := record(t, port)
			var live []signalRRun
			runNode(t, &live, "signalr-client.mjs", httpURL(proxyURL)+"/hub", tt.transport)
			dir := stopRecord()
			if len(live) != 2 || live[0].Transport != tt.class || len(live[1].News) != 3 || len(live[1].Results) != 2 {
				t.Fatalf("live run: %+v", live)
			}
			got := recordedSessionLines(t, dir)
			conns := 0
			for _, line := range got {
				if strings.HasPrefix(line, "websocket signalr /hub?id=%5Bredacted%5D") {
					conns++
				}
			}
			if conns != 2 || len(got) != 4 {
				t.Errorf("recorded sessions %q, want the two negotiates and one signalr session per connection token", got)
			}
			if n := countInRecordings(t, dir, `"transport":"`+tt.transport+`"`); n != 2 {
				t.Errorf("%d sessions marked with the transport %s, want 2", n, tt.transport)
			}
			if n := countInRecordings(t, dir, `"text":"{\"type\":1,\"target\":\"news\",\"arguments\":[\"room 1 1\"]}\u001e"`); n != 1 {
				t.Errorf("the news recorded %d times as a hub record of its own, want once", n)
			}
			url := httpURL(serve(t, dir))
			var replay []signalRRun
			runNode(t, &replay, "signalr-client.mjs", url+"/hub", tt.transport)
			sameJSON(t, "@microsoft/signalr on "+tt.transport, live, replay)
		})
	}
}
