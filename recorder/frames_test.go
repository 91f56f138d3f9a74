package recorder

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// A killed recorder's compressed .partial files, written frame by frame:
// one cut in the middle of its third frame is cut back to its two whole
// frames and renamed to its final name, whatever this recorder compresses
// with; a whole one is renamed as it is.
func TestFramedLeftoversAfterCrash(t *testing.T) {
	dir := t.TempDir()
	frames := func(c format.Compression, id string) []byte {
		enc, err := format.NewFrameEncoder(c)
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		for _, block := range []string{leftSession, leftMessage, leftMessage + leftMessage} {
			out = enc.AppendFrame(out, []byte(strings.ReplaceAll(block, "%s", id)))
		}
		return out
	}
	z, g := frames(format.Zstd, "z"), frames(format.Gzip, "g")
	whole := frames(format.Zstd, "w")
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_z.ndjson.zst.partial"), z[:len(z)-9], 0o600)
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_g.ndjson.gz.partial"), g[:len(g)-3], 0o600)
	os.WriteFile(filepath.Join(dir, "20261125T100000.000Z_w.ndjson.zst.partial"), whole, 0o600)

	sink, err := NewDirSink(dir, &QueueOptions{Compression: format.Zstd})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"20261125T100000.000Z_g.ndjson.gz", "20261125T100000.000Z_w.ndjson.zst", "20261125T100000.000Z_z.ndjson.zst"}
	if !slices.Equal(names, want) {
		t.Fatalf("directory after restart: %v, want %v", names, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, want[1])); string(got) != string(whole) {
		t.Error("a whole framed file was changed")
	}
	recs, _ := readRecordings(t, dir) // fails on a torn frame
	if len(recs["z"]) != 2 || len(recs["g"]) != 2 || len(recs["w"]) != 4 {
		t.Errorf("sessions z, g, w: %d, %d, %d lines; want 2, 2, 4", len(recs["z"]), len(recs["g"]), len(recs["w"]))
	}
}

// jsonTraffic adds to sink n sessions of JSON messages, a message every
// 2 ms in each, for d, as a busy app's traffic is, and closes them.
func jsonTraffic(sink *FileSink, n int, d time.Duration) {
	start := time.Now()
	for s := range n {
		id := fmt.Sprintf("%016x", s+1)
		sink.Add(&format.Event{Type: format.TypeSession, Version: format.Version, Session: id, Time: start, URL: "/live"})
	}
	for i := 0; time.Since(start) < d; i++ {
		for s := range n {
			id := fmt.Sprintf("%016x", s+1)
			data := fmt.Appendf(nil, `{"type":"trade","seq":%d,"symbol":"%s","price":%d.%02d,"qty":%d,"side":"%s","ts":%d}`,
				i, []string{"BTC-USD", "ETH-USD", "SOL-USD"}[i%3], 30000+i*7%991, i%100, 1+i*13%50,
				[]string{"buy", "sell"}[i%2], time.Now().UnixMilli())
			sink.Add(&format.Event{Type: format.TypeMessage, Session: id, Time: time.Now(), Dir: format.Receive, Opcode: format.Text, Data: data})
		}
		time.Sleep(2 * time.Millisecond)
	}
	for s := range n {
		id := fmt.Sprintf("%016x", s+1)
		sink.Add(&format.Event{Type: format.TypeClose, Session: id, Time: time.Now(), By: format.ByServer, Code: 1000, Clean: true})
	}
}

// Directory mode writes each session's lines once, compressed: the bytes
// passed to write are at most 0.3 per byte of JSON payload recorded, the
// files under their final names are what was written (nothing was read
// back and rewritten), and they read back whole.
func TestDirSinkWritesCompressedOnce(t *testing.T) {
	dir := t.TempDir()
	sink, err := NewDirSink(dir, &QueueOptions{Compression: format.Zstd})
	if err != nil {
		t.Fatal(err)
	}
	jsonTraffic(sink, 4, 1500*time.Millisecond)
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	st := sink.Stats()
	var onDisk int64
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		if !strings.HasSuffix(n, ".ndjson.zst") {
			t.Errorf("%s: not a finished file", n)
		}
		fi, _ := os.Stat(n)
		onDisk += fi.Size()
	}
	ratio := float64(st.BytesWritten) / float64(st.PayloadBytes)
	t.Logf("%d payload bytes, %d bytes written (%.3f per payload byte), %d on disk", st.PayloadBytes, st.BytesWritten, ratio, onDisk)
	if st.PayloadBytes == 0 || ratio > 0.3 {
		t.Errorf("%.3f bytes written per payload byte, want at most 0.3", ratio)
	}
	if onDisk != st.BytesWritten || st.FilesCompressed != 4 {
		t.Errorf("%d bytes on disk, %d written, %d files in place: the files were rewritten", onDisk, st.BytesWritten, st.FilesCompressed)
	}
	recs, _ := readRecordings(t, dir)
	if len(recs) != 4 {
		t.Errorf("%d sessions read back, want 4", len(recs))
	}
	var plain int
	for _, evs := range recs {
		for _, e := range evs {
			line, _ := format.AppendLine(nil, e)
			plain += len(line)
		}
	}
	// What writing plain, then compressing, wrote (and read back).
	t.Logf("plain NDJSON: %.3f bytes per payload byte; plain then compressed: %.3f",
		float64(plain)/float64(st.PayloadBytes), float64(plain+int(onDisk))/float64(st.PayloadBytes))
}
