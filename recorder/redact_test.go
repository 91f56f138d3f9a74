package recorder

import (
	"net/http"
	"net/url"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/ws?room=1&token=abc&Access_Token=x&apikey=k&key=1&keyboard=qwerty", "/ws?room=1&token=%5Bredacted%5D&Access_Token=%5Bredacted%5D&apikey=%5Bredacted%5D&key=%5Bredacted%5D&keyboard=qwerty"},
		{"ws://user:pw@backend:3000/ws?password=hunter2&x=1", "ws://backend:3000/ws?password=%5Bredacted%5D&x=1"},
		{"/ws?client_secret=s&sig=1&signature=2", "/ws?client_secret=%5Bredacted%5D&sig=%5Bredacted%5D&signature=%5Bredacted%5D"},
		{"/plain", "/plain"},
	}
	var r Redaction
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.url(u); got != tt.want {
			t.Errorf("url(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
	extra := Redaction{Query: []string{"room"}}
	u, _ := url.Parse("/ws?room=1&user=2")
	if got := extra.url(u); got != "/ws?room=%5Bredacted%5D&user=2" {
		t.Errorf("extra query name: got %s", got)
	}
}

func TestRedactHeaders(t *testing.T) {
	h := http.Header{"Cookie": {"a=1"}, "Authorization": {"Bearer x"}, "X-Api-Key": {"k"}, "Origin": {"https://app"}}
	got := (&Redaction{Headers: []string{"x-api-key"}}).headers(h)
	for k, want := range map[string]string{"Cookie": Redacted, "Authorization": Redacted, "X-Api-Key": Redacted, "Origin": "https://app"} {
		if got[k][0] != want {
			t.Errorf("%s: got %q, want %q", k, got[k][0], want)
		}
	}
	if h.Get("Cookie") != "a=1" {
		t.Error("redaction changed the live headers")
	}
}

func TestRedactJSON(t *testing.T) {
	r := Redaction{JSONFields: []string{"password", "token"}}
	tests := []struct{ in, want string }{
		{`{"user":"ana","password":"hunter2"}`, `{"user":"ana","password":"[redacted]"}`},
		{`{"a":{"b":[{"token":{"x":1}}, {"Token" : 42}]},"z": 1.50}`, `{"a":{"b":[{"token":"[redacted]"}, {"Token" : "[redacted]"}]},"z": 1.50}`},
		{`["password","token"]`, `["password","token"]`},
		{`{"k":"password","v":{"password":null}}`, `{"k":"password","v":{"password":"[redacted]"}}`},
		{`not json {"password":1`, `not json {"password":1`},
	}
	for _, tt := range tests {
		if got := string(r.message([]byte(tt.in))); got != tt.want {
			t.Errorf("message(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
