package protocol

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSockJSDetect: the websocket path of a SockJS session, whose server
// opens with "o"; not a path that only ends in /websocket.
func TestSockJSDetect(t *testing.T) {
	tests := []struct {
		name string
		o    Opening
		want string
	}{
		{"session path at the upgrade", Opening{URL: mustURL(t, "/echo/123/abcdefgh/websocket")}, "sockjs"},
		{"root endpoint", Opening{URL: mustURL(t, "/042/x_1/websocket")}, "sockjs"},
		{"server opens", Opening{URL: mustURL(t, "/echo/123/abcdefgh/websocket"), First: []Message{receive("o")}}, "sockjs"},
		{"server says something else", Opening{URL: mustURL(t, "/echo/123/abcdefgh/websocket"), First: []Message{receive("hello")}}, ""},
		{"api version path", Opening{URL: mustURL(t, "/api/v1/websocket")}, ""},
		{"raw websocket endpoint", Opening{URL: mustURL(t, "/echo/websocket")}, ""},
		{"phoenix on such a path", Opening{URL: mustURL(t, "/app/123/socket/websocket?vsn=2.0.0")}, "phoenix"},
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

// TestSockJSDescribe: the frames of the protocol, both ways.
func TestSockJSDescribe(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want Description
	}{
		{"open", receive("o"), Description{Kind: "open", Summary: "open"}},
		{"heartbeat", receive("h"), Description{Kind: "heartbeat", Heartbeat: true, Summary: "heartbeat"}},
		{"messages", receive(`a["{\"n\":1}","two"]`), Description{Kind: "message", Summary: "{\"n\":1}\ntwo"}},
		{"close", receive(`c[3000,"Go away!"]`), Description{Kind: "close", Summary: `close 3000 "Go away!"`}},
		{"client array", send(`["hi"]`), Description{Kind: "message", Summary: "hi"}},
		{"client string", send(`"hi"`), Description{Kind: "message", Summary: "hi"}},
		{"empty message", send(`""`), Description{Kind: "message", Summary: `""`}},
		{"no messages", receive(`a[]`), Description{Kind: "message", Summary: "no messages"}},
		{"not a frame", receive("ohno"), Description{}},
		{"bad close", receive(`c[3000]`), Description{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (SockJS{}).Describe(tt.m); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestSockJSBootstrap: GET <base>/info is a bootstrap; only an answer with
// SockJS's four members is recorded as one; the answer keeps the recorded
// members and draws a fresh entropy.
func TestSockJSBootstrap(t *testing.T) {
	s := SockJS{}
	info := httptest.NewRequest("GET", "/echo/info?t=1", nil)
	if !s.Bootstrap(info) || s.Bootstrap(httptest.NewRequest("POST", "/echo/info", nil)) || s.Bootstrap(httptest.NewRequest("GET", "/echo/infos", nil)) {
		t.Error("Bootstrap should take GET .../info only")
	}
	if !s.RecognizeBootstrap(info, 200, []byte(`{"websocket":false,"origins":["*:*"],"cookie_needed":true,"entropy":7}`)) ||
		s.RecognizeBootstrap(info, 200, []byte(`{"version":"1.2"}`)) || s.RecognizeBootstrap(info, 500, []byte(`{"websocket":false,"origins":[],"cookie_needed":true,"entropy":7}`)) {
		t.Error("RecognizeBootstrap should take SockJS's answer only")
	}
	w := httptest.NewRecorder()
	s.AnswerBootstrap(w, info, []byte(`{"websocket":false,"origins":["a.example:443"],"cookie_needed":true,"entropy":7}`))
	body := w.Body.String()
	for _, want := range []string{`"websocket":false`, `"cookie_needed":true`, `"origins":["a.example:443"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("answer %s lacks %s", body, want)
		}
	}
	if strings.Contains(body, `"entropy":7,`) || strings.Contains(body, `"entropy":7}`) {
		t.Errorf("answer %s repeats the recorded entropy", body)
	}
	if u := mustURL(t, "/echo/123/abcdefgh/websocket"); func() string { e, _ := s.Endpoint(u); return e }() != "/echo/*/*/websocket" {
		t.Error("Endpoint should hide the server and session parts")
	}
}
