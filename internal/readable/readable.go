// Package readable words recorded values for people: ls, cat and the
// replay server's page show them through it.
package readable

import "strings"

// redactedEncoded is "[redacted]" as a query string encodes it: the
// recorder redacts a query parameter by setting its value and re-encoding
// the query, so the recorded URL holds "token=%5Bredacted%5D".
var redactedEncoded = []string{"%5Bredacted%5D", "%5bredacted%5d"}

// URL returns a recorded URL (or path and query) with its redacted values
// shown as "[redacted]", as they are in headers. The recording itself is
// left as it is, so recordings made by any release read the same.
func URL(u string) string {
	if !strings.Contains(u, "redacted") {
		return u
	}
	for _, enc := range redactedEncoded {
		u = strings.ReplaceAll(u, enc, "[redacted]")
	}
	return u
}
