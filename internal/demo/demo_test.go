package demo

import (
	"bytes"
	"os"
	"testing"
)

func TestSameAsTestdata(t *testing.T) {
	want, err := os.ReadFile("../../testdata/demo.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Recording, want) {
		t.Error("internal/demo/demo.ndjson differs from testdata/demo.ndjson: run go run ./internal/demo/gen")
	}
}
