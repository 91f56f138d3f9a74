package format

import (
	"fmt"
	"testing"
	"time"
)

func TestFileName(t *testing.T) {
	t.Parallel()

	start := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("x", 3600))
	for _, c := range []struct {
		comp Compression
		want string
	}{
		{None, "20261125T090000.123Z_abc.ndjson"},
		{Gzip, "20261125T090000.123Z_abc.ndjson.gz"},
		{Zstd, "20261125T090000.123Z_abc.ndjson.zst"},
	} {
		t.Run(c.want, func(t *testing.T) {
			name := FileName(start, "abc", c.comp)
			if name != c.want {
				t.Fatalf("FileName = %q, want %q", name, c.want)
			}
			got, ok := FileNameTime(name + PartialSuffix)
			if !ok || !got.Equal(start.Truncate(time.Millisecond)) {
				t.Errorf("FileNameTime(%q) = %v, %v; want %v", name, got, ok, start.Truncate(time.Millisecond))
			}
			if ext, ok := FinishedExt(name); !ok || ext != c.comp.Ext() {
				t.Errorf("FinishedExt(%q) = %q, %v", name, ext, ok)
			}
		})
	}
}

func TestNames(t *testing.T) {
	t.Parallel()

	for _, c := range []struct {
		name               string
		finished, recorded bool
	}{
		{"a.ndjson", true, true},
		{"a.ndjson.gz", true, true},
		{"a.ndjson.zst", true, true},
		{"a.ndjson.zst.partial", false, true},
		{"a.ndjson.partial", false, true},
		{"A.NDJSON.ZST", false, true}, // found in a directory in any case; never written so
		{".a.ndjson", true, false},    // hidden: a temporary file or a probe
		{"a.har", false, false},       // HAR is read by format/har, not named here
		{"a.ndjson.tmp", false, false},
		{"a.json", false, false},
		{"20261125T090000.123Z", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, ok := FinishedExt(c.name); ok != c.finished {
				t.Errorf("FinishedExt ok = %v, want %v", ok, c.finished)
			}
			if got := IsRecordingName(c.name); got != c.recorded {
				t.Errorf("IsRecordingName = %v, want %v", got, c.recorded)
			}
		})
	}
	for _, bad := range []string{"", "20261125T090000.123Z", "20261125T090000.123Zx", "x0261125T090000.123Z_a"} {
		t.Run(fmt.Sprintf("bad %q", bad), func(t *testing.T) {
			if _, ok := FileNameTime(bad); ok {
				t.Errorf("FileNameTime(%q) ok", bad)
			}
		})
	}
}

func TestWireCode(t *testing.T) {
	t.Parallel()

	for code, want := range map[int]bool{
		999: false, 1000: true, 1003: true, 1004: false, 1005: false, 1006: false, 1007: true,
		1014: true, 1015: false, 1016: false, 2999: false, 3000: true, 4999: true, 5000: false,
	} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			if got := WireCode(code); got != want {
				t.Errorf("WireCode(%d) = %v, want %v", code, got, want)
			}
		})
	}
}
