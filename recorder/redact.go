package recorder

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces a secret in what is recorded.
const Redacted = "[redacted]"

// Redaction says what to hide in recordings. The zero value hides the
// defaults: Cookie, Set-Cookie, Authorization and Proxy-Authorization
// headers, and query parameters whose names look like credentials. Redaction
// applies to what is recorded, never to the traffic itself.
type Redaction struct {
	// Headers are more header names to hide (case-insensitive).
	Headers []string
	// Query are more query parameter names to hide (case-insensitive).
	Query []string
	// JSONFields are names of JSON object fields whose values are
	// replaced by "[redacted]" inside text messages, at any depth, in
	// both directions.
	JSONFields []string
	// Off turns the default redactions off. The extra names above still
	// apply.
	Off bool
}

var defaultHeaders = []string{"Cookie", "Set-Cookie", "Authorization", "Proxy-Authorization"}

// Query names that are credentials wherever they appear in a name, and ones
// that are only when they are the whole name.
var (
	credentialParts = []string{"token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "signature", "credential"}
	credentialNames = []string{"key", "auth", "sig", "code", "session", "sessionid", "jwt"}
)

// headers returns a copy of h with secrets hidden.
func (r *Redaction) headers(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if r.secretHeader(k) {
			hidden := make([]string, len(vs))
			for i := range hidden {
				hidden[i] = Redacted
			}
			out[k] = hidden
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (r *Redaction) secretHeader(name string) bool {
	if !r.Off {
		for _, h := range defaultHeaders {
			if strings.EqualFold(h, name) {
				return true
			}
		}
	}
	for _, h := range r.Headers {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

func (r *Redaction) secretQuery(name string) bool {
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

// url returns u as a string with the values of secret query parameters
// hidden. The rest of the query keeps its order and encoding.
func (r *Redaction) url(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery == "" {
		return c.String()
	}
	parts := strings.Split(c.RawQuery, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if hasValue && r.secretQuery(name) {
			parts[i] = p[:strings.IndexByte(p, '=')+1] + url.QueryEscape(Redacted)
		}
	}
	c.RawQuery = strings.Join(parts, "&")
	return c.String()
}

// message returns data with the configured JSON fields hidden, or data
// itself when there is nothing to hide or it is not JSON.
func (r *Redaction) message(data []byte) []byte {
	if len(r.JSONFields) == 0 || !json.Valid(data) {
		return data
	}
	out, err := redactJSON(data, r.JSONFields)
	if err != nil {
		return data
	}
	return out
}

// redactJSON replaces the values of the named fields in a JSON document,
// keeping every other byte as it was (key order, spacing, numbers).
func redactJSON(data []byte, fields []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct{ object, expectKey bool }
	var stack []frame
	var spans [][2]int64
	for {
		expectKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].expectKey
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if expectKey {
			stack[len(stack)-1].expectKey = false
			key, _ := tok.(string)
			if matchField(key, fields) {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, err
				}
				end := dec.InputOffset()
				spans = append(spans, [2]int64{end - int64(len(raw)), end})
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: in an object, a key comes next.
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].expectKey = true
		}
	}
	if len(spans) == 0 {
		return data, nil
	}
	var out bytes.Buffer
	var at int64
	for _, s := range spans {
		out.Write(data[at:s[0]])
		out.WriteString(`"` + Redacted + `"`)
		at = s[1]
	}
	out.Write(data[at:])
	return out.Bytes(), nil
}

func matchField(key string, fields []string) bool {
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}
