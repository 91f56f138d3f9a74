package protocol

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.ParseRequestURI(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func send(s string) Message    { return Message{Dir: format.Send, Data: []byte(s)} }
func receive(s string) Message { return Message{Dir: format.Receive, Data: []byte(s)} }

// TestDetect: each session opening gets the profile of its protocol from
// the built-in set, and one no profile knows gets none.
func TestDetect(t *testing.T) {
	tests := []struct {
		name    string
		opening Opening
		want    string // "" for none
	}{
		{"socketio kind", Opening{Kind: format.KindSocketIO}, "socketio"},
		{"engine.io query on any path", Opening{URL: mustURL(t, "/rt/?EIO=4&transport=websocket")}, "socketio"},
		{"engine.io v3 polling", Opening{URL: mustURL(t, "/socket.io/?EIO=3&transport=polling&t=N1")}, "socketio"},
		{"a poll session with an engine.io query", Opening{Kind: format.KindPoll, URL: mustURL(t, "/socket.io/?EIO=4&transport=polling")}, ""},
		{"EIO without transport", Opening{URL: mustURL(t, "/socket.io/?EIO=4")}, ""},
		{"graphql-transport-ws subprotocol", Opening{Subprotocol: "graphql-transport-ws"}, "graphql-transport-ws"},
		{"graphql-ws subprotocol is the old protocol", Opening{Subprotocol: "graphql-ws"}, "subscriptions-transport-ws"},
		{"graphql subscribe without subprotocol", Opening{First: []Message{send(`{"type":"connection_init"}`),
			receive(`{"type":"connection_ack"}`), send(`{"id":"1","type":"subscribe","payload":{"query":"{a}"}}`)}}, "graphql-transport-ws"},
		{"apollo start without subprotocol", Opening{First: []Message{send(`{"type":"connection_init"}`),
			send(`{"id":"1","type":"start","payload":{"query":"{a}"}}`)}}, "subscriptions-transport-ws"},
		{"an app's own subscribe is not graphql", Opening{First: []Message{send(`{"type":"subscribe","id":"1"}`),
			receive(`{"type":"next","id":"1"}`)}}, ""},
		{"connection_init alone tells neither", Opening{First: []Message{send(`{"type":"connection_init"}`)}}, ""},
		{"another subprotocol wins over messages", Opening{Subprotocol: "chat", First: []Message{send(`{"type":"subscribe","id":"1"}`)}}, ""},
		{"named on the session line", Opening{Protocol: "subscriptions-transport-ws", Subprotocol: "graphql-transport-ws"}, "subscriptions-transport-ws"},
		{"named none", Opening{Protocol: NoProtocol, Kind: format.KindSocketIO}, ""},
		{"named but unknown", Opening{Protocol: "stomp-9", Subprotocol: "graphql-transport-ws"}, ""},
		{"plain websocket", Opening{URL: mustURL(t, "/live?room=1")}, ""},
		{"nothing known", Opening{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := Set(nil).Detect(tt.opening); p != nil {
				got = p.Name()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOpenings: a live request and a recording's session line give the
// openings profiles recognise.
func TestOpenings(t *testing.T) {
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"request with engine.io query", RequestOpening(httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=polling&t=x", nil), ""), "socketio"},
		{"request with graphql subprotocol", RequestOpening(httptest.NewRequest("GET", "/graphql", nil), "graphql-transport-ws"), "graphql-transport-ws"},
		{"request with neither", RequestOpening(httptest.NewRequest("GET", "/live", nil), "chat"), ""},
		{"session line", OpeningOf(&format.Event{Type: format.TypeSession, URL: "/rt?EIO=3&transport=websocket"}), "socketio"},
		{"session line with a bad URL", OpeningOf(&format.Event{Type: format.TypeSession, URL: "%zz?EIO=3&transport=websocket"}), ""},
		{"session line naming its protocol", OpeningOf(&format.Event{Type: format.TypeSession, Protocol: "graphql-transport-ws"}), "graphql-transport-ws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if p := Default().Detect(tt.o); p != nil {
				got = p.Name()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSetValues: a nil Set is the built-ins, an empty Set knows nothing,
// and a caller's own Set is used as given, in its order.
func TestSetValues(t *testing.T) {
	o := Opening{Kind: format.KindSocketIO}
	if got := Set(nil).Names(); !slices.Equal(got, Default().Names()) || len(got) == 0 {
		t.Errorf("nil Set: names %v, want the built-ins %v", got, Default().Names())
	}
	if p := (Set{}).Detect(o); p != nil {
		t.Errorf("empty Set detected %s", p.Name())
	}
	mine := Set{always{"mine"}, SocketIO{}}
	if p := mine.Detect(o); p == nil || p.Name() != "mine" {
		t.Errorf("own Set: detected %v, want mine (the first that recognises)", p)
	}
	if p := mine.Lookup("socketio"); p == nil || p.Name() != "socketio" {
		t.Errorf("Lookup(socketio) = %v", p)
	}
	if p := mine.Lookup("stomp"); p != nil {
		t.Errorf("Lookup(stomp) = %s, want nil", p.Name())
	}
}

// always is a profile that recognises every session, and answers GET
// /info as a bootstrap.
type always struct{ name string }

func (a always) Name() string                 { return a.name }
func (always) Recognize(Opening) bool         { return true }
func (always) Describe(Message) Description   { return Description{Kind: "x", Summary: "x"} }
func (always) Bootstrap(r *http.Request) bool { return r.URL.Path == "/info" }
func (always) AnswerBootstrap(w http.ResponseWriter, _ *http.Request, recorded []byte) {
	w.Write(recorded)
}

// TestSetBootstrap: a request one of the profiles bootstraps with goes to
// that profile, which answers it; others go to none.
func TestSetBootstrap(t *testing.T) {
	s := Set{SocketIO{}, always{"sockjs-like"}}
	if b := s.Bootstrap(httptest.NewRequest("GET", "/other", nil)); b != nil {
		t.Errorf("GET /other: got a bootstrapper %v", b)
	}
	b := s.Bootstrap(httptest.NewRequest("GET", "/info", nil))
	if b == nil {
		t.Fatal("GET /info: no bootstrapper")
	}
	w := httptest.NewRecorder()
	b.AnswerBootstrap(w, httptest.NewRequest("GET", "/info", nil), []byte(`{"websocket":true}`))
	if got := w.Body.String(); got != `{"websocket":true}` {
		t.Errorf("answer %q", got)
	}
}

// TestDetector: a session recognised only by its messages is found at the
// message that tells, and the search stops after MaxFirst messages.
func TestDetector(t *testing.T) {
	t.Run("by opening", func(t *testing.T) {
		d := Set(nil).Detector(Opening{Subprotocol: "graphql-transport-ws"})
		if p := d.Profile(); p == nil || p.Name() != "graphql-transport-ws" {
			t.Fatalf("profile %v", p)
		}
	})
	t.Run("by messages", func(t *testing.T) {
		d := Set(nil).Detector(Opening{URL: mustURL(t, "/graphql")})
		buf := []byte(`{"type":"connection_init"}`)
		if p := d.Message(send(string(buf))); p != nil {
			t.Fatalf("after connection_init: %s", p.Name())
		}
		copy(buf, "xxxxxxxxxx") // the detector keeps its own copy
		if p := d.Message(send(`{"id":"a","type":"subscribe","payload":{}}`)); p == nil || p.Name() != "graphql-transport-ws" {
			t.Fatalf("after subscribe: %v", p)
		}
		if p := d.Message(send(`{"type":"start","id":"b"}`)); p.Name() != "graphql-transport-ws" {
			t.Errorf("a later message changed the profile to %s", p.Name())
		}
	})
	t.Run("named none stays none", func(t *testing.T) {
		d := Set(nil).Detector(Opening{Protocol: NoProtocol})
		d.Message(send(`{"type":"connection_init"}`))
		if p := d.Message(send(`{"type":"subscribe","id":"1"}`)); p != nil {
			t.Errorf("recognised %s in a session named none", p.Name())
		}
	})
	t.Run("a giant first message is not kept", func(t *testing.T) {
		d := Set(nil).Detector(Opening{})
		big := `{"type":"connection_init","payload":"` + strings.Repeat("x", maxFirstBytes) + `"}`
		d.Message(send(big))
		if n := len(d.opening.First[0].Data); n != 0 {
			t.Errorf("kept %d bytes of a %d-byte message", n, len(big))
		}
	})
	t.Run("gives up", func(t *testing.T) {
		d := Set(nil).Detector(Opening{})
		for range MaxFirst {
			d.Message(send("hello"))
		}
		if p := d.Message(send(`{"type":"subscribe","id":"1"}`)); p != nil {
			t.Errorf("recognised %s after %d other messages", p.Name(), MaxFirst)
		}
	})
}
