package replayer

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// apart starts a Server whose control is on a listener of its own: the
// replay port's test server, and the control listener's.
func apart(t *testing.T) (replay, control *httptest.Server) {
	t.Helper()
	control = httptest.NewUnstartedServer(nil)
	srv := &Server{ControlURL: "http://" + control.Listener.Addr().String()}
	replay = startServer(t, srv, File(tenMessages(t)))
	control.Config.Handler = srv.ControlHandler(replay.Listener.Addr().String())
	control.Start()
	t.Cleanup(control.Close)
	return replay, control
}

func fetchBody(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestControlApart: with ControlURL, nothing under /_wsreplay/ is served
// on the replay port (whatever a recording or an earlier server left on
// that origin in a browser cannot read or steer a replay): the API is
// refused there with the control listener's address, a page is sent
// there, and the control listener serves the API, the timelines and the
// list (linking the replay port's address), and no replay.
func TestControlApart(t *testing.T) {
	replay, control := apart(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	noRedirect := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, path := range []string{apiPrefix + "sessions", apiPrefix + "next"} {
		resp, body := fetchBody(t, noRedirect, replay.URL+path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, control.URL+path) {
			t.Errorf("replay port %s: %d %s, want 404 naming %s", path, resp.StatusCode, body, control.URL+path)
		}
	}
	req, _ := http.NewRequest(http.MethodPut, replay.URL+apiPrefix+"next", strings.NewReader(`{"paused":true}`))
	if code := status(t, client, req); code != http.StatusNotFound {
		t.Errorf("PUT next on the replay port: %d, want 404", code)
	}
	resp, _ := fetchBody(t, noRedirect, replay.URL+controlPrefix+"s/s1")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != control.URL+controlPrefix+"s/s1" {
		t.Errorf("timeline on the replay port: %d to %q, want 302 to the control listener", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := fetchBody(t, client, replay.URL+"/"); !strings.Contains(body, `href="`+control.URL+`/_wsreplay/s/s1"`) {
		t.Errorf("the replay port's list does not link the control listener's timeline:\n%s", body)
	}

	if resp, body := fetchBody(t, client, control.URL+apiPrefix+"sessions"); resp.StatusCode != 200 || !strings.Contains(body, `"s1"`) {
		t.Errorf("control API: %d %s", resp.StatusCode, body)
	}
	if resp, body := fetchBody(t, client, control.URL+controlPrefix+"s/s1"); resp.StatusCode != 200 || !strings.Contains(body, `data-session="s1"`) {
		t.Errorf("control timeline: %d", resp.StatusCode)
	}
	resp, body := fetchBody(t, client, control.URL+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, "ws://"+replay.Listener.Addr().String()) || !strings.Contains(body, `href="`+control.URL+`/_wsreplay/s/s1"`) {
		t.Errorf("control list: %d, does not tell clients to connect to the replay port:\n%s", resp.StatusCode, body)
	}
	for _, path := range []string{"/s1", "/anything"} {
		if resp, _ := fetchBody(t, client, control.URL+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("control listener %s: %d, want 404 (it serves no replays)", path, resp.StatusCode)
		}
	}
	// A page of the replay origin is another origin to the control API.
	req, _ = http.NewRequest(http.MethodPut, control.URL+apiPrefix+"next", strings.NewReader(`{"paused":true}`))
	req.Header.Set("Origin", replay.URL)
	if code := status(t, client, req); code != http.StatusForbidden {
		t.Errorf("PUT next from the replay origin: %d, want 403", code)
	}
}

func status(t *testing.T, c *http.Client, req *http.Request) int {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
