package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

// proxyOverhead measures echo round trips against an echo server directly,
// through a bare TCP relay (this program again, copying bytes: the floor
// for any proxy that is a process of its own), through nginx (a C proxy
// that records nothing: the peer, measured in the same run) and through
// "wsreplay record" recording to a directory in zstd, its default; for each
// load of proxyLoads whose size is in sizes. Messages are JSON. With pin,
// the proxies run on the last CPU and everything else on the others, as
// when the proxy has a machine of its own. The clients, the echo server and
// each proxy are processes of their own.
func proxyOverhead(bin, dir string, pin bool, sizes []int) {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	// The echo server is a process of its own, as a backend is: the
	// clients in this one must wake it through the kernel, as they must
	// wake the proxy.
	echoCmd := exec.Command(self)
	echoCmd.Env = append(os.Environ(), "BENCH_ECHO=1")
	direct, stopEcho := startServer(echoCmd)
	defer stopEcho()
	vias, stop, skipped := startProxies(bin, dir, direct)
	defer stop()
	where := "all on the same CPUs"
	if pin {
		var pids []int
		for _, v := range vias {
			pids = append(pids, v.pids()...)
		}
		where = pinCPUs(pids, []int{os.Getpid(), echoCmd.Process.Pid})
	}

	const seconds = 4 * time.Second
	fmt.Printf("\n### Proxy overhead: JSON text echo round trips, %v each, recording to a directory in zstd (%s)\n\n", seconds, where)
	if skipped != "" {
		fmt.Printf("No nginx row: %s.\n\n", skipped)
	}
	fmt.Println("| message | connections | path | round trips/s | p50 RTT | p99 RTT | proxy CPU per 1,000 round trips | vs nginx: rate, CPU, added p99 | recording bytes written per payload byte |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, ld := range proxyLoads {
		if !slices.Contains(sizes, ld.size) {
			continue
		}
		msgs := jsonMessages(ld.size, 64)
		d := echoLoad(direct, ld.conns, ld.inflight, msgs, seconds)
		label := fmt.Sprintf("| %d KiB | %d×%d |", ld.size>>10, ld.conns, ld.inflight)
		fmt.Printf("%s direct | %.0f | %v | %v | | | |\n", label, d.rate, d.p50, d.p99)
		var peer *viaResult
		for _, v := range vias {
			r := v.measure(ld, msgs, seconds)
			if v.name == "nginx" {
				peer = &r
			}
			fmt.Printf("%s %s | %.0f (%.0f%%) | %v (+%v) | %v (+%v) | %v | %s | %s |\n", label, v.name,
				r.rate, 100*r.rate/d.rate, r.p50, r.p50-d.p50, r.p99, r.p99-d.p99, r.perK.Round(time.Microsecond),
				vsPeer(r, peer), r.bytesRatio())
		}
	}
	fmt.Printf("\nAllocations per relayed message (recorder.Proxy in this process, 1 KiB): %.1f\n",
		allocsPerMessage(direct, dir))
}

// proxyLoads are the loads proxyOverhead runs: message size, connections,
// messages in flight on each.
var proxyLoads = []struct{ size, conns, inflight int }{
	{1 << 10, 1, 1}, {1 << 10, 32, 8}, {64 << 10, 1, 1}, {64 << 10, 4, 1},
}

// vsPeer words r against nginx's result: rate and CPU as ratios, the
// added p99 as a difference.
func vsPeer(r viaResult, peer *viaResult) string {
	if peer == nil {
		return ""
	}
	if r.name == "nginx" {
		return "1×"
	}
	return fmt.Sprintf("%.2f×, %.2f×, %+v", r.rate/peer.rate, float64(r.perK)/float64(peer.perK), (r.p99 - peer.p99).Round(time.Microsecond))
}

// pinCPUs puts the proxies on the last CPU and the others on the rest, and
// says so.
func pinCPUs(proxies, others []int) string {
	n := runtime.NumCPU()
	if n < 2 {
		return "not pinned: one CPU"
	}
	last := strconv.Itoa(n - 1)
	rest := fmt.Sprintf("0-%d", n-2)
	pin := func(pids []int, cpus string) {
		for _, pid := range pids {
			if out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput(); err != nil {
				log.Fatalf("taskset: %v\n%s", err, out)
			}
		}
	}
	pin(proxies, last)
	pin(others, rest)
	return fmt.Sprintf("proxy and relay pinned to CPU %s, clients and echo server to CPUs %s", last, rest)
}

