package s3store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/internal/s3test"
)

// session returns the lines of a session of n received messages that
// started at start, closed cleanly when closed.
func session(id string, start time.Time, n int, closed bool) []*format.Event {
	evs := []*format.Event{{Type: format.TypeSession, Version: 1, Session: id, Time: start, URL: "/live?room=" + id}}
	for i := range n {
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: id, Time: start.Add(time.Duration(i+1) * time.Millisecond),
			Dir: format.Receive, Opcode: format.Text, Data: fmt.Appendf(nil, `{"seq":%d}`, i)})
	}
	if closed {
		evs = append(evs, &format.Event{Type: format.TypeClose, Session: id, Time: start.Add(time.Duration(n+1) * time.Millisecond),
			By: format.ByServer, Code: 1000, Reason: "bye", Clean: true})
	}
	return evs
}

// encode writes evs as a recording compressed with comp.
func encode(t testing.TB, evs []*format.Event, comp format.Compression) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := format.NewWriter(&buf, &format.WriterOptions{Compression: comp})
	for _, e := range evs {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// spoolSession puts a finished session file in dir as a recorder names it.
func spoolSession(t testing.TB, dir, id string, start time.Time, n int) string {
	t.Helper()
	name := format.FileName(start, id, format.Zstd)
	if err := os.WriteFile(filepath.Join(dir, name), encode(t, session(id, start, n, true), format.Zstd), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// store starts a versitygw with a bucket named "rec".
func store(t *testing.T) (*s3test.Server, *s3store.Client) {
	t.Helper()
	srv := s3test.Start(t)
	srv.Setenv(t)
	return srv, srv.Bucket(t, "rec")
}

// listAll lists the recordings under loc.
func listAll(t testing.TB, c *s3store.Client, loc s3store.Location, w s3store.Window) []s3store.Location {
	t.Helper()
	var out []s3store.Location
	if err := c.List(context.Background(), loc, w, func(l s3store.Location) error { out = append(out, l); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// readAll reads the object at loc with ranged reads.
func readAll(t testing.TB, c *s3store.Client, loc s3store.Location) []byte {
	t.Helper()
	o, err := c.Open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
