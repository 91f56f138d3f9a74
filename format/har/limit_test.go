package har

import (
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"
)

// An entry holding a message or body larger than the limit is refused with
// one line naming the file, the entry and the message; one at the limit
// is read.
func TestReaderRefusesLargeMessages(t *testing.T) {
	t.Parallel()

	const limit = 1000
	ws := func(frames string) string {
		return `{"request":{"url":"wss://a.example/ws"},"response":{},"_resourceType":"websocket","startedDateTime":"2026-11-25T10:00:00Z","_webSocketMessages":[` + frames + `]}`
	}
	text := func(n int) string {
		return fmt.Sprintf(`{"type":"receive","time":1,"opcode":1,"data":%q}`, strings.Repeat("a", n))
	}
	binary := func(n int) string {
		return fmt.Sprintf(`{"type":"receive","time":1,"opcode":2,"data":%q}`, base64.StdEncoding.EncodeToString(make([]byte, n)))
	}
	poll := func(n int) string {
		return fmt.Sprintf(`{"request":{"method":"GET","url":"http://a.example/poll"},"response":{"status":200,"content":{"mimeType":"application/json","text":%q}},"startedDateTime":"2026-11-25T10:00:00Z","_wsreplay":{"session":"p","kind":"poll"}}`, strings.Repeat("b", n))
	}
	for _, tc := range []struct {
		name, entries, want string
	}{
		{"text at the limit", ws(text(1) + "," + text(limit)), ""},
		{"binary at the limit", ws(binary(limit)), ""},
		{"text past the limit", ws(text(1) + "," + text(limit+1)), "x.har: entries[1]._webSocketMessages[1]: a message of 1001 bytes"},
		{"binary past the limit", ws(binary(limit + 1)), "x.har: entries[1]._webSocketMessages[0]: a message of 1001 bytes"},
		{"body past the limit", poll(limit + 1), "x.har: entries[1].response.content: a body of 1001 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := `{"log":{"entries":[` + ws(text(1)) + "," + tc.entries + `]}}`
			r := NewReader(strings.NewReader(file), "x.har")
			r.MaxMessageSize = limit
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if tc.want == "" {
				if err != io.EOF {
					t.Errorf("got %v, want every entry read", err)
				}
				return
			}
			if err == io.EOF || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v, want one line beginning %q", err, tc.want)
			}
		})
	}
}
