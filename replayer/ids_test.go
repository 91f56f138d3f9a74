package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// A session id holding "/" (or "?", "#", "%") has a working timeline: the
// page links to it escaped, and the API answers for it at the paths the
// page asks for, the id escaped as encodeURIComponent does.
func TestSessionIDWithSlash(t *testing.T) {
	ids := []string{"team/a", "q?x#y%z"}
	var evs []*format.Event
	for _, id := range ids {
		evs = append(evs, sessionLine(id, "/ws", "", rec0), message(id, rec0, format.Receive, format.Text, []byte("hello "+id)))
	}
	ts := startServer(t, &Server{}, File(writePlain(t, evs...)))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, c := range []struct{ id, escaped string }{{"team/a", "team%2Fa"}, {"q?x#y%z", "q%3Fx%23y%25z"}} {
		t.Run(c.id, func(t *testing.T) {
			if !strings.Contains(string(page), `href="/_wsreplay/s/`+c.escaped+`"`) {
				t.Errorf("the session list does not link to /_wsreplay/s/%s", c.escaped)
			}
			resp, err := http.Get(ts.URL + "/_wsreplay/s/" + c.escaped)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("timeline page: %d", resp.StatusCode)
			}
			if v := mustCall(t, ts, "GET", "sessions/"+c.escaped, ""); v["id"] != c.id {
				t.Errorf("session: %v", v)
			}
			v := mustCall(t, ts, "GET", "sessions/"+c.escaped+"/messages", "")
			if msgs, _ := v["messages"].([]any); len(msgs) != 1 {
				t.Errorf("messages: %v", v)
			}
			mustCall(t, ts, "GET", "sessions/"+c.escaped+"/messages/1", "")
			mustCall(t, ts, "GET", "sessions/"+c.escaped+"/search?q=hello", "")
			mustCall(t, ts, "PUT", "next", `{"session": "`+c.id+`"}`)
		})
	}
}
