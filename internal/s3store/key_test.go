package s3store

import (
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

func TestKeySortsByTime(t *testing.T) {
	a := Key("p/", time.Date(2026, 11, 27, 9, 59, 59, 999e6, time.UTC), "20261127T095959.999Z_z.ndjson.zst")
	b := Key("p/", time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("x", 3600)), "20261127T090000.000Z_a.ndjson.zst")
	if a != "p/2026/11/27/09/20261127T095959.999Z_z.ndjson.zst" || !(b < a) {
		t.Errorf("keys %q, %q: want UTC hours, the earlier first", a, b)
	}
	if got, ok := startOf("20261127T095959.999Z_z.ndjson.zst"); !ok || !got.Equal(time.Date(2026, 11, 27, 9, 59, 59, 999e6, time.UTC)) {
		t.Errorf("startOf: %v %v", got, ok)
	}
	if _, ok := startOf("notes.ndjson"); ok {
		t.Error("startOf of a name without a time: ok")
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, bucket, key, prefix string
		bad                     bool
	}{
		{in: "s3://b", bucket: "b"},
		{in: "s3://b/", bucket: "b"},
		{in: "s3://b/rec", bucket: "b", key: "rec", prefix: "rec/"},
		{in: "s3://b/rec/", bucket: "b", key: "rec/", prefix: "rec/"},
		{in: "s3:///rec", bad: true},
		{in: "s3://b/x?y", bad: true},
		{in: "/tmp/x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l, err := ParseURL(tt.in)
			if (err != nil) != tt.bad || l.Bucket != tt.bucket || l.Key != tt.key || l.Prefix() != tt.prefix {
				t.Errorf("ParseURL(%q) = %+v (prefix %q), %v", tt.in, l, l.Prefix(), err)
			}
		})
	}
}

func TestPathStyleForLocalEndpoints(t *testing.T) {
	for ep, want := range map[string]bool{
		"http://127.0.0.1:7070": true, "http://[::1]:9000": true, "http://localhost:9000": true,
		"http://minio.localhost": true, "https://s3.example.com": false, "": false,
	} {
		t.Run(ep, func(t *testing.T) {
			if got := hostIsLocal(ep); got != want {
				t.Errorf("hostIsLocal(%q) = %v, want %v", ep, got, want)
			}
		})
	}
}

// The summary survives metadata: non-ASCII and "%" escaped, long values cut.
func TestSummaryMetaRoundTrip(t *testing.T) {
	s := &format.Summary{Session: "s1", Start: time.Date(2026, 11, 27, 10, 0, 0, 123, time.UTC), End: time.Date(2026, 11, 27, 10, 1, 0, 0, time.UTC),
		URL: "/live?q=é%20x&room=\x01", Subprotocol: "v1", Sent: 3, Received: 4, Bytes: 99, Closed: true, By: "server",
		Code: 4000, Reason: "bye ☃", Clean: true, Lost: 2}
	m := summaryMeta(s)
	for k, v := range m {
		for _, c := range []byte(v) {
			if c < 0x20 || c > 0x7e {
				t.Errorf("metadata %s=%q is not printable ASCII", k, v)
			}
		}
	}
	got, kind, ok := summaryFromMeta(m)
	if !ok || kind != "websocket" || *got != *s {
		t.Errorf("round trip:\n got %+v (%q, %v)\nwant %+v", got, kind, ok, s)
	}
	sse := *s
	sse.Kind = format.KindSSE
	if got, kind, _ := summaryFromMeta(summaryMeta(&sse)); kind != "sse" || got.Kind != format.KindSSE {
		t.Errorf("an SSE session's kind came back as %q (%q)", got.Kind, kind)
	}
	open := &format.Summary{Session: "s2", Start: s.Start, End: s.Start, URL: "/" + strings.Repeat("a", 3000)}
	got, _, _ = summaryFromMeta(summaryMeta(open))
	if got.Closed || got.Ending() != "open" || len(got.URL) != 1024 {
		t.Errorf("open session with a long URL: %+v (URL %d bytes)", got, len(got.URL))
	}
	if _, _, ok := summaryFromMeta(map[string]string{"content-type": "x"}); ok {
		t.Error("an object without a summary has one")
	}
}

// A .partial beside its finished object is left out, whichever side of it
// the finished one sorts.
func TestDedupPartials(t *testing.T) {
	keys := []string{"a.ndjson", "a.ndjson.partial", "b.ndjson.gz", "b.ndjson.partial", "c.ndjson.partial", "c.ndjson.zst",
		"d.ndjson.partial", "e.ndjson.zst", "f.ndjson.partial", "g.ndjson.zst", "g.ndjson.zst.partial",
		"h.ndjson.gz.partial", "h.ndjson.partial", "i.ndjson.zst.partial"}
	var got []string
	d := &dedup{emit: func(l Location) error { got = append(got, l.Key); return nil }}
	for _, k := range keys {
		d.add(Location{Key: k})
	}
	d.flush(Location{})
	want := "a.ndjson b.ndjson.gz c.ndjson.zst d.ndjson.partial e.ndjson.zst f.ndjson.partial g.ndjson.zst h.ndjson.partial i.ndjson.zst.partial"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v\nwant %s", got, want)
	}
}

func TestRootOf(t *testing.T) {
	for in, want := range map[string]string{
		"staging/": "staging/", "staging/2026/": "staging/", "staging/2026/11/27/10/": "staging/",
		"2026/11/": "", "": "", "a/b/": "a/b/", "staging/2026/1/": "staging/2026/1/",
	} {
		t.Run(in, func(t *testing.T) {
			if got := rootOf(in); got != want {
				t.Errorf("rootOf(%q) = %q, want %q", in, got, want)
			}
		})
	}
}
