package recorder

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/wsreplay/wsreplay/internal/secret"
)

// Redacted replaces a secret in what is recorded.
const Redacted = secret.Redacted

// Redaction says what to hide in recordings and logs. The zero value hides
// the defaults: credential headers (Cookie, Set-Cookie, Authorization,
// Proxy-Authorization, X-Api-Key, X-Auth-Token, names ending in -Token,
// -Api-Key, -Secret and the like), query parameters whose names look like
// credentials, and token-like subprotocols (see internal/secret), in both
// directions. Redaction applies to what is recorded and logged, never to
// the traffic itself.
type Redaction struct {
	// Headers are more header names to hide (case-insensitive). A name
	// starting with "*" matches by suffix ("*-Session").
	Headers []string
	// Query are more query parameter names to hide (case-insensitive).
	Query []string
	// JSONFields are names of JSON object fields whose values are
	// replaced by "[redacted]" inside text messages, at any depth, in
	// both directions: in a message that is JSON, in JSON after a prefix
	// (Socket.IO's 42["login",{...}]), and in JSON encoded inside string
	// values. A message that names a field but cannot be parsed is
	// recorded unchanged and counted, never half redacted.
	JSONFields []string
	// Paths hide parts of request paths (/ws/<token>): each capture group
	// of a match, or the whole match if the expression has no group, is
	// replaced by "[redacted]".
	Paths []*regexp.Regexp
	// Off turns the default redactions off. The extra names above still
	// apply.
	Off bool
}

var (
	defaultHeaders = []string{"Cookie", "Set-Cookie", "Authorization", "Proxy-Authorization",
		"X-Api-Key", "Api-Key", "X-Auth", "X-Auth-Token", "X-Access-Token", "X-Amz-Security-Token",
		"X-Csrf-Token", "X-Xsrf-Token", "X-Session-Id", "X-Session", "Private-Token",
		"Token", "Apikey", "Authentication", "X-Authorization", "X-Auth-Key"}
	// defaultHeaderSuffixes are credentials wherever a header name ends so
	// (with "_" read as "-"), Sec-WebSocket-Key (a nonce) aside.
	defaultHeaderSuffixes = []string{"-token", "-key", "-apikey", "-secret", "-signature", "-credential",
		"-credentials", "-password", "-authorization", "-assertion", "-jwt", "-session"}
)

// Query names that are credentials wherever they appear in a name, and ones
// that are only when they are the whole name.
var (
	credentialParts = []string{"token", "secret", "password", "passwd", "apikey", "api_key", "api-key",
		"signature", "credential", "private_key", "privatekey", "access_key", "accesskey", "access-key",
		"auth_key", "auth-key", "client_key", "client-key", "session", "jwt"}
	credentialNames = []string{"key", "auth", "authorization", "sig", "code", "sid", "pwd", "pass", "otp",
		"ticket", "bearer"}
)

// headers returns a copy of h with secrets hidden.
func (r *Redaction) headers(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		hidden := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case r.secretHeader(k):
				hidden[i] = Redacted
			case strings.EqualFold(k, "Sec-WebSocket-Protocol"):
				hidden[i] = r.subprotocols(v)
			default:
				hidden[i] = v
			}
		}
		out[k] = hidden
	}
	return out
}

func (r *Redaction) secretHeader(name string) bool {
	n := strings.ToLower(name)
	if !r.Off {
		dashed := strings.ReplaceAll(n, "_", "-")
		for _, h := range defaultHeaders {
			if strings.EqualFold(h, dashed) {
				return true
			}
		}
		for _, s := range defaultHeaderSuffixes {
			if strings.HasSuffix(dashed, s) && dashed != "sec-websocket-key" {
				return true
			}
		}
	}
	for _, h := range r.Headers {
		if suffix, ok := strings.CutPrefix(h, "*"); ok && strings.HasSuffix(n, strings.ToLower(suffix)) || strings.EqualFold(h, n) {
			return true
		}
	}
	return false
}

// subprotocol returns a subprotocol as it may be recorded: hidden whole if
// its header is redacted, else with token-like parts hidden.
func (r *Redaction) subprotocol(p string) string {
	switch {
	case p == "":
		return ""
	case r.secretHeader("Sec-WebSocket-Protocol"):
		return Redacted
	case r.Off:
		return p
	}
	return secret.Subprotocol(p)
}

