package replayer

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// Every Engine.IO error is answered with the status engine.io's server
// gives it (abortRequest: 403 for Forbidden, 400 for the others; and
// abortUpgrade: 400 for every refused upgrade), and its code and message.
func TestEngineIOErrorStatuses(t *testing.T) {
	sio := startServer(t, &Server{}, File(socketIORecording(t)))
	at := rec0
	none := startServer(t, &Server{}, File(writeRecording(t, sessionLine("ws", "/ws", "", at),
		message("ws", at, format.Receive, format.Text, []byte("hi")))))
	for _, tc := range []struct {
		name, method, url string
		code, status      int
	}{
		{"unknown transport", "GET", sio.URL + "/socket.io/?EIO=4&transport=pigeon", eioUnknownTransport, 400},
		{"unknown sid", "GET", sio.URL + "/socket.io/?EIO=4&transport=polling&sid=gone", eioUnknownSID, 400},
		{"handshake not a GET", "POST", sio.URL + "/socket.io/?EIO=4&transport=polling", eioBadMethod, 400},
		{"websocket without an upgrade", "GET", sio.URL + "/socket.io/?EIO=4&transport=websocket", eioBadRequest, 400},
		{"no session to play", "GET", none.URL + "/socket.io/?EIO=4&transport=polling", eioForbidden, 403},
		{"unsupported revision", "GET", sio.URL + "/socket.io/?EIO=9&transport=polling", eioBadVersion, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := eioDo(t, tc.method, tc.url, "", "")
			var e struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != tc.status || e.Code != tc.code || e.Message != eioMessages[tc.code] {
				t.Errorf("got %d %s, want %d {\"code\":%d,\"message\":%q}", resp.StatusCode, body, tc.status, tc.code, eioMessages[tc.code])
			}
		})
	}
	for _, tc := range []struct {
		name, url string
		code      int
	}{
		{"upgrade, no session to play", none.URL + "/socket.io/?EIO=4&transport=websocket", eioForbidden},
		{"upgrade, unknown sid", sio.URL + "/socket.io/?EIO=4&transport=websocket&sid=gone", eioUnknownSID},
		{"upgrade, unsupported revision", sio.URL + "/socket.io/?EIO=9&transport=websocket", eioBadVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := websocket.Dial(t.Context(), tc.url, nil)
			if err == nil {
				c.CloseNow()
				t.Fatal("upgrade accepted")
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || string(body) != eioMessages[tc.code] {
				t.Errorf("got %d %q, want 400 %q", resp.StatusCode, body, eioMessages[tc.code])
			}
		})
	}
}
