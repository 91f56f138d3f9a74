// Command bench measures wsreplay as a user runs it: a real wsreplay binary in
// a process of its own, real clients over loopback, and its memory read from
// /proc. It prints a markdown table.
//
//	go run ./internal/bench            # every measurement
//	go run ./internal/bench -only rss  # just the large-recording one
//	go run ./internal/bench -only proxy -pin  # the proxy on a CPU of its own
//	go run ./internal/bench -only diff  # wsreplay diff of two 100,000-message files
//	go run ./internal/bench -only drive # wsreplay drive's sessions/s and messages/s beside a plain Go client
//	go run ./internal/bench -only s3    # shared storage, against versitygw (see s3.go)
//	go run ./internal/bench -only socketio  # 1,000 Socket.IO clients (needs npm ci --prefix internal/e2e)
//	go run ./internal/bench -only servemem  # replay server memory: idle pollers, clients not reading, injections
//	go run ./internal/bench -only budgets   # the recorder's memory and descriptors under issue 26's loads
//
// Go benchmarks (go test -bench) cover the parts that fit in one process;
// this command covers what needs a process of its own.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

func main() {
	// This program is also the echo server and the bare relay of
	// proxyOverhead, as processes of their own.
	if os.Getenv("BENCH_ECHO") != "" {
		echoServer()
		return
	}
	if up := os.Getenv("BENCH_TCP_RELAY"); up != "" {
		tcpRelay(up)
		return
	}
	only := flag.String("only", "", "run only this measurement: format, proxy, fanout, idle, rss, diff, har, drive, socketio, s3, servemem or budgets (the last four never run by default)")
	memPollers := flag.Int("mem-pollers", 300, "servemem: pollers (User-Agents) of a 4 MiB poll session")
	memMsgs := flag.Int("mem-msgs", 20, "servemem: messages of the session clients do not read")
	memSize := flag.Int("mem-size", 32<<20, "servemem: size in bytes of each of those messages")
	memInjects := flag.Int("mem-injects", 4, "servemem: injections into each of 8 replays whose client does not read")
	memInject := flag.Int("mem-inject", 12<<20, "servemem: size in bytes of each injection")
	budgetMB := flag.Int("budget-mb", 64, "budgets: size in MiB of the one large Engine.IO POST")
	sioClients := flag.Int("sio", 1000, "clients for the Socket.IO measurement")
	sioFor := flag.Duration("sio-for", 20*time.Second, "how long the Socket.IO clients stay")
	harSize := flag.Int64("har-size", 100<<20, "size in bytes of the large HAR file")
	fanClients := flag.Int("fanout", 1000, "clients for the fan-out measurement")
	idleConns := flag.Int("idle", 5000, "connections for the idle-proxy measurement")
	size := flag.Int64("size", 1<<30, "size in bytes of the large recording")
	clients := flag.String("clients", "1,100", "client counts for the large-recording measurement")
	dur := flag.Duration("for", 15*time.Second, "how long clients read from the large recording")
	msgSizes := flag.String("msg", "1,64", "proxy measurement: message sizes in KiB")
	pin := flag.Bool("pin", false, "proxy measurement: give the proxy a CPU of its own (Linux, taskset)")
	s3Recorders := flag.Int("s3-recorders", 8, "shared storage: recorder processes")
	s3Sessions := flag.Int("s3-sessions", 250, "shared storage: sessions per recorder")
	s3Ls := flag.Int("s3-ls", 8000, "shared storage: sessions listed by ls")
	driveConc := flag.Int("drive-conc", 50, "drive: sessions at once")
	driveFor := flag.Duration("drive-for", 10*time.Second, "drive: how long each generator runs")
	flag.Parse()
	log.SetFlags(0)

	dir, err := os.MkdirTemp("", "wsreplay-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "wsreplay")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/wsreplay").CombinedOutput(); err != nil {
		log.Fatalf("build: %v\n%s", err, out)
	}
	if other := os.Getenv("BENCH_WSREPLAY"); other != "" {
		bin = other // another build, to compare: BENCH_WSREPLAY=/path/to/wsreplay
	}
	if *only == "" || *only == "format" {
		formatSpeed()
	}
	if *only == "" || *only == "proxy" {
		proxyOverhead(bin, dir, *pin, kibs(*msgSizes))
	}
	if *only == "" || *only == "fanout" {
		fanout(bin, dir, *fanClients)
	}
	if *only == "" || *only == "idle" {
		idle(bin, dir, *idleConns)
	}
	if *only == "socketio" { // 1,000 Node clients: not part of every run
		socketIO(bin, dir, *sioClients, *sioFor)
	}
	if *only == "servemem" { // GBs with an old build: not part of every run
		serveMem(bin, dir, *memPollers, *memMsgs, *memSize, *memInjects, *memInject)
	}
	if *only == "" || *only == "diff" {
		diffLarge(bin, dir, 100_000)
	}
	if *only == "" || *only == "har" {
		harLarge(bin, dir, *harSize)
	}
	if *only == "budgets" { // GBs on the builds before issue 26: not part of every run
		budgets(bin, dir, *budgetMB)
	}
	if *only == "" || *only == "drive" {
		driveBench(bin, dir, *driveConc, *driveFor)
	}
	if *only == "s3" { // needs versitygw: not part of every run
		s3Bench(bin, dir, *s3Recorders, *s3Sessions, *s3Ls, *size)
	}
	if *only == "" || *only == "rss" {
		var counts []int
		for _, s := range strings.Split(*clients, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				log.Fatalf("-clients: %v", err)
			}
			counts = append(counts, n)
		}
		largeRecording(bin, dir, *size, counts, *dur)
	}
}

