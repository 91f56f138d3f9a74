package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// The flag parsers take anything a user types: no panics, and a clear
// answer either way.

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "2m", "1h30m", "250ms", "1.5", "0", "-1s", "1e9", "NaN", "9999999999h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("parseDuration(%q) = %v, a negative duration", s, d)
		}
		if err != nil && !strings.Contains(err.Error(), "is not a duration") {
			t.Fatalf("parseDuration(%q): unclear error %v", s, err)
		}
	})
}

func FuzzParseCloseSpec(f *testing.F) {
	for _, s := range []string{"30s", "30s:4000", "1m:4000:maintenance", "5s:1006", "5s:abc", "::", "1s:1000:a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, code, reason, err := parseCloseSpec(s)
		if err != nil {
			var u usageError
			if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "--close-at: ") {
				t.Fatalf("parseCloseSpec(%q): %v is not a usage error naming the flag", s, err)
			}
			return
		}
		if d < 0 || !format.WireCode(code) || len(reason) > 123 {
			t.Fatalf("parseCloseSpec(%q) = %v, %d, %q: not something serve can do", s, d, code, reason)
		}
	})
}

func FuzzParseHeartbeat(f *testing.F) {
	for _, s := range []string{"ping:pong", `{"type":"ping"}:{"type":"pong"}`, ":", "a:b:c", "ping", `\n:\n`, `\x3a:\u00e9`, `{"a":"\n"}:b\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ping, pong, err := parseHeartbeat(s)
		if err != nil {
			return
		}
		// Without a backslash nothing is unescaped: the two sides are s.
		if ping == "" || pong == "" || !strings.Contains(s, `\`) && ping+":"+pong != s {
			t.Fatalf("parseHeartbeat(%q) = %q, %q", s, ping, pong)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"65536", "64MiB", "512KiB", "1GiB", "10MB", "0", "-1", "99999999999GiB", "MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize("max-message-size", s)
		if err == nil && (n <= 0 || n > 1<<40) {
			t.Fatalf("parseSize(%q) = %d", s, n)
		}
	})
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"90s": 90 * time.Second, "1.5": 1500 * time.Millisecond, "2m": 2 * time.Minute} {
		t.Run(in, func(t *testing.T) {
			if got, err := parseDuration(in); err != nil || got != want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
			}
		})
	}
	for _, bad := range []string{"-1s", "soon", "1e300", "NaN"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := parseDuration(bad); err == nil {
				t.Errorf("parseDuration(%q) succeeded", bad)
			}
		})
	}
}
