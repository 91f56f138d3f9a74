package replayer

import (
	"net/http"
	"testing"
)

// A page of another site cannot make the API work for it, reads included:
// a cross-site <img> of a regular expression search (no Origin, but
// Sec-Fetch-Site) gets 403 before any search runs. The server's own pages,
// an address typed in the browser, and clients that are not browsers are
// answered; a link from anywhere opens a timeline page.
func TestAPIReadsRefusedToOtherSites(t *testing.T) {
	ts := startServer(t, &Server{Paused: true}, File(tenMessages(t)))
	reads := []string{"sessions", "sessions/s1", "sessions/s1/messages", "sessions/s1/messages/1",
		"sessions/s1/search?q=(a%2B)%2Bb&regex=1", "replays", "next"}
	for _, c := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"cross-site image", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Dest", "image"}, 403},
		{"same-site page on another port", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"foreign Origin", []string{"Origin", "http://evil.example"}, 403},
		{"own page", []string{"Sec-Fetch-Site", "same-origin", "Origin", ts.URL}, 200},
		{"typed address", []string{"Sec-Fetch-Site", "none"}, 200},
		{"not a browser", nil, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range reads {
				if st, v := call(t, ts, "GET", path, "", c.hdr...); st != c.want {
					t.Errorf("GET %s: %d %v, want %d", path, st, v, c.want)
				}
			}
		})
	}
	req, _ := http.NewRequest("GET", ts.URL+"/_wsreplay/s/s1", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("timeline page from a link on another site: %d, want 200", resp.StatusCode)
	}
}
