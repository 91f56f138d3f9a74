package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
)

// driveMessages is the client messages of the bench's recorded session,
// each answered by the echo server.
const driveMessages = 10

// driveBench measures what "wsreplay drive" sustains against the echo
// server (a process of its own): sessions and messages per second with
// conc sessions at once for d, each session a connection, 10 requests
// each sent when the answer to the one before has come (causal, at --speed
// max), and a close; beside a plain Go client on coder/websocket doing the
// same sends in this process, the floor for any generator. k6 is not
// installable here (go.k6.io/k6 is AGPL, listed not-to-use), so the
// plain client is the peer. The CPU time of each generator (user+system)
// is given per 1,000 messages: what the generator itself costs.
func driveBench(bin, dir string, conc int, d time.Duration) {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	echoCmd := exec.Command(self)
	echoCmd.Env = append(os.Environ(), "BENCH_ECHO=1")
	target, stopEcho := startServer(echoCmd)
	defer stopEcho()
	rec := filepath.Join(dir, "drive.ndjson")
	writeDriveRecording(rec)

	log.Printf("| generator, %d sessions at once for %s, %d requests each | sessions/s | messages/s | CPU ms per 1,000 messages |", conc, d, driveMessages)
	log.Printf("| --- | --- | --- | --- |")
	cmd := exec.Command(bin, "drive", "--target", target, rec, "--speed", "max", "--concurrency", fmt.Sprint(conc),
		"--duration", d.String(), "--json")
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 0 {
		log.Fatalf("drive: %v\n%s", err, out)
	}
	var res struct {
		Report struct {
			Runs, Errors, Different int
			Sessions                float64 `json:"sessions_per_second"`
			Messages                float64 `json:"messages_per_second"`
			Elapsed                 int64   `json:"elapsed_ns"`
		} `json:"report"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		log.Fatalf("drive --json: %v\n%s", err, out)
	}
	r := res.Report
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	msgs := r.Messages * time.Duration(r.Elapsed).Seconds()
	log.Printf("| wsreplay drive (%d errors, %d different) | %.0f | %.0f | %.1f |", r.Errors, r.Different, r.Sessions, r.Messages,
		cpu.Seconds()*1000/(msgs/1000))
	sessions, messages, elapsed, cpu := plainClient(target, conc, d)
	log.Printf("| plain Go client (coder/websocket) | %.0f | %.0f | %.1f |", float64(sessions)/elapsed.Seconds(),
		float64(messages)/elapsed.Seconds(), cpu.Seconds()*1000/(float64(messages)/1000))
}

// writeDriveRecording writes one session of driveMessages requests, each
// answered with itself, as the echo server does.
func writeDriveRecording(path string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := format.NewWriter(f, nil)
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: "bench", Time: t0, URL: "/drive"})
	at := t0
	for i := range driveMessages {
		data := fmt.Appendf(nil, `{"op":"add","n":%d,"pad":"0123456789abcdef"}`, i)
		for _, dir := range []format.Dir{format.Send, format.Receive} {
			at = at.Add(time.Millisecond)
			w.Write(&format.Event{Type: format.TypeMessage, Session: "bench", Time: at, Dir: dir, Opcode: format.Text, Data: data})
		}
	}
	w.Write(&format.Event{Type: format.TypeClose, Session: "bench", Time: at.Add(time.Millisecond), By: format.ByClient, Code: 1000, Clean: true})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

// plainClient plays the same session with conc goroutines of a bare
// coder/websocket client for d, and returns the sessions and messages
// (both ways) it made, the time it took, and the CPU time this process
// spent meanwhile.
func plainClient(target string, conc int, d time.Duration) (sessions, messages int64, elapsed, cpu time.Duration) {
	var nSess, nMsgs atomic.Int64
	before := selfCPU()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for time.Now().Before(deadline) {
				c, _, err := websocket.Dial(ctx, target+"/drive", nil)
				if err != nil {
					log.Fatalf("plain client: %v", err)
				}
				for i := range driveMessages {
					data := fmt.Appendf(nil, `{"op":"add","n":%d,"pad":"0123456789abcdef"}`, i)
					if c.Write(ctx, websocket.MessageText, data) != nil {
						break
					}
					if _, _, err := c.Read(ctx); err != nil {
						break
					}
					nMsgs.Add(2)
				}
				c.Close(websocket.StatusNormalClosure, "")
				nSess.Add(1)
			}
		}()
	}
	wg.Wait()
	return nSess.Load(), nMsgs.Load(), time.Since(start), selfCPU() - before
}
