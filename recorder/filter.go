package recorder

import (
	"math/rand/v2"
	"net/http"
	"path"
	"strings"
)

// Filter chooses the WebSocket connections (and the event streams and
// pollers) that are recorded; the others are relayed exactly as recorded
// ones are, at less cost (nothing is copied or queued for them). The zero
// value records every connection.
type Filter struct {
	// Paths are path.Match patterns ("/live/*"); a connection is
	// recorded only if its path matches one. Empty: any path.
	Paths []string
	// Headers and Cookies are opt-ins: when any is set, a connection is
	// recorded only if it carries one of them (a tester sets a cookie to
	// be recorded). A Match with an empty Value matches any value.
	Headers, Cookies []Match
	// Sample is the fraction of the connections that pass the rules
	// above that are recorded, chosen at random. Zero, or 1 and above:
	// all of them.
	Sample float64
}

// Match is a header or cookie name, with the value it must have ("": any).
type Match struct {
	Name, Value string
}

// ParseMatch reads NAME or NAME=VALUE.
func ParseMatch(s string) Match {
	name, value, _ := strings.Cut(s, "=")
	return Match{Name: strings.TrimSpace(name), Value: value}
}

// records reports whether r is to be recorded, and if not, why: "filter"
// or "sample".
func (f *Filter) records(r *http.Request) (bool, string) {
	if len(f.Paths) > 0 && !f.pathMatches(r.URL.Path) {
		return false, "filter"
	}
	if (len(f.Headers) > 0 || len(f.Cookies) > 0) && !f.optedIn(r) {
		return false, "filter"
	}
	if f.Sample > 0 && f.Sample < 1 && rand.Float64() >= f.Sample {
		return false, "sample"
	}
	return true, ""
}

func (f *Filter) pathMatches(p string) bool {
	for _, pat := range f.Paths {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

func (f *Filter) optedIn(r *http.Request) bool {
	for _, m := range f.Headers {
		for _, v := range r.Header.Values(m.Name) {
			if m.Value == "" || v == m.Value {
				return true
			}
		}
	}
	for _, m := range f.Cookies {
		for _, c := range r.CookiesNamed(m.Name) {
			if m.Value == "" || c.Value == m.Value {
				return true
			}
		}
	}
	return false
}
