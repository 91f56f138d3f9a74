package har

import (
	"encoding/json"

	"github.com/wsreplay/wsreplay/format"
)

// The parts of a HAR file that Read and Write share. The rest of an entry
// differs: Read looks only at what it needs, Write fills in everything
// Chrome's importer insists on.

// harWSFrame is one of an entry's "_webSocketMessages", as Chrome writes
// them: "time" in epoch seconds, "opcode" 1 for text, else base64 "data".
type harWSFrame struct {
	Type   string          `json:"type"`
	Time   json.RawMessage `json:"time"`
	Opcode int             `json:"opcode"`
	Data   string          `json:"data"`
}

// harNV is a name and a value: a header, a query parameter.
type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// harWsreplay keeps what a HAR entry has no place for, so that a recording
// converted to HAR and back is the same. Chrome ignores it.
type harWsreplay struct {
	Session     string       `json:"session"`
	URL         string       `json:"url,omitempty"`
	Upstream    string       `json:"upstream,omitempty"`
	Subprotocol string       `json:"subprotocol,omitempty"`
	Extensions  string       `json:"extensions,omitempty"`
	Kind        string       `json:"kind,omitempty"`     // socketio, sockjs, sse or poll; none: websocket
	Protocol    string       `json:"protocol,omitempty"` // the session line's "protocol"
	EngineIO    *harEngineIO `json:"engineio,omitempty"` // socketio: the open packet's parameters
	Close       *harEnding   `json:"close,omitempty"`    // sse and poll: the session's ending
}

// harEngineIO is a socketio session's format.EngineIO in "_wsreplay": a
// Socket.IO session wsreplay wrote is one websocket entry of its packets,
// and reads back as the same socketio session.
type harEngineIO struct {
	Version      int      `json:"v"`
	SID          string   `json:"sid,omitempty"`
	PingInterval int64    `json:"ping_interval,omitempty"`
	PingTimeout  int64    `json:"ping_timeout,omitempty"`
	MaxPayload   int64    `json:"max_payload,omitempty"`
	Upgrades     []string `json:"upgrades,omitempty"`
}

// socketIOSession marks the events read from ent, a websocket entry, as a
// socketio (or sockjs) session when wsreplay wrote it as one.
func socketIOSession(ent harEntry, evs []*format.Event) {
	w := ent.Wsreplay
	if w != nil && w.Kind == format.KindSockJS.String() && len(evs) > 0 && evs[0].Type == format.TypeSession {
		evs[0].Kind = format.KindSockJS
		return
	}
	if w == nil || w.Kind != format.KindSocketIO.String() || len(evs) == 0 || evs[0].Type != format.TypeSession {
		return
	}
	evs[0].Kind = format.KindSocketIO
	if e := w.EngineIO; e != nil {
		evs[0].EngineIO = &format.EngineIO{Version: e.Version, SID: e.SID, PingInterval: e.PingInterval,
			PingTimeout: e.PingTimeout, MaxPayload: e.MaxPayload, Upgrades: e.Upgrades}
	}
}
