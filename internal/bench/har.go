package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/format/har"
)

// harLarge measures the peak RSS of "wsreplay convert" from a HAR file of
// about size bytes (sessions of JSON messages, as a long DevTools export
// has them) to NDJSON and back, and of "wsreplay serve" of it while a
// client plays its last session at full speed.
func harLarge(bin, dir string, size int64) {
	path := filepath.Join(dir, "large.har")
	sessions := writeLargeHAR(path, size)
	st, _ := os.Stat(path)
	fmt.Printf("\n### A %d MB HAR file (%d WebSocket sessions of JSON messages)\n\n", st.Size()>>20, sessions)
	fmt.Println("| command | wall | peak RSS |")
	fmt.Println("| --- | --- | --- |")
	nd, back := filepath.Join(dir, "large-from-har.ndjson"), filepath.Join(dir, "large-back.har")
	for _, args := range [][]string{{"convert", path, nd}, {"convert", nd, back}} {
		cmd := exec.Command(bin, args...)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			log.Fatalf("%v: %v\n%s", args, err, out)
		}
		rss := maxRSS(cmd.ProcessState)
		fmt.Printf("| wsreplay %s %s %s | %.1f s | %d MB |\n", args[0], filepath.Base(args[1]), filepath.Base(args[2]),
			time.Since(start).Seconds(), rss>>20)
	}
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0", "--speed", "max", "--session", fmt.Sprintf("har-%d", sessions-1))
	start := time.Now()
	url, stop := startServer(cmd)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url+"/", nil)
	if err != nil {
		log.Fatal(err)
	}
	c.SetReadLimit(-1)
	n := 0
	for ; ; n++ {
		if _, _, err := c.Read(ctx); err != nil {
			break
		}
	}
	c.CloseNow()
	fmt.Printf("| wsreplay serve large.har, one client plays its last session (%d messages) | %.1f s | %d MB |\n",
		n, time.Since(start).Seconds(), peakRSS(cmd.Process.Pid)>>20)
}

// writeLargeHAR writes sessions of 2,500 JSON messages each, each session
// closed, until the file is about size bytes, and returns how many.
func writeLargeHAR(path string, size int64) int {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cw := &countWriter{}
	w := har.NewWriter(&teeCount{f, cw}, nil)
	msgs := jsonHeavy(2500)
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s := 0
	for ; cw.n < size; s++ {
		id := fmt.Sprintf("har-%d", s)
		at := t0.Add(time.Duration(s) * time.Hour)
		w.Write(&format.Event{Type: format.TypeSession, Version: format.Version, Session: id, Time: at, URL: "/live"})
		for i, m := range msgs[1:] {
			w.Write(&format.Event{Type: format.TypeMessage, Session: id, Time: at.Add(time.Duration(i) * time.Millisecond),
				Dir: format.Receive, Opcode: format.Text, Data: m.Data})
		}
		w.Write(&format.Event{Type: format.TypeClose, Session: id, Time: at.Add(time.Hour / 2), By: format.ByServer, Code: 1000, Clean: true})
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return s
}

type teeCount struct {
	f  *os.File
	cw *countWriter
}

func (t *teeCount) Write(p []byte) (int, error) {
	t.cw.Write(p)
	return t.f.Write(p)
}
