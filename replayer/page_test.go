package replayer

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wsreplay/wsreplay/format"
)

// A redacted query value shows as [redacted] on the page, not as the
// percent-encoding the recording holds.
func TestPageShowsRedactedPlainly(t *testing.T) {
	path := writePlain(t,
		sessionLine("s", "/live?room=1&token=%5Bredacted%5D", "", rec0),
		message("s", rec0, format.Receive, format.Text, []byte("hi")),
	)
	ts := startServer(t, &Server{}, File(path))
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "token=[redacted]") || strings.Contains(string(body), "%5B") {
		t.Errorf("page:\n%s", body)
	}
}
