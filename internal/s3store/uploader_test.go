package s3store_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/nettest"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

// TestUploadFinished: finished files go to time-sorted keys with their
// summary as metadata, and leave the spool; the content is the file's.
func TestUploadFinished(t *testing.T) {
	_, c := store(t)
	spool := t.TempDir()
	t0 := time.Date(2026, 11, 27, 10, 59, 59, 0, time.UTC)
	a := spoolSession(t, spool, "a", t0, 3)
	spoolSession(t, spool, "b", t0.Add(2*time.Second), 5)
	want, _ := os.ReadFile(filepath.Join(spool, a))
	dest := s3store.Location{Bucket: "rec", Key: "staging"}
	u := &s3store.Uploader{Client: c, Dest: dest, Dir: spool}
	if err := u.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Errorf("spool holds %d files after the uploads, want none", len(left))
	}
	got := listAll(t, c, dest, s3store.Window{})
	wantKeys := []string{"staging/2026/11/27/10/20261127T105959.000Z_a.ndjson.zst", "staging/2026/11/27/11/20261127T110001.000Z_b.ndjson.zst"}
	if len(got) != 2 || got[0].Key != wantKeys[0] || got[1].Key != wantKeys[1] {
		t.Fatalf("keys %v, want %v", got, wantKeys)
	}
	if b := readAll(t, c, got[0]); string(b) != string(want) {
		t.Errorf("object holds %d bytes, want the file's %d", len(b), len(want))
	}
	l := c.Head(t.Context(), got[1])
	if l.Err != nil || l.Summary == nil {
		t.Fatalf("head: %v, summary %v", l.Err, l.Summary)
	}
	s := l.Summary
	if s.Session != "b" || s.Received != 5 || s.URL != "/live?room=b" || s.Ending() != "1000 clean" || !s.Start.Equal(t0.Add(2*time.Second)) || l.Kind != "websocket" {
		t.Errorf("summary %+v kind %q", s, l.Kind)
	}
	if st := u.Stats(); st.Uploaded != 2 || st.Failures != 0 {
		t.Errorf("stats %+v, want 2 uploaded, no failure", st)
	}
}

// TestUploadRetriesUntilStoreReturns: with the store down, files stay in
// the spool; when it is back, they are uploaded, once each.
func TestUploadRetriesUntilStoreReturns(t *testing.T) {
	srv, c := store(t)
	spool := t.TempDir()
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	spoolSession(t, spool, "a", t0, 2)
	srv.Stop()
	u := &s3store.Uploader{Client: c, Dest: s3store.Location{Bucket: "rec"}, Dir: spool, Scan: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); u.Run(ctx) }()
	defer func() { cancel(); <-done }()
	nettest.WaitFor(t, "two failures", func() bool { return u.Stats().Failures >= 2 })
	if left, _ := os.ReadDir(spool); len(left) != 1 {
		t.Fatalf("spool holds %d files while the store is down, want 1", len(left))
	}
	spoolSession(t, spool, "b", t0.Add(time.Second), 2)
	srv.Restart(t)
	nettest.WaitFor(t, "two uploads", func() bool { return u.Stats().Uploaded == 2 })
	if got := listAll(t, c, s3store.Location{Bucket: "rec"}, s3store.Window{}); len(got) != 2 {
		t.Errorf("bucket holds %d recordings, want 2", len(got))
	}
}

// TestUploadPartial: a running session's file is uploaded as .partial,
// cut at its last whole line (a plain file, as earlier releases spooled)
// or its last whole frame (the zstd frames the directory sink writes now);
// the finished object replaces it.
func TestUploadPartial(t *testing.T) {
	for _, comp := range []format.Compression{format.None, format.Zstd} {
		t.Run(comp.String(), func(t *testing.T) { testUploadPartial(t, comp) })
	}
}

