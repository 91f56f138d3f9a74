package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Messages of JSON inside JSON, recorded through the proxy, are "text" in
// the file (grep, jq and SQL read them), not base64: their escaped form is
// longer than base64 but less than twice their size. (Before, a message
// went to base64 whenever escaping was longer than base64: the echo and the
// ActionCable message with "data" here did.)
func TestJSONInJSONStaysText(t *testing.T) {
	msgs := []string{
		`{"echo":"{\"op\":\"subscribe\"}"}`,
		`{"command":"subscribe","identifier":"{\"channel\":\"ChatChannel\",\"room\":\"1\"}"}`,
		`{"command":"message","identifier":"{\"channel\":\"ChatChannel\",\"room\":\"1\"}","data":"{\"action\":\"speak\",\"body\":\"hi\"}"}`,
	}
	up := upstream(t, nil, echo(nil))
	dir := t.TempDir()
	sink, err := NewDirSink(dir, nil) // plain NDJSON: the file as grep sees it
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(wsURL(up))
	p := &Proxy{Upstream: u, Sink: sink}
	ts := newServer(p)
	c := dial(t, ts, "/cable", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, m := range msgs {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.Read(ctx); err != nil || string(got) != m {
			t.Fatalf("echo: %q, %v", got, err)
		}
	}
	c.Close(websocket.StatusNormalClosure, "")
	stopProxy(t, p, ts, sink)
	names, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if len(names) != 1 {
		t.Fatalf("recordings %v, want one plain file", names)
	}
	file, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		quoted, _ := json.Marshal(m)
		for _, dir := range []string{"send", "receive"} {
			if want := `"dir":"` + dir + `","text":` + string(quoted); !bytes.Contains(file, []byte(want)) {
				t.Errorf("the file has no line with %s\n%s", want, file)
			}
		}
	}
	if bytes.Contains(file, []byte(`"binary"`)) {
		t.Errorf("the file holds base64:\n%s", file)
	}
}
