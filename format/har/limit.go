package har

import (
	"fmt"
	"strings"

	"github.com/wsreplay/wsreplay/format"
)

// A HAR entry may hold a message of any size; a recording holds none larger
// than format.MaxMessageSize, whose line every reader accepts. So a larger
// one is refused where it is read, naming its entry, as the recorder
// refuses it past --max-message-size: converted, it would make a file that
// no reader accepts.

// checkSizes reports the first message or body of ent larger than limit.
func checkSizes(ent harEntry, limit int64) error {
	for j, m := range ent.Messages {
		n := int64(len(m.Data))
		if m.Opcode != 1 {
			n = base64Len(m.Data)
		}
		if n > limit {
			return tooLarge(fmt.Sprintf("_webSocketMessages[%d]", j), "message", n, limit)
		}
	}
	for j, m := range ent.EventSource {
		if n := int64(len(m.Data)); n > limit {
			return tooLarge(fmt.Sprintf("_eventSourceMessages[%d]", j), "message", n, limit)
		}
	}
	for _, b := range []struct {
		where string
		body  *harBodyIn
	}{{"request.postData", ent.Request.PostData}, {"response.content", ent.Response.Content}} {
		if b.body == nil {
			continue
		}
		n := int64(len(b.body.Text))
		if b.body.Encoding == "base64" {
			n = base64Len(b.body.Text)
		}
		if n > limit {
			return tooLarge(b.where, "body", n, limit)
		}
	}
	return nil
}

func tooLarge(where, what string, n, limit int64) error {
	return fmt.Errorf("%s: a %s of %d bytes (%s) is larger than %s, the largest message a recording holds", where, what, n, mib(n), mib(limit))
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// base64Len is the length of the data s encodes in standard base64 (an
// upper bound for text that is not base64: the decoding reports it).
func base64Len(s string) int64 {
	n := int64(len(s)) / 4 * 3
	if r := len(s) % 4; r > 1 {
		n += int64(r - 1)
	}
	return n - int64(len(s)-len(strings.TrimRight(s, "=")))
}

// maxMessage is r's limit.
func (r *Reader) maxMessage() int64 {
	if r.MaxMessageSize > 0 {
		return r.MaxMessageSize
	}
	return format.MaxMessageSize
}
