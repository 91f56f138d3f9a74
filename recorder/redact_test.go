package recorder

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/ws?room=1&token=abc&Access_Token=x&apikey=k&key=1&keyboard=qwerty", "/ws?room=1&token=%5Bredacted%5D&Access_Token=%5Bredacted%5D&apikey=%5Bredacted%5D&key=%5Bredacted%5D&keyboard=qwerty"},
		{"ws://user:pw@backend:3000/ws?password=hunter2&x=1", "ws://backend:3000/ws?password=%5Bredacted%5D&x=1"},
		{"/ws?client_secret=s&sig=1&signature=2", "/ws?client_secret=%5Bredacted%5D&sig=%5Bredacted%5D&signature=%5Bredacted%5D"},
		{"/plain", "/plain"},
		{"/a?x=1;token=S&key[]=S&auth_key=S&access-key=S&client-key=S&t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnop&id=d41d8cd98f00b204e9800998ecf8427e&page=2",
			"/a?x=1;token=%5Bredacted%5D&key[]=%5Bredacted%5D&auth_key=%5Bredacted%5D&access-key=%5Bredacted%5D&client-key=%5Bredacted%5D&t=%5Bredacted%5D&id=%5Bredacted%5D&page=2"},
		{"/ws?jwt=a&pwd=b&private_key=c&ticket=d&bearer=e&otp=f&session=g&sig=h&X-Amz-Security-Token=i&page=2",
			"/ws?jwt=%5Bredacted%5D&pwd=%5Bredacted%5D&private_key=%5Bredacted%5D&ticket=%5Bredacted%5D&bearer=%5Bredacted%5D&otp=%5Bredacted%5D&session=%5Bredacted%5D&sig=%5Bredacted%5D&X-Amz-Security-Token=%5Bredacted%5D&page=2"},
		// A fragment never reaches a server; an OAuth implicit flow puts
		// its token there.
		{"http://h/app?token=QSECRET&x=1#access_token=FRAGSECRET", "http://h/app?token=%5Bredacted%5D&x=1"},
		{"http://h/app#state=a%2Fb&id_token=FRAGSECRET", "http://h/app"},
		{"/ws?#FRAGSECRET", "/ws?"},
	}
	var r Redaction
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.url(u); got != tt.want {
				t.Errorf("url(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
	extra := Redaction{Query: []string{"room"}}
	u, _ := url.Parse("/ws?room=1&user=2")
	if got := extra.url(u); got != "/ws?room=%5Bredacted%5D&user=2" {
		t.Errorf("extra query name: got %s", got)
	}
}

func TestRedactPath(t *testing.T) {
	r := Redaction{Paths: []*regexp.Regexp{regexp.MustCompile(`^/ws/([^/]+)`), regexp.MustCompile(`key-[0-9a-f]+`)}}
	for in, want := range map[string]string{
		"/ws/tok3n-abc/feed?room=1&token=x": "/ws/[redacted]/feed?room=1&token=%5Bredacted%5D",
		"/api/key-deadbeef/x":               "/api/[redacted]/x",
		"/ws":                               "/ws",
		"/ws/a%2Fb/c":                       "/ws/[redacted]/c",
	} {
		t.Run(in, func(t *testing.T) {
			u, err := url.Parse(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.url(u); got != want {
				t.Errorf("url(%s) = %s, want %s", in, got, want)
			}
		})
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

	// The defaults, without configuration, both directions.
	h = http.Header{"X-Api-Key": {"k"}, "X-Amz-Security-Token": {"t"}, "Custom-Token": {"c"}, "X-Goog-Api-Key": {"g"},
		"Set-Cookie": {"s=1"}, "X-Auth-Token": {"a"}, "Accept": {"*/*"}, "Sec-Websocket-Protocol": {"chat, base64url.bearer.authorization.k8s.io.ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk"}}
	got = (&Redaction{}).headers(h)
	for k, want := range map[string]string{"X-Api-Key": Redacted, "X-Amz-Security-Token": Redacted, "Custom-Token": Redacted,
		"X-Goog-Api-Key": Redacted, "Set-Cookie": Redacted, "X-Auth-Token": Redacted, "Accept": "*/*",
		"Sec-Websocket-Protocol": "chat, base64url.bearer.authorization.k8s.io.[redacted]"} {
		if got[k][0] != want {
			t.Errorf("%s: got %q, want %q", k, got[k][0], want)
		}
	}
	for _, name := range []string{"X-Auth-Key", "X-Authorization", "Apikey", "Ocp-Apim-Subscription-Key", "X_Auth_Token",
		"Token", "X-Access-Key", "X-Secret-Key", "X-Private-Key", "X-Session-Key", "X-Jwt-Assertion", "X-Goog-Iap-Jwt-Assertion", "Authentication"} {
		t.Run(name, func(t *testing.T) {
			if !(&Redaction{}).secretHeader(name) {
				t.Errorf("%s is not redacted by default", name)
			}
		})
	}
	for _, name := range []string{"Sec-WebSocket-Key", "Accept", "User-Agent", "Origin", "Content-Type"} {
		t.Run(name, func(t *testing.T) {
			if (&Redaction{}).secretHeader(name) {
				t.Errorf("%s is redacted by default", name)
			}
		})
	}
	// A header named for redaction hides the subprotocol whole.
	r := &Redaction{Headers: []string{"Sec-WebSocket-Protocol"}}
	if got := r.subprotocol("chat"); got != Redacted {
		t.Errorf("subprotocol with its header redacted: %q", got)
	}
	if got := (&Redaction{Headers: []string{"*-Session"}}).headers(http.Header{"X-App-Session": {"v"}}); got["X-App-Session"][0] != Redacted {
		t.Errorf("suffix pattern: %v", got)
	}
}

func TestRedactJSON(t *testing.T) {
	r := Redaction{JSONFields: []string{"password", "token"}}
	tests := []struct{ in, want string }{
		{`{"user":"ana","password":"hunter2"}`, `{"user":"ana","password":"[redacted]"}`},
		{`{"a":{"b":[{"token":{"x":1}}, {"Token" : 42}]},"z": 1.50}`, `{"a":{"b":[{"token":"[redacted]"}, {"Token" : "[redacted]"}]},"z": 1.50}`},
		{`["password","token"]`, `["password","token"]`},
		{`{"k":"password","v":{"password":null}}`, `{"k":"password","v":{"password":"[redacted]"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, _ := r.Message([]byte(tt.in)); string(got) != tt.want {
				t.Errorf("message(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// JSON after a prefix, JSON inside strings, and what cannot be parsed.
func TestRedactJSONPlacements(t *testing.T) {
	r := Redaction{JSONFields: []string{"password"}}
	tests := []struct {
		name, in, want string
		unparsed       bool
	}{
		{"socket.io event", `42["login",{"user":"ana","password":"hunter2"}]`, `42["login",{"user":"ana","password":"[redacted]"}]`, false},
		{"socket.io namespace and ack", `42/chat,7["login",{"password":"hunter2"}]`, `42/chat,7["login",{"password":"[redacted]"}]`, false},
		{"socket.io binary event", `451-["up",{"password":"x"},{"_placeholder":true,"num":0}]`, `451-["up",{"password":"[redacted]"},{"_placeholder":true,"num":0}]`, false},
		{"double-encoded", `{"command":"message","data":"{\"action\":\"login\",\"password\":\"hunter2\"}"}`,
			`{"command":"message","data":"{\"action\":\"login\",\"password\":\"[redacted]\"}"}`, false},
		{"sockjs frame of socket.io text", `a["42[\"login\",{\"password\":\"hunter2\"}]"]`, `a["42[\"login\",{\"password\":\"[redacted]\"}]"]`, false},
		{"a word in plain text", `please type your password`, `please type your password`, false},
		{"a word in a JSON string", `{"msg":"password: 8 characters"}`, `{"msg":"password: 8 characters"}`, false},
		{"torn JSON", `not json {"password":"hunter2"`, `not json {"password":"hunter2"`, true},
		{"torn inner JSON", `{"data":"{\"password\":\"hunter2\""}`, `{"data":"{\"password\":\"hunter2\""}`, true},
		{"no field", `{"user":"ana"}`, `{"user":"ana"}`, false},
		{"escaped key", `{"\u0070assword":"S"}`, `{"\u0070assword":"[redacted]"}`, false},
		{"escaped key inside a string", `{"data":"{\"pass\\u0077ord\":\"S\"}"}`, `{"data":"{\"pass\\u0077ord\":\"[redacted]\"}"}`, false},
		{"signalr record separators", "{\"password\":\"S\"}\x1e{\"type\":6}\x1e", "{\"password\":\"[redacted]\"}\x1e{\"type\":6}\x1e", false},
		{"ndjson batch", "{\"password\":\"S\"}\n{\"password\":\"T\"}", "{\"password\":\"[redacted]\"}\n{\"password\":\"[redacted]\"}", false},
		{"prose quoting a key", `{"password":"S","note":"type \"password\": here"}`, `{"password":"[redacted]","note":"type \"password\": here"}`, false},
		{"pretty JSON after a prefix", "42[\n \"login\",\n {\"password\": \"S\"}\n]", "42[\n \"login\",\n {\"password\": \"[redacted]\"}\n]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, unparsed := r.Message([]byte(tt.in))
			if string(got) != tt.want || unparsed != tt.unparsed {
				t.Errorf("message(%s)\n got %s (unparsed %v)\nwant %s (unparsed %v)", tt.in, got, unparsed, tt.want, tt.unparsed)
			}
		})
	}
}
