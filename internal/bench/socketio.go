package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

// socketIO runs many default Socket.IO clients (socket.io-client 4 from
// internal/e2e's node_modules: polling, then upgrade) on one replay of a
// Socket.IO session, and reports the server's peak RSS and whether every
// client got its pings on time (the replay makes them live, on its own
// clock) while it ran.
func socketIO(bin, dir string, clients int, dur time.Duration) {
	const interval, timeout = 1000, 1000 // ms
	path := filepath.Join(dir, "socketio.ndjson")
	writeSocketIO(path, interval, timeout, dur)
	cmd := exec.Command(bin, "serve", path, "--listen", "127.0.0.1:0")
	url, stop := startServer(cmd)
	defer stop()
	node := exec.Command("node", "sio-bench.mjs", "http"+strings.TrimPrefix(url, "ws"), strconv.Itoa(clients),
		strconv.Itoa(int(dur.Seconds())), strconv.Itoa(interval), strconv.Itoa(timeout))
	node.Dir = "internal/e2e"
	node.Stderr = os.Stderr
	out, err := node.Output()
	if err != nil {
		log.Fatalf("node sio-bench.mjs (npm ci --prefix internal/e2e first): %v\n%s", err, out)
	}
	var r struct {
		Clients, Connected, Upgraded, Events, Pings, Late, Disconnected int
		GapP50                                                          int `json:"gap_p50_ms"`
		GapP99                                                          int `json:"gap_p99_ms"`
		GapMax                                                          int `json:"gap_max_ms"`
		Reasons                                                         []string
	}
	if err := json.Unmarshal(out, &r); err != nil {
		log.Fatalf("sio-bench.mjs printed %q: %v", out, err)
	}
	fmt.Printf("\n### Socket.IO: %d default clients (polling, then upgrade) on one replay, %v, pingInterval %d ms, pingTimeout %d ms\n\n",
		clients, dur, interval, timeout)
	fmt.Println("| connected | upgraded | events | pings | gap p50 / p99 / max | late (gap > interval + timeout) | disconnected | server peak RSS |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
	fmt.Printf("| %d | %d | %d | %d | %d / %d / %d ms | %d | %d %v | %d MB |\n", r.Connected, r.Upgraded, r.Events, r.Pings,
		r.GapP50, r.GapP99, r.GapMax, r.Late, r.Disconnected, r.Reasons, peakRSS(cmd.Process.Pid)>>20)
}

// writeSocketIO writes a Socket.IO 4 session: the open packet, the CONNECT
// answer, then an event every 500 ms for dur.
func writeSocketIO(path string, interval, timeout int64, dur time.Duration) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	w := format.NewWriter(f, nil)
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	open := fmt.Sprintf(`0{"sid":"rec","upgrades":["websocket"],"pingInterval":%d,"pingTimeout":%d,"maxPayload":1000000}`, interval, timeout)
	w.Write(&format.Event{Type: format.TypeSession, Version: 1, Session: "sio", Time: t0, URL: "/socket.io/?EIO=4&transport=polling",
		Kind: format.KindSocketIO, EngineIO: &format.EngineIO{Version: 4, SID: "rec", PingInterval: interval, PingTimeout: timeout,
			MaxPayload: 1e6, Upgrades: []string{"websocket"}}})
	msg := func(at time.Duration, dir format.Dir, text string) {
		w.Write(&format.Event{Type: format.TypeMessage, Session: "sio", Time: t0.Add(at), Dir: dir, Opcode: format.Text,
			Data: []byte(text), Transport: "websocket"})
	}
	msg(0, format.Receive, open)
	msg(time.Millisecond, format.Send, "40")
	msg(2*time.Millisecond, format.Receive, `40{"sid":"n"}`)
	for i, at := 0, 500*time.Millisecond; at < dur; i, at = i+1, at+500*time.Millisecond {
		msg(at, format.Receive, fmt.Sprintf(`42["tick",{"n":%d,"price":%d.25}]`, i, 100+i%7))
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	f.Close()
}