// subprotocols redacts a comma-separated Sec-WebSocket-Protocol value.
func (r *Redaction) subprotocols(v string) string {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = r.subprotocol(strings.TrimSpace(p))
	}
	return strings.Join(parts, ", ")
}

func (r *Redaction) secretQuery(name string) bool {
	// key[] and auth[token] are PHP's and Rails' arrays and maps.
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		if r.secretQuery(name[i+1 : len(name)-1]) {
			return true
		}
		name = name[:i]
	}
	n := strings.ToLower(name)
	for _, q := range r.Query {
		if strings.EqualFold(q, name) {
			return true
		}
	}
	if r.Off {
		return false
	}
	for _, c := range credentialNames {
		if n == c {
			return true
		}
	}
	for _, p := range credentialParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// url returns u as a string with the secrets of its path (Paths) and the
// values of secret query parameters hidden, and without user info or
// fragment. The rest keeps its order and encoding. A fragment never
// reaches a server, so nothing recorded needs it, and an OAuth implicit
// flow's page carries its token there (#access_token=...).
func (r *Redaction) url(u *url.URL) string {
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	if len(r.Paths) > 0 {
		p := r.path(c.EscapedPath())
		c.Path, c.RawPath = p, p
		if dec, err := url.PathUnescape(p); err == nil {
			c.Path = dec
		}
	}
	if c.RawQuery != "" {
		c.RawQuery = r.query(c.RawQuery)
	}
	return c.String()
}

// path hides what the Paths expressions match in an escaped path.
func (r *Redaction) path(p string) string {
	for _, re := range r.Paths {
		p = replaceMatches(re, p)
	}
	return p
}

// replaceMatches replaces each capture group of each match of re in s (or
// the whole match, without groups) by Redacted.
func replaceMatches(re *regexp.Regexp, s string) string {
	var b strings.Builder
	at := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		spans := [][]int{m[0:2]}
		if len(m) > 2 {
			spans = nil
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 {
					spans = append(spans, m[g:g+2])
				}
			}
		}
		for _, sp := range spans {
			if sp[0] < at { // nested groups: the outer one is hidden already
				continue
			}
			b.WriteString(s[at:sp[0]])
			b.WriteString(Redacted)
			at = sp[1]
		}
	}
	b.WriteString(s[at:])
	return b.String()
}

// query hides the values of secret parameters in a raw query, and values
// that look like credentials whatever their name (a JWT, a long random
// token). Parameters are separated by & or ; (Rack and older Python read
// both); the separators are kept.
func (r *Redaction) query(raw string) string {
	var b strings.Builder
	for raw != "" {
		end := strings.IndexAny(raw, "&;")
		if end < 0 {
			end = len(raw)
		}
		b.WriteString(r.param(raw[:end]))
		if end < len(raw) {
			b.WriteByte(raw[end])
			end++
		}
		raw = raw[end:]
	}
	return b.String()
}

// param redacts one name=value of a query.
func (r *Redaction) param(p string) string {
	rawName, rawValue, hasValue := strings.Cut(p, "=")
	if !hasValue {
		return p
	}
	name, value := rawName, rawValue
	if dec, err := url.QueryUnescape(rawName); err == nil {
		name = dec
	}
	if dec, err := url.QueryUnescape(rawValue); err == nil {
		value = dec
	}
	if r.secretQuery(name) || !r.Off && secret.Looks(value) {
		return rawName + "=" + url.QueryEscape(Redacted)
	}
	return p
}

// Header returns a copy of h as it is recorded: the values of secret
// headers hidden. It is for recorders of other packages (a browser's
// DevTools events) that write the lines the Proxy writes.
func (r *Redaction) Header(h http.Header) map[string][]string { return r.headers(h) }

// URL returns u as it is recorded: the secrets of its path and query
// hidden, without user info or fragment (see Header).
func (r *Redaction) URL(u *url.URL) string { return r.url(u) }

// Subprotocol returns a negotiated subprotocol as it is recorded (see
// Header).
func (r *Redaction) Subprotocol(p string) string { return r.subprotocol(p) }