// kibs parses a list of sizes in KiB.
func kibs(list string) []int {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			log.Fatalf("-msg: %q is not a size in KiB", s)
		}
		out = append(out, n<<10)
	}
	return out
}

// largeRecording serves a recording of the given size to n clients at full
// speed and reports the server's peak RSS and how soon it served.
func largeRecording(bin, dir string, size int64, counts []int, dur time.Duration) {
	for _, comp := range []format.Compression{format.None, format.Zstd} {
		path := filepath.Join(dir, "large"+comp.Ext())
		start := time.Now()
		written := writeLarge(path, size, comp)
		st, _ := os.Stat(path)
		log.Printf("wrote %s: %d MB of NDJSON, %d MB on disk, in %v", path, written>>20, st.Size()>>20, time.Since(start).Round(time.Millisecond))
		fmt.Printf("\n### Serving a %d MB recording (%s), --speed max, clients reading for %v\n\n", written>>20, comp, dur)
		fmt.Println("| clients | first message after start | messages delivered | MB/s delivered (all clients) | server peak RSS |")
		fmt.Println("| --- | --- | --- | --- | --- |")
		for _, n := range counts {
			r := serveLarge(bin, path, n, dur)
			fmt.Printf("| %d | %v | %d | %.0f | %d MB |\n", n, r.firstMsg.Round(time.Millisecond), r.msgs,
				float64(r.bytes)/r.reading.Seconds()/1e6, r.peakRSS>>20)
		}
	}
}

// writeLarge writes one session of JSON-ish text messages of 200 B to 4 KiB
// until the NDJSON reaches size bytes, and returns the NDJSON size.
func writeLarge(path string, size int64, comp format.Compression) int64 {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cw := &countWriter{}
	w := format.NewWriter(io.MultiWriter(f), &format.WriterOptions{Compression: comp})
	plain := format.NewWriter(cw, nil) // to count the NDJSON bytes
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	write := func(e *format.Event) {
		if err := w.Write(e); err != nil {
			log.Fatal(err)
		}
		plain.Write(e)
	}
	write(&format.Event{Type: format.TypeSession, Session: "large", Time: t0, URL: "/"})
	pad := strings.Repeat("abcdefghij", 400)
	for i := 0; ; i++ {
		if i%1000 == 0 {
			plain.Flush()
			if cw.n >= size {
				break
			}
		}
		n := 200 + (i*7919)%3800
		data := fmt.Sprintf(`{"type":"tick","seq":%d,"pad":"%s"}`, i, pad[:n])
		write(&format.Event{Type: format.TypeMessage, Session: "large", Time: t0.Add(time.Duration(i) * time.Millisecond),
			Dir: format.Receive, Opcode: format.Text, Data: []byte(data)})
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return cw.n
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

type largeResult struct {
	firstMsg time.Duration
	msgs     int64
	bytes    int64
	peakRSS  int64
	reading  time.Duration // from the first dial to the last message
}

var listening = regexp.MustCompile(`listening on (ws://\S+)`)

func serveLarge(bin, path string, n int, dur time.Duration) largeResult {
	start := time.Now()
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max")
	url, stop := startServer(cmd)
	defer stop()

	var res largeResult
	var first sync.Once
	var msgs, bytes, last atomic.Int64 // last: nanoseconds from start to the last message
	readFrom := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, _, err := websocket.Dial(ctx, url+"/", nil)
			if err != nil {
				log.Printf("dial: %v", err)
				return
			}
			defer c.CloseNow()
			c.SetReadLimit(-1)
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					return
				}
				first.Do(func() { res.firstMsg = time.Since(start) })
				msgs.Add(1)
				bytes.Add(int64(len(data)))
				last.Store(int64(time.Since(readFrom)))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			res.msgs, res.bytes, res.reading = msgs.Load(), bytes.Load(), time.Duration(last.Load())
			res.peakRSS = peakRSS(cmd.Process.Pid)
			return res
		case <-tick.C:
		}
	}
}

// peakRSS reads a process's peak resident set size (VmHWM) from /proc.
func peakRSS(pid int) int64 { return procStatus(pid, "VmHWM:") }

// procStatus reads a size in kB from /proc/PID/status.
func procStatus(pid int, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}
