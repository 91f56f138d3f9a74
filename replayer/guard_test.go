package replayer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

func TestAllowedHost(t *testing.T) {
	s := &Server{AllowHosts: []string{"dev.example.test"}}
	for host, want := range map[string]bool{
		"127.0.0.1:8765":        true,
		"[::1]:8765":            true,
		"192.168.1.20:8765":     true, // a phone on the LAN, by address
		"localhost:8765":        true,
		"LOCALHOST":             true,
		"app.localhost:8765":    true,
		"localhost.:8765":       true,
		"dev.example.test:8765": true,
		"evil.example:8765":     false,
		"evil.example":          false,
		"localhost.evil.com":    false,
		"127.0.0.1.nip.io:8765": false,
	} {
		t.Run(host, func(t *testing.T) {
			if got := s.allowedHost(host); got != want {
				t.Errorf("Host %q: allowed %v, want %v", host, got, want)
			}
		})
	}
}

func TestAllowedOrigin(t *testing.T) {
	for _, tt := range []struct {
		allow  []string
		origin string
		want   bool
	}{
		{nil, "", true}, // not a browser
		{nil, "http://localhost:5173", true},
		{nil, "https://localhost", true},
		{nil, "http://127.0.0.1:3000", true},
		{nil, "http://127.1.2.3:3000", true},
		{nil, "http://[::1]:8080", true},
		{nil, "http://app.localhost:5173", true},
		{nil, "https://evil.example", false},
		{nil, "http://localhost.evil.example", false},
		{nil, "http://192.168.1.20:5173", false},
		{nil, "chrome-extension://abc", false},
		{nil, "null", false}, // file:// pages and sandboxed frames of any site
		{[]string{"null"}, "null", true},
		{[]string{"https://app.example"}, "https://app.example", true},
		{[]string{"https://app.example"}, "http://app.example", false},
		{[]string{"app.example:8443"}, "https://app.example:8443", true},
		{[]string{"https://*.example"}, "https://staging.example", true},
		{[]string{"https://*.example"}, "https://evil.test", false},
		{[]string{"*"}, "https://evil.example", true},
		{[]string{"*"}, "null", true},
	} {
		t.Run(fmt.Sprint(tt.allow, " ", tt.origin), func(t *testing.T) {
			s := &Server{AllowOrigins: tt.allow}
			if got := s.allowedOrigin(tt.origin); got != tt.want {
				t.Errorf("allow %q, Origin %q: allowed %v, want %v", tt.allow, tt.origin, got, tt.want)
			}
		})
	}
}

// A page on a foreign origin, or a request through a rebinding name, gets
// 403 and nothing of the recordings: no message, no session id on the page.
func TestForeignPagesGetNothing(t *testing.T) {
	const secret = "hunter2-secret"
	path := writeRecording(t, sessionLine("sess-secret-id", "/live", "", rec0),
		message("sess-secret-id", rec0, format.Receive, format.Text, []byte(`{"password":"`+secret+`"}`)))
	ts := startServer(t, &Server{Speed: 1000}, File(path))
	ws := "ws" + strings.TrimPrefix(ts.URL, "http") + "/live"

	for _, tt := range []struct {
		name, host, origin string
		want               int
	}{
		{"foreign origin", "", "https://evil.example", http.StatusForbidden},
		{"null origin", "", "null", http.StatusForbidden},
		{"rebinding host", "evil.example", "", http.StatusForbidden},
		{"rebinding host with its own origin", "evil.example:80", "http://evil.example", http.StatusForbidden},
		{"local page", "", "http://localhost:5173", http.StatusSwitchingProtocols},
		{"not a browser", "", "", http.StatusSwitchingProtocols},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			c, resp, err := websocket.Dial(ctx, ws, &websocket.DialOptions{HTTPHeader: h, Host: tt.host})
			if resp == nil || resp.StatusCode != tt.want {
				t.Fatalf("status %v (%v), want %d", resp, err, tt.want)
			}
			if c == nil {
				body, _ := io.ReadAll(resp.Body)
				if strings.Contains(string(body), secret) || strings.Contains(string(body), "sess-secret-id") {
					t.Errorf("refusal leaks the recording: %s", body)
				}
				return
			}
			defer c.CloseNow()
			_, data, err := c.Read(ctx)
			if err != nil || !strings.Contains(string(data), secret) {
				t.Errorf("allowed client got %q, %v", data, err)
			}
		})
	}

	// The page of sessions, through a rebinding name.
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.Host = "evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(body), "sess-secret-id") {
		t.Errorf("GET / with Host evil.example: %d %s", resp.StatusCode, body)
	}
}

// A recording whose subprotocol hid a token accepts the client's own offer,
// the one that redacts to the recorded value first.
func TestRedactedSubprotocolAcceptsTheOffer(t *testing.T) {
	path := writeRecording(t, sessionLine("s1", "/", "base64url.bearer.authorization.k8s.io.[redacted]", rec0),
		message("s1", rec0, format.Receive, format.Text, []byte("hi")))
	ts := startServer(t, &Server{Speed: 1000}, File(path))
	offer := "base64url.bearer.authorization.k8s.io.bXktb3duLXRva2Vu"
	c := dial(t, ts, "/", "v4.channel.k8s.io", offer)
	if c.Subprotocol() != offer {
		t.Errorf("accepted subprotocol %q, want the client's %q", c.Subprotocol(), offer)
	}
	for _, tt := range []struct {
		recorded string
		offered  []string
		want     string
	}{
		{"chat", []string{"x", "chat"}, "[chat]"},
		{"", []string{"x", "chat"}, "[x chat]"},
		{"bearer.[redacted]", []string{"x", "bearer.abc"}, "[bearer.abc x]"},
	} {
		t.Run(fmt.Sprintf("%q", tt.recorded), func(t *testing.T) {
			if got := fmt.Sprint(subprotocolsFor(tt.recorded, tt.offered)); got != tt.want {
				t.Errorf("subprotocolsFor(%q, %q) = %s, want %s", tt.recorded, tt.offered, got, tt.want)
			}
		})
	}
}
