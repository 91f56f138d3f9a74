package har

import "encoding/json"

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
	Session     string     `json:"session"`
	URL         string     `json:"url,omitempty"`
	Upstream    string     `json:"upstream,omitempty"`
	Subprotocol string     `json:"subprotocol,omitempty"`
	Extensions  string     `json:"extensions,omitempty"`
	Kind        string     `json:"kind,omitempty"`  // sse or poll; none: websocket
	Close       *harEnding `json:"close,omitempty"` // sse and poll: the session's ending
}