func testUploadPartial(t *testing.T, comp format.Compression) {
	_, c := store(t)
	spool := t.TempDir()
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	name := format.FileName(start, "long", comp) + format.PartialSuffix
	plain := encode(t, session("long", start, 4, false), format.None)
	torn := append(append([]byte{}, plain...), `{"type":"message","sess`...)
	want := plain
	if comp != format.None {
		enc, err := format.NewFrameEncoder(comp)
		if err != nil {
			t.Fatal(err)
		}
		whole := enc.AppendFrame(nil, plain)
		next := enc.AppendFrame(nil, []byte(`{"type":"message"}`+"\n"))
		want = whole
		torn = append(append([]byte{}, whole...), next[:len(next)/2]...) // killed in the middle of a frame
	}
	os.WriteFile(filepath.Join(spool, name), torn, 0o600)
	dest := s3store.Location{Bucket: "rec", Key: "p/"}
	u := &s3store.Uploader{Client: c, Dest: dest, Dir: spool, Interval: time.Millisecond, Scan: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); u.Run(ctx) }()
	nettest.WaitFor(t, "a partial upload", func() bool { return u.Stats().PartialUploads >= 1 })
	got := listAll(t, c, dest, s3store.Window{})
	if len(got) != 1 || filepath.Ext(got[0].Key) != ".partial" {
		t.Fatalf("listed %v, want the .partial object", got)
	}
	if b := readAll(t, c, got[0]); string(b) != string(want) {
		t.Errorf("partial object:\n%q\nwant the whole lines or frames:\n%q", b, want)
	}
	if l := c.Head(t.Context(), got[0]); l.Summary == nil || l.Summary.Received != 4 || l.Summary.Ending() != "open" {
		t.Errorf("partial summary %+v", l.Summary)
	}
	// The session ends: its finished file replaces the partial one.
	os.Remove(filepath.Join(spool, name))
	spoolSession(t, spool, "long", start, 6)
	nettest.WaitFor(t, "an upload", func() bool { return u.Stats().Uploaded == 1 })
	cancel()
	<-done
	got = listAll(t, c, dest, s3store.Window{})
	if len(got) != 1 || filepath.Ext(got[0].Key) != ".zst" {
		t.Errorf("listed %v, want the finished object only", got)
	}
}

// An object is read with ranged GETs: a Seek starts the next read at the
// offset, without the bytes before it.
func TestObjectSeek(t *testing.T) {
	srv, c := store(t)
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	srv.Put(t, "rec", "big.bin", data)
	o, err := c.Open(t.Context(), s3store.Location{Bucket: "rec", Key: "big.bin"})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Size() != int64(len(data)) {
		t.Errorf("size %d, want %d", o.Size(), len(data))
	}
	before := c.Requests()
	if _, err := o.Seek(1000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(o)
	if err != nil || string(got) != string(data[1000:]) {
		t.Errorf("after Seek(1000): %d bytes, %v; want the %d from 1000", len(got), err, len(data)-1000)
	}
	if n := c.Requests() - before; n != 1 {
		t.Errorf("the seek and read took %d requests, want 1 ranged GET", n)
	}
}

// A listing takes the summaries from the hour index the uploader wrote: a
// few requests for the hour, not a HEAD per object; an object no index
// names (put there by another tool) is HEADed.
func TestIndexAnswersListing(t *testing.T) {
	srv, c := store(t)
	spool := t.TempDir()
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const n = 40
	for i := range n {
		spoolSession(t, spool, fmt.Sprintf("s%02d", i), t0.Add(time.Duration(i)*time.Second), i)
	}
	dest := s3store.Location{Bucket: "rec", Key: "idx"}
	if err := (&s3store.Uploader{Client: c, Dest: dest, Dir: spool}).Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.Put(t, "rec", "idx/2026/11/27/10/20261127T105959.000Z_other.ndjson", encode(t, session("other", t0, 1, true), format.None))
	for _, loc := range []s3store.Location{dest, {Bucket: "rec", Key: "idx/2026/11/27/"}} {
		locs := listAll(t, c, loc, s3store.Window{})
		if len(locs) != n+1 {
			t.Fatalf("listed %d under %s, want %d", len(locs), loc, n+1)
		}
		before := c.Requests()
		got := c.Summaries(t.Context(), c.NewIndexReader(loc), locs, 4)
		if reqs := c.Requests() - before; reqs != 3 {
			t.Errorf("summaries of %d objects under %s took %d requests, want 3 (list the hour's index, get it, head the other)", len(locs), loc, reqs)
		}
		for i, l := range got[:n] {
			if l.Err != nil || l.Summary == nil || l.Summary.Received != i || l.Loc.Key != locs[i].Key {
				t.Fatalf("summary %d: %+v", i, l)
			}
		}
		if other := got[n]; other.Err != nil || other.Summary != nil {
			t.Errorf("the object of another tool: %+v, want no summary and no error", other)
		}
	}
}

// At shutdown, a .partial file the sink could not finish is uploaded as
// .partial, however young; it stays in the spool for the next run.
func TestFlushUploadsUnfinished(t *testing.T) {
	_, c := store(t)
	spool := t.TempDir()
	start := time.Now().UTC().Truncate(time.Millisecond)
	name := format.FileName(start, "cut", format.None) + format.PartialSuffix
	os.WriteFile(filepath.Join(spool, name), encode(t, session("cut", start, 2, false), format.None), 0o600)
	dest := s3store.Location{Bucket: "rec", Key: "f"}
	u := &s3store.Uploader{Client: c, Dest: dest, Dir: spool}
	if err := u.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, c, dest, s3store.Window{}); len(got) != 1 || filepath.Ext(got[0].Key) != ".partial" {
		t.Errorf("listed %v, want the .partial object", got)
	}
	if _, err := os.Stat(filepath.Join(spool, name)); err != nil {
		t.Errorf("the .partial file left the spool: %v", err)
	}
}
