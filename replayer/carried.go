package replayer

import (
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// carried is what a row says of how its message travelled, beside its
// payload, where the session's kind keeps it: the transport that carried
// a Socket.IO, SockJS or SignalR message; an event's type, id and retry;
// a poll's request line or response status. The zero value says nothing
// (a WebSocket message), and each field is left out of the JSON when
// empty.
type carried struct {
	Transport string    `json:"transport,omitempty"`
	SSE       *sseView  `json:"sse,omitempty"`
	HTTP      *httpView `json:"http,omitempty"`
}

// sseView is a Server-Sent Event's fields besides its data.
type sseView struct {
	Event  string  `json:"event,omitempty"` // "" is "message"
	ID     *string `json:"id,omitempty"`    // nil: the event had no id field
	Retry  int64   `json:"retry_ms,omitempty"`
	NoData bool    `json:"no_data,omitempty"` // an id or retry alone: no event dispatched
}

// httpView is a poll's request line, or its response's status and type.
// Its headers are left out but for the Content-Type: they were redacted
// when recorded, and the page has no use for them.
type httpView struct {
	Method      string `json:"method,omitempty"`
	URL         string `json:"url,omitempty"`
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// carriedOf returns how e travelled.
func carriedOf(e *format.Event) carried {
	c := carried{Transport: e.Transport}
	if s := e.SSE; s != nil {
		c.SSE = &sseView{Event: s.Event, Retry: s.Retry, NoData: s.NoData}
		if s.HasID {
			c.SSE.ID = &s.ID
		}
	}
	if h := e.HTTP; h != nil {
		c.HTTP = &httpView{Method: h.Method, URL: h.URL, Status: h.Status}
		for k, vs := range h.Headers {
			if strings.EqualFold(k, "Content-Type") && len(vs) > 0 {
				c.HTTP.ContentType = vs[0]
			}
		}
	}
	return c
}

// empty reports whether c says nothing.
func (c carried) empty() bool { return c == carried{} }
