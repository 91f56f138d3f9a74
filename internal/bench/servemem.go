package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// serveMem measures what a replay server holds for clients that do not
// behave (issue 26, items 6 to 8): pollers that never come back, clients
// that do not read a recording of large messages, injections into replays
// whose client does not read. Each figure is the server's VmHWM (and, for
// pollers, VmRSS after they have been idle).
//
//	go run ./internal/bench -only servemem
//	BENCH_WSREPLAY=/path/to/old/wsreplay go run ./internal/bench -only servemem  # another build
//
// A count of 0 skips its case.
func serveMem(bin, dir string, pollers, bigMsgs, bigSize, injects, injectSize int) {
	fmt.Printf("\n### Replay server memory with clients that do not behave\n\n")
	fmt.Println("| case | server VmHWM | server VmRSS at the end | notes |")
	fmt.Println("| --- | --- | --- | --- |")
	if pollers > 0 {
		idlePollers(bin, dir, pollers)
	}
	for _, n := range []int{1, 4} {
		if bigMsgs > 0 {
			nonReading(bin, dir, n, bigMsgs, bigSize)
		}
	}
	if injects > 0 {
		injectPileUp(bin, dir, 8, injects, injectSize)
	}
}

// idlePollers polls once from n User-Agents a poll session of 4 MiB, one
// after the other (each decodes its own copy), lets them idle 25 s past
// --poll-idle 1s, and then polls from n other User-Agents: a server that
// forgot the first ones reuses their memory (its RSS does not show the
// forgetting itself until a collection runs), one that did not holds both.
func idlePollers(bin, dir string, n int) {
	path := filepath.Join(dir, "poll.ndjson")
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	evs := []*format.Event{{Type: format.TypeSession, Session: "p", Time: t0, URL: "/poll", Kind: format.KindPoll}}
	body := bytes.Repeat([]byte("x"), 1<<20)
	for i := range 4 {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		evs = append(evs,
			&format.Event{Type: format.TypeMessage, Session: "p", Time: at, Dir: format.Send, Opcode: format.Text, Data: []byte{}, HTTP: &format.HTTP{Method: "GET", URL: "/poll"}},
			&format.Event{Type: format.TypeMessage, Session: "p", Time: at, Dir: format.Receive, Opcode: format.Text, Data: body, HTTP: &format.HTTP{Status: 200}})
	}
	writeEvents(path, evs, format.Zstd)
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max", "--poll", "/poll", "--poll-idle", "1s")
	url, stop := startServer(cmd)
	defer stop()
	base := "http" + strings.TrimPrefix(url, "ws")
	wave := func(name string) {
		for i := range n {
			req, _ := http.NewRequest("GET", base+"/poll", nil)
			req.Header.Set("User-Agent", fmt.Sprintf("%s-%d", name, i))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				log.Fatalf("poll: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	pid := cmd.Process.Pid
	wave("first")
	first := peakRSS(pid)
	time.Sleep(25 * time.Second)
	wave("second")
	fmt.Printf("| %d pollers of a 4 MiB session, then %d others 25 s later (--poll-idle 1s) | %d MB after the first, %d MB after both | %d MB | |\n",
		n, n, first>>20, peakRSS(pid)>>20, rss(pid)>>20)
}

// nonReading serves n clients that never read a session of msgs messages
// of size bytes.
func nonReading(bin, dir string, n, msgs, size int) {
	path := filepath.Join(dir, "big.ndjson.zst")
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	evs := []*format.Event{{Type: format.TypeSession, Session: "big", Time: t0, URL: "/"}}
	data := bytes.Repeat([]byte("a"), size)
	for i := range msgs {
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: "big", Time: t0.Add(time.Duration(i) * time.Millisecond),
			Dir: format.Receive, Opcode: format.Text, Data: data})
	}
	writeEvents(path, evs, format.Zstd)
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max")
	url, stop := startServer(cmd)
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var conns []*websocket.Conn
	for range n {
		c, _, err := websocket.Dial(ctx, url+"/", nil)
		if err != nil {
			log.Fatalf("dial: %v", err)
		}
		conns = append(conns, c)
	}
	time.Sleep(10 * time.Second)
	pid := cmd.Process.Pid
	fmt.Printf("| %d client(s) not reading %d messages of %d MiB (zstd) | %d MB | %d MB | |\n", n, msgs, size>>20, peakRSS(pid)>>20, rss(pid)>>20)
	for _, c := range conns {
		c.CloseNow()
	}
}

// injectPileUp opens replays whose client does not read, and injects
// injects text messages of size bytes into each, the replays at once.
func injectPileUp(bin, dir string, replays, injects, size int) {
	path := filepath.Join(dir, "open.ndjson")
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	writeEvents(path, []*format.Event{{Type: format.TypeSession, Session: "open", Time: t0, URL: "/"},
		{Type: format.TypeMessage, Session: "open", Time: t0, Dir: format.Receive, Opcode: format.Text, Data: []byte("hi")}}, format.None)
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max")
	url, stop := startServer(cmd)
	defer stop()
	ctx := context.Background()
	var conns []*websocket.Conn
	for range replays {
		c, _, err := websocket.Dial(ctx, url+"/", nil)
		if err != nil {
			log.Fatalf("dial: %v", err)
		}
		conns = append(conns, c)
	}
	time.Sleep(time.Second)
	api := controlOf("http"+strings.TrimPrefix(url, "ws")) + "/_wsreplay/api/replays/"
	body := []byte(`{"text":"` + strings.Repeat("a", size) + `"}`)
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for r := range replays {
		wg.Go(func() {
			for range injects {
				resp, err := http.Post(fmt.Sprintf("%sr%d/inject", api, r+1), "application/json", bytes.NewReader(body))
				if err != nil {
					log.Printf("inject: %v", err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	time.Sleep(2 * time.Second)
	pid := cmd.Process.Pid
	fmt.Printf("| %d replays not read × %d injections of %d MiB | %d MB | %d MB | answered %v |\n", replays, injects, size>>20, peakRSS(pid)>>20, rss(pid)>>20, statuses)
	for _, c := range conns {
		c.CloseNow()
	}
}

func writeEvents(path string, evs []*format.Event, comp format.Compression) {
	var buf bytes.Buffer
	w := format.NewWriter(&buf, &format.WriterOptions{Compression: comp})
	for _, e := range evs {
		if err := w.Write(e); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

// controlOf returns the base URL of the control listener of the serve
// whose replay port is base: where its GET /_wsreplay/ is sent.
func controlOf(base string) string {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/_wsreplay/")
	if err != nil {
		log.Fatalf("control: %v", err)
	}
	resp.Body.Close()
	u, err := neturl.Parse(resp.Header.Get("Location"))
	if err != nil || u.Host == "" {
		log.Fatalf("control: GET %s/_wsreplay/ answered %d to %q", base, resp.StatusCode, resp.Header.Get("Location"))
	}
	return u.Scheme + "://" + u.Host
}
