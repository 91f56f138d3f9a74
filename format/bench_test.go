package format

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchMessage is a text message of about size bytes of JSON, as a backend
// would push.
func benchMessage(size int) *Event {
	body := `{"type":"price","symbol":"BTC","price":97250.5,"pad":"` + strings.Repeat("x", max(size-60, 0)) + `"}`
	return &Event{Type: TypeMessage, Session: "0123456789abcdef", Time: t0, Dir: Receive, Opcode: Text, Data: []byte(body)}
}

func BenchmarkEncode(b *testing.B) {
	for _, size := range []int{200, 4096} {
		for _, c := range []Compression{None, Zstd} {
			b.Run(c.String()+"/"+byteSize(size), func(b *testing.B) {
				e := benchMessage(size)
				w := NewWriter(io.Discard, &WriterOptions{Compression: c})
				defer w.Close()
				b.SetBytes(int64(len(e.Data)))
				b.ReportAllocs()
				for b.Loop() {
					if err := w.Write(e); err != nil {
						b.Fatal(err)
					}
				}
				w.Flush()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range []int{200, 4096} {
		for _, c := range []Compression{None, Zstd} {
			b.Run(c.String()+"/"+byteSize(size), func(b *testing.B) {
				e := benchMessage(size)
				const n = 10000
				evs := make([]*Event, n)
				for i := range evs {
					evs[i] = e
				}
				data := encode(b, evs, c, true)
				b.SetBytes(int64(len(e.Data)))
				b.ReportAllocs()
				var r *Reader
				for b.Loop() {
					if r == nil {
						r = NewReader(bytes.NewReader(data), nil)
					}
					if _, err := r.Next(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						r.Close()
						r = NewReader(bytes.NewReader(data), nil)
					}
				}
				if r != nil {
					r.Close()
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

func byteSize(n int) string { return fmt.Sprintf("%dB", n) }

// BenchmarkAppendText is the JSON escaping of a 64 KiB text payload, what a
// recorder does for each large message.
func BenchmarkAppendText(b *testing.B) {
	e := benchMessage(64 << 10)
	buf := make([]byte, 0, 70<<10)
	b.SetBytes(int64(len(e.Data)))
	for b.Loop() {
		buf = appendText(buf[:0], e.Data)
	}
}
