package driver

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRequestHeader(t *testing.T) {
	recorded := map[string][]string{
		"Cookie": {"[redacted]"}, "Authorization": {"Bearer [redacted]"}, "Origin": {"https://app.example"},
		"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Key": {"abc"},
		"Sec-Websocket-Extensions": {"permessage-deflate"}, "X-Forwarded-For": {"10.0.0.1"}, "User-Agent": {"Chrome"},
	}
	got := requestHeader(recorded, http.Header{"Authorization": {"Bearer live"}})
	want := http.Header{"Origin": {"https://app.example"}, "User-Agent": {"Chrome"}, "Authorization": {"Bearer live"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requestHeader = %v, want %v", got, want)
	}
	rec := recordedHeader(recorded, http.Header{"authorization": {"Bearer live"}})
	if v := rec["Authorization"]; len(v) != 1 || v[0] != "[redacted]" {
		t.Errorf("the run's recording says Authorization %q, want it redacted", v)
	}
}

func TestTargetURL(t *testing.T) {
	tests := []struct{ target, recorded, want string }{
		{"ws://localhost:3000", "/live?room=1", "ws://localhost:3000/live?room=1"},
		{"ws://staging:3000/api/", "/live", "ws://staging:3000/api/live"},
		{"http://localhost:3000", "/socket.io/?EIO=4&transport=polling&t=abc", "http://localhost:3000/socket.io/?EIO=4&t=abc&transport=polling"},
		{"ws://h:1", "/live?token=%5Bredacted%5D&room=2", "ws://h:1/live?room=2"},
	}
	for _, tc := range tests {
		t.Run(tc.recorded, func(t *testing.T) {
			u, _ := url.Parse(tc.target)
			got, err := targetURL(u, tc.recorded)
			if err != nil || got.String() != tc.want {
				t.Errorf("targetURL(%s, %s) = %v, %v; want %s", tc.target, tc.recorded, got, err, tc.want)
			}
		})
	}
}

// wsScheme and httpScheme map a scheme to the other family's of the same
// security, keep any other scheme, and leave their argument alone.
func TestSchemes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, ws, http string }{
		{"http://h/p?q=1", "ws://h/p?q=1", "http://h/p?q=1"},
		{"https://h/p", "wss://h/p", "https://h/p"},
		{"ws://h/p", "ws://h/p", "http://h/p"},
		{"wss://u:pw@h:8443/p", "wss://u:pw@h:8443/p", "https://u:pw@h:8443/p"},
		{"file:///x", "file:///x", "file:///x"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			u, err := url.Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := wsScheme(u).String(); got != tc.ws {
				t.Errorf("wsScheme: got %s, want %s", got, tc.ws)
			}
			if got := httpScheme(u).String(); got != tc.http {
				t.Errorf("httpScheme: got %s, want %s", got, tc.http)
			}
			if u.String() != tc.in {
				t.Errorf("argument changed to %s", u)
			}
		})
	}
}

// TestTargetWithQuery: a target with a query or a fragment of its own
// fails every run, before it dials, rather than having them dropped.
func TestTargetWithQuery(t *testing.T) {
	a := &app{}
	for _, suffix := range []string{"/prefix?x=1", "?", "#frag"} {
		t.Run(suffix, func(t *testing.T) {
			target := newTarget(t, a)
			target, _ = url.Parse(target.String() + suffix)
			res := (&Driver{Target: target, Timeout: 2 * time.Second}).Run(t.Context(), appScript(t))
			if res.Err == nil || !strings.Contains(res.Err.Error(), "query or a fragment") || res.Connected {
				t.Errorf("err %v, connected %v; want the target refused", res.Err, res.Connected)
			}
		})
	}
	if n := a.n.Load(); n != 0 {
		t.Errorf("the target got %d connections, want none", n)
	}
}
