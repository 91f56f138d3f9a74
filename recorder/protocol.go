package recorder

import (
	"net/http"

	"github.com/wsreplay/wsreplay/protocol"
)

// sessionProtocol names the protocol of a WebSocket session that opened
// as r with subprotocol, for its session line: Proxy.Protocol when set,
// else the profile that recognises the upgrade (subprotocol, path and
// query), else "". A protocol told only by the first messages (a
// handshake, "jsonrpc":"2.0") is left to readers, which detect it as they
// read them: the session line is written before any message.
//
// The request is read whole (its query may hold secrets); only a
// profile's name, chosen from the recorder's own list, is written.
func (p *Proxy) sessionProtocol(r *http.Request, subprotocol string) string {
	if p.Protocol != "" {
		return p.Protocol
	}
	if prof := p.Protocols.Detect(protocol.RequestOpening(r, subprotocol)); prof != nil {
		return prof.Name()
	}
	return ""
}
