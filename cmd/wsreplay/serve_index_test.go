package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/replayer"
)

// gate blocks reads until it is opened, then ends.
type gate chan struct{}

func (g gate) Read([]byte) (int, error) {
	<-g
	return 0, io.EOF
}

// A recording still being indexed at the start (a large HAR is read whole)
// says so without a dangling "so far", and its sessions are listed when
// indexing ends.
func TestServeListsSessionsIndexedLate(t *testing.T) {
	har, err := os.ReadFile("../../testdata/har/chrome.har")
	if err != nil {
		t.Fatal(err)
	}
	g := make(gate)
	src := replayer.Source{Name: "big.har", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.MultiReader(bytes.NewReader(har[:600]), g, bytes.NewReader(har[600:]))), nil
	}}
	cat, err := replayer.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var stderr bytes.Buffer
	c := cli.NewContext(newApp(io.Discard, &stderr), nil, nil)

	listed := printSessions(c, cat, nil, true)
	if got, want := stderr.String(), "  (still indexing: the sessions are listed when it ends)\n"; listed != 0 || got != want {
		t.Errorf("while indexing: listed %d, printed %q; want 0 and %q", listed, got, want)
	}
	stderr.Reset()
	close(g)
	reportIndexing(context.Background(), c, cat, nil, 0, listed, nil)
	if got := stderr.String(); !strings.HasPrefix(got, "indexed 1 session\n  session har-1  /live?room=1  recorded ") {
		t.Errorf("after indexing: %q", got)
	}
	if strings.Contains(stderr.String(), "1 sessions") {
		t.Errorf("plural: %q", stderr.String())
	}
}
