package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// budgets drives "wsreplay record" with the loads of issue 26 (Engine.IO
// bodies of record separators, downloads to URLs with EIO= and transport=,
// long event-stream lines, pollers with distinct User-Agents) and reports
// the recorder's peak RSS (VmHWM) for each, in a recorder of its own.
//
//	go run ./internal/bench -only budgets
//	BENCH_WSREPLAY=/tmp/wsreplay-main go run ./internal/bench -only budgets  # another build
func budgets(bin, dir string, mb int) {
	up := budgetUpstream(mb)
	defer up.Close()
	upURL := "ws://" + up.Addr().String()
	fmt.Printf("\n### Recording budgets (issue 26): the recorder's peak RSS under each load\n\n")
	fmt.Println("| load | recorder peak RSS | slowest request | failed requests |")
	fmt.Println("| --- | --- | --- | --- |")
	sep := bytes.Repeat([]byte{0x1e}, 1<<20)
	budgetRun(bin, dir, upURL, nil, "16 × POST of 1 MiB of \\x1e (Engine.IO v4)", func(url string) (time.Duration, int) {
		return parallel(16, func(i int) (time.Duration, bool) { return eioPost(url, i, sep) })
	})
	big := bytes.Repeat([]byte{0x1e}, mb<<20)
	budgetRun(bin, dir, upURL, nil, fmt.Sprintf("1 × POST of %d MiB of \\x1e", mb), func(url string) (time.Duration, int) {
		return parallel(1, func(i int) (time.Duration, bool) { return eioPost(url, i, big) })
	})
	tiny := bytes.Repeat([]byte("6\x1e"), mb<<19)
	tiny[len(tiny)-1] = '6'
	budgetRun(bin, dir, upURL, nil, fmt.Sprintf("1 × POST of %d MiB of \"6\\x1e\" (valid noop packets)", mb), func(url string) (time.Duration, int) {
		return parallel(1, func(i int) (time.Duration, bool) { return eioPost(url, i, tiny) })
	})
	budgetRun(bin, dir, upURL, nil, "16 × GET of 60 MB from /big?EIO=4&transport=polling (HTML)", func(url string) (time.Duration, int) {
		return parallel(16, func(int) (time.Duration, bool) { return get(url + "/big?EIO=4&transport=polling&n=60") })
	})
	budgetRun(bin, dir, upURL, nil, "8 × event stream of one 63 MiB line", func(url string) (time.Duration, int) {
		return parallel(8, func(int) (time.Duration, bool) { return get(url + "/sse") })
	})
	budgetPollers(bin, dir, upURL)
}

// budgetRun starts a recorder (args added), runs load against it, and
// prints a row.
func budgetRun(bin, dir, upURL string, args []string, what string, load func(url string) (time.Duration, int)) {
	out, err := os.MkdirTemp(dir, "rec")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)
	cmd := exec.Command(bin, append([]string{"record", "--upstream", upURL, "--listen", "127.0.0.1:0", "--out", out}, args...)...)
	url, stop := startServer(cmd)
	slowest, failed := load("http" + strings.TrimPrefix(url, "ws"))
	peak := peakRSS(cmd.Process.Pid)
	stop()
	fmt.Printf("| %s | %d MB | %.1f s | %d |\n", what, peak>>20, slowest.Seconds(), failed)
}

// budgetPollers runs 4,000 pollers with distinct User-Agents through a
// recorder limited to 2,048 open files (ulimit -n), then a WebSocket.
func budgetPollers(bin, dir, upURL string) {
	out, _ := os.MkdirTemp(dir, "rec")
	defer os.RemoveAll(out)
	cmd := exec.Command("sh", "-c", `ulimit -n 2048 && exec "$0" "$@"`, bin, "record", "--upstream", upURL,
		"--listen", "127.0.0.1:0", "--out", out, "--poll", "/poll")
	url, stop := startServer(cmd)
	defer stop()
	base := "http" + strings.TrimPrefix(url, "ws")
	var peakFDs atomic.Int64
	done := make(chan struct{})
	go func() { // sample the recorder's open descriptors
		for {
			if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)); err == nil && int64(len(ents)) > peakFDs.Load() {
				peakFDs.Store(int64(len(ents)))
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	slowest, failed := parallelN(4000, 32, func(i int) (time.Duration, bool) {
		req, _ := http.NewRequest("GET", base+"/poll", nil)
		req.Header.Set("User-Agent", fmt.Sprintf("agent-%d", i))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return time.Since(start), false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode == 200
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wsResult := "WebSocket after them: ok"
	if c, _, err := websocket.Dial(ctx, url+"/ws", nil); err != nil {
		wsResult = "WebSocket after them: " + err.Error()
	} else {
		c.Close(websocket.StatusNormalClosure, "")
	}
	close(done)
	files, _ := os.ReadDir(out)
	fmt.Printf("| 4,000 pollers with distinct User-Agents, ulimit -n 2048: peak %d descriptors, %d session files; %s | %d MB | %.1f s | %d |\n",
		peakFDs.Load(), len(files), wsResult, peakRSS(cmd.Process.Pid)>>20, slowest.Seconds(), failed)
}

// eioPost makes an Engine.IO v4 handshake (sid "S<i>") and POSTs body with
// that sid.
func eioPost(base string, i int, body []byte) (time.Duration, bool) {
	q := fmt.Sprintf("/socket.io/?EIO=4&transport=polling&i=%d", i)
	if _, ok := get(base + q); !ok {
		return 0, false
	}
	start := time.Now()
	resp, err := http.Post(base+q+fmt.Sprintf("&sid=S%d", i), "text/plain;charset=UTF-8", bytes.NewReader(body))
	if err != nil {
		return time.Since(start), false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode == 200
}

func get(url string) (time.Duration, bool) {
	start := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		return time.Since(start), false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode == 200
}

func parallel(n int, f func(i int) (time.Duration, bool)) (time.Duration, int) {
	return parallelN(n, n, f)
}

// parallelN runs f(0..n-1), width at a time, and returns the slowest and
// the number that failed.
func parallelN(n, width int, f func(i int) (time.Duration, bool)) (time.Duration, int) {
	var mu sync.Mutex
	var slowest time.Duration
	failed := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d, ok := f(i)
			mu.Lock()
			slowest = max(slowest, d)
			if !ok {
				failed++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return slowest, failed
}

// budgetUpstream serves what the loads need: Engine.IO handshakes (sid
// "S" + the query's i) and POSTs, /big (n MB of HTML), /sse (one data line
// of 63 MiB), /poll and a WebSocket at /ws.
func budgetUpstream(mb int) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	mux := http.NewServeMux()
	mux.HandleFunc("/socket.io/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		fmt.Fprintf(w, `0{"sid":"S%s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":%d}`, r.URL.Query().Get("i"), mb<<21)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>")
		for range 60 {
			w.Write(chunk)
		}
	})
	mux.HandleFunc("/sse", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: ")
		for range 63 {
			w.Write(chunk)
		}
		io.WriteString(w, "\n\n")
	})
	mux.HandleFunc("/poll", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "[]") })
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err == nil {
			c.Read(r.Context())
		}
	})
	go http.Serve(ln, mux)
	return ln
}
