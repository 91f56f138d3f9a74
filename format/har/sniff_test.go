package har

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"testing/iotest"
)

// Sniff tells HAR from a recording by the first key, and gives back every
// byte it looked at.
func TestSniff(t *testing.T) {
	t.Parallel()

	chrome, _ := os.ReadFile("../../testdata/har/chrome.har")
	demo, _ := os.ReadFile("../../testdata/demo.ndjson")
	tests := []struct {
		name  string
		data  []byte
		isHAR bool
	}{
		{"chrome.har", chrome, true},
		{"demo.ndjson", demo, false},
		{"space and BOM first", []byte("\ufeff {\n \"log\":{}}"), true},
		{"another first key", []byte(`{"type":"session","log":{}}`), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br, isHAR, err := Sniff(bytes.NewReader(tt.data))
			if err != nil || isHAR != tt.isHAR {
				t.Fatalf("Sniff = %v, %v; want %v, nil", isHAR, err, tt.isHAR)
			}
			if all, _ := io.ReadAll(br); !bytes.Equal(all, tt.data) {
				t.Errorf("the reader returned %d bytes, want all %d", len(all), len(tt.data))
			}
		})
	}
	_, _, err := Sniff(iotest.ErrReader(errDisk))
	if !errors.Is(err, errDisk) {
		t.Errorf("Sniff of a failing reader: got %v, want %v", err, errDisk)
	}
}

var errDisk = errors.New("disk on fire")
