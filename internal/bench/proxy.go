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
// for any proxy that is a process of its own), and through "wsreplay
// record" recording to zstd; with 1 connection and with 32 connections of 8
// messages in flight each, for 1 KiB and 64 KiB messages. With pin, the
// relay and the proxy run on the last CPU and everything else on the
// others, as when the proxy has a machine of its own. The clients, the echo
// server and the proxy are three processes.
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

	cmd := exec.Command(bin, "record", "--upstream", direct, "--listen", "127.0.0.1:0",
		"--out", filepath.Join(dir, "rec"), "--compress", "zstd")
	// BENCH_PROXY_PROFILE=FILE writes the proxy's CPU profile;
	// BENCH_PROXY_ENV="K=V ..." gives it more environment (GOGC=off, ...).
	cmd.Env = append(os.Environ(), strings.Fields(os.Getenv("BENCH_PROXY_ENV"))...)
	if prof := os.Getenv("BENCH_PROXY_PROFILE"); prof != "" {
		cmd.Env = append(cmd.Env, "WSREPLAY_CPUPROFILE="+prof)
	}
	proxied, stop := startServer(cmd)
	defer stop()
	relayCmd := exec.Command(self)
	relayCmd.Env = append(os.Environ(), "BENCH_TCP_RELAY="+strings.TrimPrefix(direct, "ws://"))
	relayed, stopRelay := startServer(relayCmd)
	defer stopRelay()
	where := "all on the same CPUs"
	if pin {
		where = pinCPUs([]int{cmd.Process.Pid, relayCmd.Process.Pid}, []int{os.Getpid(), echoCmd.Process.Pid})
	}

	const seconds = 4 * time.Second
	fmt.Printf("\n### Proxy overhead: text echo round trips, %v each, recording to zstd (%s)\n\n", seconds, where)
	fmt.Println("| message | connections | path | round trips/s | p50 RTT | p99 RTT | proxy CPU per 1,000 messages (with compressing the recordings) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, size := range sizes {
		msg := []byte(`{"type":"update","pad":"` + strings.Repeat("x", size-25) + `"}`)
		for _, conns := range []int{1, 32} {
			inflight := 1
			if conns > 1 {
				inflight = 8
			}
			d := echoLoad(direct, conns, inflight, msg, seconds)
			label := fmt.Sprintf("| %d KiB | %d×%d |", size>>10, conns, inflight)
			fmt.Printf("%s direct | %.0f | %v | %v | |\n", label, d.rate, d.p50, d.p99)
			for _, via := range []struct {
				name, url string
				pid       int
			}{{"bare TCP relay", relayed, relayCmd.Process.Pid}, {"wsreplay record", proxied, cmd.Process.Pid}} {
				cpu0 := cpuTime(via.pid)
				p := echoLoad(via.url, conns, inflight, msg, seconds)
				// Until the recordings are compressed: part of the cost.
				perK := time.Duration(float64(waitIdle(via.pid)-cpu0) / float64(2*p.n) * 1000)
				fmt.Printf("%s %s | %.0f (%.0f%%) | %v (+%v) | %v (+%v) | %v |\n", label, via.name,
					p.rate, 100*p.rate/d.rate, p.p50, p.p50-d.p50, p.p99, p.p99-d.p99, perK.Round(time.Microsecond))
			}
		}
	}
	fmt.Printf("\nAllocations per relayed message (recorder.Proxy in this process, 1 KiB): %.1f\n",
		allocsPerMessage(direct, dir))
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
func echoLoad(url string, conns, inflight int, msg []byte, d time.Duration) loadResult {
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
				for {
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
