package replayer

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// WriteTimeline embeds the session so that no payload can end the script
// it sits in, and the data reads back whole.
func TestWriteTimeline(t *testing.T) {
	evil := "</script><script>alert(1)</script> \u2028 & <!--"
	evs := []*format.Event{
		sessionLine("s", "/ws?a=1&b=2", "", rec0),
		message("s", rec0.Add(time.Second), format.Receive, format.Text, []byte(evil)),
		message("s", rec0.Add(1500*time.Millisecond), format.Send, format.Binary, []byte{0, 1, 2, 0xff}),
		{Type: format.TypeClose, Session: "s", Time: rec0.Add(2 * time.Second), By: format.ByServer, Code: 1006},
	}
	var page strings.Builder
	err := WriteTimeline(&page, TimelineSession{ID: "s", URL: "/ws?a=1&b=2", Next: nextOf(evs)})
	if err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if strings.Count(html, "</script>") != 2 || strings.Contains(html, "alert(1)</script>") {
		t.Fatalf("a payload ends the script it is in:\n%s", html)
	}
	_, rest, _ := strings.Cut(html, `<script type="application/json" id="wsreplay-data">`)
	data, _, _ := strings.Cut(rest, "</script>")
	var got struct {
		Messages [][]any     `json:"messages"`
		Info     sessionView `json:"info"`
	}
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatalf("the data does not parse: %v\n%s", err, data)
	}
	if len(got.Messages) != 2 || got.Messages[0][3] != evil || got.Messages[0][0] != 1e9 || got.Messages[1][1] != "s" ||
		got.Messages[1][2] != "b" || got.Messages[1][3] != "AAEC/w==" {
		t.Errorf("messages %v", got.Messages)
	}
	if f := got.Info.Figures; f == nil || f.Messages != 2 || f.Ending != "1006 drop" || f.Duration != int64(2*time.Second) {
		t.Errorf("figures %+v", got.Info.Figures)
	}
}

func TestTimelinePage(t *testing.T) {
	ts := startServer(t, &Server{}, File(tenMessages(t)))
	for path, want := range map[string]string{
		"/_wsreplay/s/s1":            `data-session="s1"`,
		"/_wsreplay/ui/timeline.js":  "function liveSource",
		"/_wsreplay/ui/timeline.css": ".row",
		"/":                          `href="/_wsreplay/s/s1"`,
		"/_wsreplay/":                `href="/_wsreplay/s/s1"`,
	} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
				t.Errorf("%s: %d, no %q", path, resp.StatusCode, want)
			}
			if path != "/" && path != "/_wsreplay/" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("%s: CSP %q", path, resp.Header.Get("Content-Security-Policy"))
			}
		})
	}
	for _, path := range []string{"/_wsreplay/s/nope", "/_wsreplay/ui/other.js", "/_wsreplay/x"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("%s: %d, want 404", path, resp.StatusCode)
			}
		})
	}
}

// nextOf reads evs in turn, then io.EOF: a TimelineSession's Next over a
// session held in memory.
func nextOf(evs []*format.Event) func() (*format.Event, error) {
	i := 0
	return func() (*format.Event, error) {
		if i == len(evs) {
			return nil, io.EOF
		}
		i++
		return evs[i-1], nil
	}
}