// echoServer is the backend of proxyOverhead: it sends every message back.
func echoServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "listening on ws://%s\n", ln.Addr())
	exitOnInterrupt()
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		for {
			typ, data, err := c.Read(context.Background())
			if err != nil {
				return
			}
			if c.Write(context.Background(), typ, data) != nil {
				return
			}
		}
	}))
}

func exitOnInterrupt() {
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		<-sig
		os.Exit(0)
	}()
}

// tcpRelay is the bare relay: it copies bytes between each accepted
// connection and a connection to upstream, and nothing else.
func tcpRelay(upstream string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "listening on ws://%s\n", ln.Addr())
	exitOnInterrupt()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				return
			}
			defer u.Close()
			go io.Copy(u, c)
			io.Copy(c, u)
		}()
	}
}

// allocsPerMessage counts the heap allocations the proxy makes per relayed
// message: round trips through a recorder.Proxy in this process, less the
// same round trips made directly.
func allocsPerMessage(direct, dir string) float64 {
	sink, err := recorder.NewDirSink(filepath.Join(dir, "allocs"), &recorder.QueueOptions{Compression: format.Zstd})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(direct)
	p := &recorder.Proxy{Upstream: u, Sink: sink}
	srv := httptest.NewServer(p)
	defer func() {
		p.Shutdown(context.Background())
		srv.Close()
		sink.Close()
	}()
	msg := []byte(`{"type":"update","pad":"` + strings.Repeat("x", 1024-25) + `"}`)
	const n = 20000
	mallocs := func(target string) uint64 {
		ctx := context.Background()
		c, _, err := websocket.Dial(ctx, target+"/allocs", nil)
		if err != nil {
			log.Fatal(err)
		}
		defer c.CloseNow()
		trip := func() {
			if c.Write(ctx, websocket.MessageText, msg) != nil {
				log.Fatal("write failed")
			}
			if _, _, err := c.Read(ctx); err != nil {
				log.Fatal(err)
			}
		}
		for range 100 {
			trip()
		}
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		for range n {
			trip()
		}
		time.Sleep(200 * time.Millisecond) // the sink writes what it was given
		runtime.ReadMemStats(&b)
		return b.Mallocs - a.Mallocs
	}
	d := mallocs(direct)
	pr := mallocs("ws" + strings.TrimPrefix(srv.URL, "http"))
	return (float64(pr) - float64(d)) / (2 * n)
}

type loadResult struct {
	n        int64
	rate     float64
	p50, p99 time.Duration
}

// echoLoad runs conns connections, each keeping inflight messages out, for
// d, and measures round trips.
func echoLoad(url string, conns, inflight int, msgs [][]byte, d time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var mu sync.Mutex
	var rtts []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			c, _, err := websocket.Dial(context.Background(), url+"/bench", nil)
			if err != nil {
				log.Printf("dial %s: %v", url, err)
				return
			}
			defer c.CloseNow()
			c.SetReadLimit(-1)
			sentAt := make(chan time.Time, inflight)
			local := make([]time.Duration, 0, 1<<16)
			// The reader says when to stop: a writer that stopped at the
			// deadline by itself could do so with nothing in flight, and
			// leave the reader waiting for an echo forever.
			quit := make(chan struct{})
			go func() {
				for i := 0; ; i++ {
					msg := msgs[i%len(msgs)]
					select {
					case sentAt <- time.Now(): // blocks when inflight are out
					case <-quit:
						return
					}
					if c.Write(context.Background(), websocket.MessageText, msg) != nil {
						return
					}
				}
			}()
			for {
				if _, _, err := c.Read(context.Background()); err != nil {
					break
				}
				local = append(local, time.Since(<-sentAt))
				n.Add(1)
				if ctx.Err() != nil {
					break
				}
			}
			close(quit)
			mu.Lock()
			rtts = append(rtts, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(rtts)
	r := loadResult{n: n.Load(), rate: float64(n.Load()) / el.Seconds()}
	if len(rtts) > 0 {
		r.p50 = rtts[len(rtts)/2].Round(time.Microsecond)
		r.p99 = rtts[len(rtts)*99/100].Round(time.Microsecond)
	}
	return r
}

// waitIdle waits until a process stops using CPU (at most a minute) and
// returns its CPU time then.
func waitIdle(pid int) time.Duration {
	last := cpuTime(pid)
	for range 300 {
		time.Sleep(200 * time.Millisecond)
		now := cpuTime(pid)
		if now-last <= 10*time.Millisecond {
			return now
		}
		last = now
	}
	return last
}

// cpuTime returns the user plus system CPU time a process has used.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticks = 100 // USER_HZ
	return time.Duration(utime+stime) * time.Second / ticks
}
