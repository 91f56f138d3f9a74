package e2e

import (
	"strings"
	"testing"
)

// sockjs-client 1.6 against sockjs-node 0.3 with each transport forced,
// and the default: recorded through wsreplay record with no flag, one
// session of kind sockjs per SockJS session whatever carried it, its
// lines the application's messages and SockJS's close code; then replayed
// by wsreplay serve with only the URL changed: the same transcript
// (transport, messages, close 3000 "bye"), twice (a page reload).
func TestSockJSTransports(t *testing.T) {
	need(t, false)
	for _, transport := range []string{"", "websocket", "xhr-streaming", "xhr-polling"} {
		name := transport
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			_, port := startNode(t, "sockjs-server.mjs")
			proxyURL, stopRecord := record(t, port)
			var live []sockJSRun
			runNode(t, &live, "sockjs-client.mjs", httpURL(proxyURL)+"/echo", transport)
			dir := stopRecord()
			want := transport
			if want == "" {
				want = "websocket"
			}
			if len(live) != 2 || live[0].Transport != want || len(live[0].Messages) != 4 || live[0].Close == nil || live[0].Close.Code != 3000 {
				t.Fatalf("live run: %+v", live)
			}
			for _, line := range recordedSessionLines(t, dir) {
				if !strings.HasPrefix(line, "poll sockjs /echo/info") && !strings.HasPrefix(line, "sockjs  /echo/") {
					t.Errorf("recorded session %q, want /info bootstraps and kind sockjs sessions", line)
				}
			}
			for _, s := range []string{`"text":"welcome"`, `"text":"hello"`, `"code":3000,"reason":"bye"`} {
				if n := countInRecordings(t, dir, s); n != 2 {
					t.Errorf("%s %d times in the recordings, want 2 (one a session)", s, n)
				}
			}
			var replay []sockJSRun
			runNode(t, &replay, "sockjs-client.mjs", httpURL(serve(t, dir))+"/echo", transport)
			sameJSON(t, "sockjs-client over "+name, live, replay)
		})
	}
}

// A page in Chromium with sockjs-client's browser bundle and its default
// transports, recorded with no flag and replayed with only the URL
// changed, a reload included, sees the same.
func TestChromiumSockJS(t *testing.T) {
	need(t, true)
	_, port := startNode(t, "sockjs-server.mjs")
	proxyURL, stopRecord := record(t, port)
	var live []sockJSRun
	runNode(t, &live, "sockjs-browser.mjs", httpURL(proxyURL)+"/echo")
	dir := stopRecord()
	if len(live) != 2 || live[0].Transport != "websocket" || len(live[0].Messages) != 4 || live[0].Close == nil || live[0].Close.Code != 3000 {
		t.Fatalf("live run in Chromium: %+v", live)
	}
	var replay []sockJSRun
	runNode(t, &replay, "sockjs-browser.mjs", httpURL(serve(t, dir))+"/echo")
	sameJSON(t, "sockjs-client in Chromium", live, replay)
}
