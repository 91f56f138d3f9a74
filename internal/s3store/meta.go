package s3store

import (
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A session's summary travels as the object's user metadata
// (x-amz-meta-wsreplay-*), so that ls reads it with a HEAD request, never
// downloading the recording. Values are ASCII (HTTP headers): other bytes,
// and "%", are percent-encoded. S3 allows 2 KiB of user metadata, so the
// URL and the close reason are cut to fit.

const metaPrefix = "wsreplay-"

// summaryMeta is the metadata of an object holding s. Its kind is the
// session's (format.Kind's name: websocket, socketio, poll, sse).
func summaryMeta(s *format.Summary) map[string]string {
	m := map[string]string{
		"v":        "1",
		"kind":     escapeMeta(s.Kind.String(), 32),
		"session":  escapeMeta(s.Session, 256),
		"start":    s.Start.UTC().Format(time.RFC3339Nano),
		"end":      s.End.UTC().Format(time.RFC3339Nano),
		"url":      escapeMeta(s.URL, 1024),
		"sent":     strconv.Itoa(s.Sent),
		"received": strconv.Itoa(s.Received),
		"bytes":    strconv.FormatInt(s.Bytes, 10),
		"ending":   s.Ending(),
	}
	if s.Subprotocol != "" {
		m["subprotocol"] = escapeMeta(s.Subprotocol, 128)
	}
	if s.Closed {
		m["by"] = escapeMeta(s.By, 16)
		m["reason"] = escapeMeta(s.Reason, 200)
	}
	if s.Lost > 0 {
		m["lost"] = strconv.FormatInt(s.Lost, 10)
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[metaPrefix+k] = v
	}
	return out
}

// summaryFromMeta reads the summary summaryMeta wrote, and the kind's name;
// false if the object has none (it was not uploaded by a recorder).
func summaryFromMeta(m map[string]string) (*format.Summary, string, bool) {
	get := func(k string) string { return unescapeMeta(m[metaPrefix+k]) }
	if get("v") != "1" {
		return nil, "", false
	}
	s := &format.Summary{Session: get("session"), URL: get("url"), Subprotocol: get("subprotocol"),
		By: get("by"), Reason: get("reason")}
	var err1, err2 error
	s.Start, err1 = time.Parse(time.RFC3339Nano, get("start"))
	s.End, err2 = time.Parse(time.RFC3339Nano, get("end"))
	if err1 != nil || err2 != nil {
		return nil, "", false
	}
	s.Sent, _ = strconv.Atoi(get("sent"))
	s.Received, _ = strconv.Atoi(get("received"))
	s.Bytes, _ = strconv.ParseInt(get("bytes"), 10, 64)
	s.Lost, _ = strconv.ParseInt(get("lost"), 10, 64)
	if k := get("kind"); k != "websocket" {
		s.Kind = format.Kind(k)
	}
	if ending := get("ending"); ending != "open" {
		code, how, _ := strings.Cut(ending, " ")
		s.Closed, s.Clean = true, how == "clean"
		s.Code, _ = strconv.Atoi(code)
	}
	return s, get("kind"), true
}

// escapeMeta percent-encodes what is not printable ASCII, and "%", cutting
// the result to at most max bytes (never inside an escape).
func escapeMeta(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		enc := string(c)
		if c < 0x20 || c > 0x7e || c == '%' {
			enc = "%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:])
		}
		if b.Len()+len(enc) > max {
			break
		}
		b.WriteString(enc)
	}
	return b.String()
}

func unescapeMeta(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
