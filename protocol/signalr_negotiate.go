package protocol

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// This file is SignalR's HTTP side (TransportProtocols.md of
// dotnet/aspnetcore): POST <hub>/negotiate?negotiateVersion=1 before the
// socket, answered with a connectionId, a connectionToken the client then
// presents as <hub>?id=<token>, and the transports the server offers.

// Bootstrap reports POST <hub>/negotiate.
func (SignalR) Bootstrap(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/negotiate")
}

// signalRNegotiate is what the recorder checks and the replay copies of a
// negotiate answer.
type signalRNegotiate struct {
	ConnectionID        *string         `json:"connectionId"`
	AvailableTransports json.RawMessage `json:"availableTransports"`
}

// RecognizeBootstrap reports a 200 answer with a "connectionId" and
// "availableTransports" (not a redirect to another server, which has a
// "url" and no connection).
func (SignalR) RecognizeBootstrap(_ *http.Request, status int, body []byte) bool {
	var n signalRNegotiate
	var transports []json.RawMessage
	return status == http.StatusOK && json.Unmarshal(body, &n) == nil && n.ConnectionID != nil &&
		json.Unmarshal(n.AvailableTransports, &transports) == nil && transports != nil
}

// signalRWebSockets is the transport offered without a recording: the one
// a replay serves.
const signalRWebSockets = `[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]`

// AnswerBootstrap answers negotiate with a fresh connectionId and, to a
// client that asks for negotiateVersion 1 or later, a fresh
// connectionToken and negotiateVersion 1; the transports are the recorded
// ones (without a recording: WebSockets only).
func (SignalR) AnswerBootstrap(w http.ResponseWriter, r *http.Request, recorded []byte) {
	transports := json.RawMessage(signalRWebSockets)
	var rec signalRNegotiate
	var list []json.RawMessage
	if json.Unmarshal(recorded, &rec) == nil && json.Unmarshal(rec.AvailableTransports, &list) == nil && list != nil {
		transports = rec.AvailableTransports
	}
	answer := struct {
		NegotiateVersion    int             `json:"negotiateVersion"`
		ConnectionID        string          `json:"connectionId"`
		ConnectionToken     string          `json:"connectionToken,omitempty"`
		AvailableTransports json.RawMessage `json:"availableTransports"`
	}{ConnectionID: signalRID(), AvailableTransports: transports}
	if v := r.URL.Query().Get("negotiateVersion"); v != "" && v != "0" {
		answer.NegotiateVersion, answer.ConnectionToken = 1, signalRID()
	}
	body, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(body)
}

// signalRID returns an id as ASP.NET Core makes them: 16 random bytes,
// base64url without padding.
func signalRID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Fallback names a request for SignalR's Server-Sent Events or long
// polling transport: a plain request with the connection's id= that is
// not a negotiate.
func (p SignalR) Fallback(r *http.Request) (what, need string, ok bool) {
	if !r.URL.Query().Has("id") || p.Bootstrap(r) {
		return "", "", false
	}
	need = "a recording of a SignalR session on this hub (its negotiate or its connection, over any transport), which serves the WebSockets, Server-Sent Events and long polling transports"
	switch {
	case r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/event-stream"):
		return "the SignalR Server-Sent Events transport", need, true
	case r.Method == http.MethodGet, r.Method == http.MethodDelete:
		return "the SignalR long polling transport", need, true
	case r.Method == http.MethodPost:
		return "a SignalR send of the Server-Sent Events or long polling transport", need, true
	}
	return "", "", false
}
