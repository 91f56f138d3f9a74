package ws

import (
	"net/http"
	"slices"
	"testing"
)

func TestHandshake(t *testing.T) {
	t.Parallel()

	r := &http.Request{Header: http.Header{
		"Connection":             {"keep-alive, Upgrade"},
		"Upgrade":                {"WebSocket"},
		"Sec-Websocket-Protocol": {"chat, v2", " v3 "},
	}}
	if !IsUpgrade(r) {
		t.Error("not seen as an upgrade")
	}
	if got := Subprotocols(r); !slices.Equal(got, []string{"chat", "v2", "v3"}) {
		t.Errorf("subprotocols %q", got)
	}
	if IsUpgrade(&http.Request{Header: http.Header{"Upgrade": {"websocket"}}}) {
		t.Error("an Upgrade header without Connection: upgrade is no upgrade")
	}
}
