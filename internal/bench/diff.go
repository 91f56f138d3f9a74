package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// diffLarge runs "wsreplay diff" on two recordings of n messages that
// differ here and there (inserted, removed and changed messages, and a
// timestamp and an id that differ in every message), as the command runs,
// and reports its wall time and peak RSS (the kernel's maxrss for it).
func diffLarge(bin, dir string, n int) {
	a, b := filepath.Join(dir, "diff-a.ndjson"), filepath.Join(dir, "diff-b.ndjson")
	writeDiffRecording(a, n, false)
	writeDiffRecording(b, n, true)
	log.Printf("| diff of two %d-message recordings | wall | peak RSS | result |", n)
	log.Printf("| --- | --- | --- | --- |")
	for _, ignore := range [][]string{{"--ignore", "$.ts", "--ignore", "$..id"}, nil} {
		args := append([]string{"diff", a, b}, ignore...)
		cmd := exec.Command(bin, args...)
		start := time.Now()
		out, _ := cmd.Output() // exit 1: they differ
		wall := time.Since(start)
		rss := maxRSS(cmd.ProcessState)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		what := "every message differs (no --ignore)"
		if ignore != nil {
			what = "--ignore '$.ts' --ignore '$..id'"
		}
		log.Printf("| %s | %.2f s | %d MB | %s |", what, wall.Seconds(), rss>>20, lines[len(lines)-1])
	}
}

// writeDiffRecording writes one session of n JSON messages (every tenth
// sent by the client). The variant inserts a message every 997, drops one
// every 1,999, changes a price every 4,999, and has other ts and id values.
func writeDiffRecording(path string, n int, variant bool) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := format.NewWriter(f, nil)
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: "big", Time: t0, URL: "/live"})
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if variant && i%997 == 500 {
			w.Write(&format.Event{Type: format.TypeMessage, Session: "big", Time: at, Dir: format.Receive,
				Opcode: format.Text, Data: fmt.Appendf(nil, `{"type":"extra","i":%d}`, i)})
		}
		if variant && i%1999 == 7 {
			continue
		}
		ts, id, price := i*1000, i, 100+float64(i)/100
		if variant {
			ts, id = ts+3, id+1
			if i%4999 == 13 {
				price = 0
			}
		}
		dir := format.Receive
		if i%10 == 0 {
			dir = format.Send
		}
		w.Write(&format.Event{Type: format.TypeMessage, Session: "big", Time: at, Dir: dir, Opcode: format.Text,
			Data: fmt.Appendf(nil, `{"type":"price","seq":%d,"symbol":"%s","price":%.2f,"ts":%d,"id":"x%d"}`,
				i, []string{"BTC", "ETH", "SOL"}[i%3], price, ts, id)})
	}
	w.Write(&format.Event{Type: format.TypeClose, Session: "big", Time: t0.Add(time.Duration(n) * time.Millisecond),
		By: format.ByServer, Code: 1000, Reason: "bye", Clean: true})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}
