package replayer

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Off loopback, ControlRemote serves the control API and the pages only
// to requests with the token: a bearer header, or the cookie a browser
// gets by opening a page with ?token= (then sent on without it). On
// loopback no token is needed; without a token nothing is served off it.
func TestControlTokenOffLoopback(t *testing.T) {
	cat, err := Open(File(tenMessages(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	cat.Wait(context.Background())
	do := func(srv *Server, path string, local net.IP, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = local.String() + ":8765"
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: local, Port: 8765}))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	lan, lo := net.IPv4(192, 168, 1, 2), net.IPv4(127, 0, 0, 1)
	srv := &Server{Catalog: cat, ControlRemote: true, ControlToken: "s3cret"}
	for _, c := range []struct {
		name string
		path string
		ip   net.IP
		hdr  []string
		want int
	}{
		{"API, no token", apiPrefix + "sessions", lan, nil, 403},
		{"API, wrong bearer", apiPrefix + "sessions", lan, []string{"Authorization", "Bearer nope"}, 403},
		{"API, token in the query", apiPrefix + "sessions?token=s3cret", lan, nil, 403},
		{"API, bearer", apiPrefix + "sessions", lan, []string{"Authorization", "Bearer s3cret"}, 200},
		{"API, cookie", apiPrefix + "sessions", lan, []string{"Cookie", "wsreplay_token=s3cret"}, 200},
		{"events, no token", apiPrefix + "events", lan, nil, 403},
		{"timeline, no token", controlPrefix + "s/s1", lan, nil, 403},
		{"timeline, cookie", controlPrefix + "s/s1", lan, []string{"Cookie", "wsreplay_token=s3cret"}, 200},
		{"timeline, wrong token in the query", controlPrefix + "s/s1?token=nope", lan, nil, 403},
		{"API on loopback, no token", apiPrefix + "sessions", lo, nil, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			if rec := do(srv, c.path, c.ip, c.hdr...); rec.Code != c.want {
				t.Errorf("%d %s, want %d", rec.Code, rec.Body, c.want)
			}
		})
	}
	t.Run("page with the token", func(t *testing.T) {
		rec := do(srv, controlPrefix+"s/s1?token=s3cret&x=1", lan)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != controlPrefix+"s/s1?x=1" {
			t.Errorf("%d to %q, want 303 to the page without the token", rec.Code, rec.Header().Get("Location"))
		}
		c := rec.Result().Cookies()
		// The cookie goes to every port of the host: it is kept to the
		// path of the pages and the API.
		if len(c) != 1 || c[0].Name != "wsreplay_token" || c[0].Value != "s3cret" || !c[0].HttpOnly ||
			c[0].SameSite != http.SameSiteStrictMode || c[0].Path != controlPrefix {
			t.Errorf("cookies %v, want wsreplay_token, HttpOnly, SameSite=Strict, Path=%s", c, controlPrefix)
		}
		rec = do(srv, "/?token=s3cret", lan)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != controlPrefix {
			t.Errorf("/?token=: %d to %q, want 303 to %s, where the cookie is sent", rec.Code, rec.Header().Get("Location"), controlPrefix)
		}
		rec = do(srv, controlPrefix, lan, "Cookie", "wsreplay_token=s3cret")
		if !strings.Contains(rec.Body.String(), "Live replays") {
			t.Errorf("%s with the cookie shows no controls", controlPrefix)
		}
		if rec = do(srv, "/", lan); strings.Contains(rec.Body.String(), "Live replays") {
			t.Errorf("/ without the token shows the controls")
		}
	})
	t.Run("no token set", func(t *testing.T) {
		srv := &Server{Catalog: cat, ControlRemote: true}
		if rec := do(srv, apiPrefix+"sessions", lan, "Authorization", "Bearer "); rec.Code != 403 {
			t.Errorf("%d %s, want 403", rec.Code, rec.Body)
		}
	})
}
