package driver

import (
	"net/url"
	"regexp"
)

// urlInText finds the URLs an error's text may name: the ones a run
// dialled, which net/http and the WebSocket dialer quote with their query
// (an Engine.IO sid, a parameter the recording kept).
var urlInText = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// redactedError is an error whose text has its URLs redacted; it wraps
// the error it was made from, for errors.Is and errors.As.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// redactError returns err with the URLs of its text redacted by the
// Redactor, as they would be recorded; nil for nil.
func (d *Driver) redactError(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	red := urlInText.ReplaceAllStringFunc(text, func(s string) string {
		u, err := url.Parse(s)
		if err != nil {
			return "[redacted]"
		}
		return d.redactor().URL(u)
	})
	if red == text {
		return err
	}
	return &redactedError{text: red, err: err}
}
