package har

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// sniffSize is how much of a stream Sniff looks at, and bufSize the buffer
// of the reader it returns: enough for a recording's reader to start on.
const (
	sniffSize = 512
	bufSize   = 64 << 10
)

// Sniff looks at the start of r and reports whether it is a HAR file (a JSON
// object whose first key is "log") rather than a recording. It returns a
// buffered reader that reads all of r, the start included, for Read or
// format.NewReader. err is set only if r gave an error (not io.EOF) before
// any byte; an empty stream is not HAR, and br.Buffered() is then 0.
func Sniff(r io.Reader) (br *bufio.Reader, isHAR bool, err error) {
	br = bufio.NewReaderSize(r, bufSize)
	head, err := br.Peek(sniffSize)
	if len(head) > 0 || errors.Is(err, io.EOF) {
		err = nil
	}
	return br, looksLikeHAR(head), err
}

// looksLikeHAR reports whether head, the start of a stream, begins a JSON
// object whose first key is "log".
func looksLikeHAR(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n\ufeff")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(head[1:], " \t\r\n"), []byte(`"log"`))
}
