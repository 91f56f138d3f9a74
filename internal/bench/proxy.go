package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// proxyOverhead measures echo round trips of 1 KiB text messages against an
// echo server directly and through "wsreplay record" (a process of its own,
// recording to zstd), with 1 connection and with 32 connections of 8
// messages in flight each.
func proxyOverhead(bin, dir string) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	defer echo.Close()
	direct := "ws" + strings.TrimPrefix(echo.URL, "http")

	out := filepath.Join(dir, "rec")
	cmd := exec.Command(bin, "record", "--upstream", direct, "--listen", "127.0.0.1:0", "--out", out, "--compress", "zstd")
	if prof := os.Getenv("BENCH_PROXY_PROFILE"); prof != "" {
		cmd.Env = append(os.Environ(), "WSREPLAY_CPUPROFILE="+prof)
	}
	proxied, stop := startServer(cmd)
	defer stop()
	if os.Getenv("BENCH_PIN") != "" {
		exec.Command("taskset", "-a", "-p", "-c", "1", strconv.Itoa(cmd.Process.Pid)).Run()
		exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(os.Getpid())).Run()
	}

	msg := []byte(`{"type":"update","pad":"` + strings.Repeat("x", 1024-25) + `"}`)
	const seconds = 5 * time.Second
	fmt.Printf("\n### Proxy overhead: 1 KiB text echo round trips, %v each, recording to zstd\n\n", seconds)
	fmt.Println("| path | connections | round trips/s | p50 RTT | p99 RTT | proxy CPU per 1,000 messages |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	for _, conns := range []int{1, 32} {
		inflight := 1
		if conns > 1 {
			inflight = 8
		}
		d := echoLoad(direct, conns, inflight, msg, seconds)
		cpu0 := cpuTime(cmd.Process.Pid)
		p := echoLoad(proxied, conns, inflight, msg, seconds)
		cpu := cpuTime(cmd.Process.Pid) - cpu0
		perK := time.Duration(float64(cpu) / float64(2*p.n) * 1000)
		fmt.Printf("| direct | %d×%d | %.0f | %v | %v | |\n", conns, inflight, d.rate, d.p50, d.p99)
		fmt.Printf("| through wsreplay record | %d×%d | %.0f (%.0f%%) | %v (+%v) | %v (+%v) | %v |\n", conns, inflight,
			p.rate, 100*p.rate/d.rate, p.p50, p.p50-d.p50, p.p99, p.p99-d.p99, perK.Round(time.Microsecond))
	}
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
			sentAt := make(chan time.Time, inflight)
			local := make([]time.Duration, 0, 1<<16)
			go func() {
				for ctx.Err() == nil {
					sentAt <- time.Now() // blocks when inflight are out
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
