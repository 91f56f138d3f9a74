package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// jsonHeavy returns n realistic pushed messages: price ticks, trades and
// chat, as a market dashboard gets them.
func jsonHeavy(n int) []*format.Event {
	rng := rand.New(rand.NewPCG(7, 7))
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	syms := []string{"BTC", "ETH", "SOL", "ADA", "DOT"}
	evs := []*format.Event{{Type: format.TypeSession, Session: "fanout", Time: t0, URL: "/live"}}
	for i := range n {
		var s string
		switch i % 10 {
		case 9:
			s = fmt.Sprintf(`{"type":"trade","seq":%d,"symbol":%q,"price":%.2f,"size":%.4f,"side":"buy","id":"%016x"}`,
				i, syms[rng.IntN(5)], 100+rng.Float64()*1000, rng.Float64()*3, rng.Uint64())
		case 5:
			s = fmt.Sprintf(`{"type":"chat","seq":%d,"user":"user%d","text":"message number %d about %s"}`, i, rng.IntN(50), i, syms[rng.IntN(5)])
		default:
			s = fmt.Sprintf(`{"type":"price","seq":%d,"symbol":%q,"bid":%.2f,"ask":%.2f,"ts":%d}`,
				i, syms[rng.IntN(5)], 100+rng.Float64()*1000, 100+rng.Float64()*1000, 1795600800000+int64(i))
		}
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: "fanout", Time: t0.Add(time.Duration(i) * time.Millisecond),
			Dir: format.Receive, Opcode: format.Text, Data: []byte(s)})
	}
	return evs
}

// formatSpeed measures encoding and decoding of a JSON-heavy recording and
// its zstd ratio.
func formatSpeed() {
	evs := jsonHeavy(500000)
	fmt.Printf("\n### Format: %d JSON-heavy messages (ticks, trades, chat)\n\n", len(evs)-1)
	fmt.Println("| compression | size | ratio | encode msgs/s | encode MB/s | decode msgs/s | decode MB/s |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	var plainSize int
	for _, c := range []format.Compression{format.None, format.Gzip, format.Zstd} {
		var buf bytes.Buffer
		start := time.Now()
		w := format.NewWriter(&buf, &format.WriterOptions{Compression: c})
		for _, e := range evs {
			w.Write(e)
		}
		w.Close()
		enc := time.Since(start)
		data := buf.Bytes()
		if c == format.None {
			plainSize = len(data)
		}
		start = time.Now()
		r := format.NewReader(bytes.NewReader(data), nil)
		var e format.Event
		n := 0
		for r.Decode(&e) == nil {
			n++
		}
		r.Close()
		dec := time.Since(start)
		mb := float64(plainSize) / 1e6
		fmt.Printf("| %s | %.1f MB | %.1f× | %.0f k | %.0f | %.0f k | %.0f |\n", c, float64(len(data))/1e6, float64(plainSize)/float64(len(data)),
			float64(len(evs))/enc.Seconds()/1e3, mb/enc.Seconds(), float64(n)/dec.Seconds()/1e3, mb/dec.Seconds())
	}
}

// fanout serves one recording to many clients at full speed.
func fanout(bin, dir string, clients int) {
	path := filepath.Join(dir, "fanout.ndjson.zst")
	f, _ := os.Create(path)
	w := format.NewWriter(f, &format.WriterOptions{Compression: format.Zstd})
	const msgs = 2000
	for _, e := range jsonHeavy(msgs) {
		w.Write(e)
	}
	w.Close()
	f.Close()
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max")
	url, stop := startServer(cmd)
	defer stop()
	var delivered atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			c, _, err := websocket.Dial(ctx, url+"/live", nil)
			if err != nil {
				log.Printf("dial: %v", err)
				return
			}
			defer c.CloseNow()
			for range msgs {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
				delivered.Add(1)
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	fmt.Printf("\n### Replay fan-out: %d clients, one zstd recording of %d messages, --speed max\n\n", clients, msgs)
	fmt.Println("| messages delivered | time | messages/s | server peak RSS |")
	fmt.Println("| --- | --- | --- | --- |")
	fmt.Printf("| %d | %v | %.0f | %d MB |\n", delivered.Load(), el.Round(time.Millisecond), float64(delivered.Load())/el.Seconds(), peakRSS(cmd.Process.Pid)>>20)
}

// idle holds many idle connections open through the recording proxy and
// measures its memory per connection.
func idle(bin, dir string, conns int) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.Read(context.Background())
	}))
	defer up.Close()
	cmd := exec.Command(bin, "record", "--upstream", "ws"+strings.TrimPrefix(up.URL, "http"), "--listen", "127.0.0.1:0",
		"--out", filepath.Join(dir, "idle"))
	url, stop := startServer(cmd)
	defer stop()
	time.Sleep(200 * time.Millisecond)
	before := rss(cmd.Process.Pid)
	var open []*websocket.Conn
	ctx := context.Background()
	for range conns {
		c, _, err := websocket.Dial(ctx, url+"/idle", nil)
		if err != nil {
			log.Printf("dial %d: %v", len(open), err)
			break
		}
		open = append(open, c)
	}
	time.Sleep(time.Second)
	after := rss(cmd.Process.Pid)
	for _, c := range open {
		c.CloseNow()
	}
	fmt.Printf("\n### %d idle connections through wsreplay record (recording to zstd)\n\n", len(open))
	fmt.Println("| proxy RSS before | with the connections | per connection |")
	fmt.Println("| --- | --- | --- |")
	fmt.Printf("| %d MB | %d MB | %.1f KiB |\n", before>>20, after>>20, float64(after-before)/float64(len(open))/1024)
}

// startServer starts a wsreplay command and returns the URL it printed.
func startServer(cmd *exec.Cmd) (string, func()) {
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var url string
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	if url == "" {
		log.Fatal("no listening line")
	}
	return url, func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
}

// rss reads a process's current resident set size (VmRSS).
func rss(pid int) int64 { return procStatus(pid, "VmRSS:") }
