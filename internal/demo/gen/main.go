// Command gen writes the built-in demo recording: a live market dashboard
// that subscribes, receives price ticks, trades and chat, exchanges app-level
// heartbeats, gets one binary snapshot, and is closed cleanly by the server.
//
// It is deterministic. Run it from the repository root after changing it:
//
//	go run ./internal/demo/gen
//
// It rewrites testdata/demo.ndjson, testdata/demo.ndjson.zst and the copy
// embedded in the binary, internal/demo/demo.ndjson.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/wsreplay/wsreplay/format"
)

func main() {
	var plain, zst bytes.Buffer
	pw := format.NewWriter(&plain, nil)
	zw := format.NewWriter(&zst, &format.WriterOptions{Compression: format.Zstd})
	for _, e := range events() {
		must(pw.Write(e))
		must(zw.Write(e))
	}
	must(pw.Close())
	must(zw.Close())
	for name, b := range map[string][]byte{
		"testdata/demo.ndjson":      plain.Bytes(),
		"testdata/demo.ndjson.zst":  zst.Bytes(),
		"internal/demo/demo.ndjson": plain.Bytes(),
	} {
		must(os.WriteFile(name, b, 0o644))
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

const session = "demo-1"

func events() []*format.Event {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []*format.Event
	at := func(off time.Duration) time.Time { return start.Add(off) }
	text := func(off time.Duration, dir format.Dir, s string) {
		evs = append(evs, &format.Event{Type: format.TypeMessage, Session: session, Time: at(off),
			Dir: dir, Opcode: format.Text, Data: []byte(s)})
	}
	evs = append(evs, &format.Event{Type: format.TypeSession, Session: session, Time: start,
		URL: "/live?room=lobby", Upstream: "ws://backend:3000/live?room=lobby", Subprotocol: "v1.dashboard",
		RequestHeaders: map[string][]string{"Origin": {"http://localhost:5173"}, "Cookie": {"[redacted]"},
			"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"}},
		ResponseHeaders: map[string][]string{}})

	text(3*time.Millisecond, format.Receive, `{"type":"hello","server":"market-7","heartbeat_ms":10000}`)
	text(41*time.Millisecond, format.Send, `{"op":"subscribe","channels":["prices","trades","chat"],"symbols":["BTC","ETH","SOL"]}`)
	text(58*time.Millisecond, format.Receive, `{"type":"subscribed","channels":["prices","trades","chat"]}`)

	// A binary snapshot of the order book: 3 symbols, price and size as float64.
	var snap bytes.Buffer
	prices := map[string]float64{"BTC": 97250.5, "ETH": 3412.25, "SOL": 182.4}
	for _, sym := range []string{"BTC", "ETH", "SOL"} {
		snap.WriteString(sym)
		binary.Write(&snap, binary.BigEndian, prices[sym])
		binary.Write(&snap, binary.BigEndian, float64(1000+rng.IntN(9000))/100)
	}
	evs = append(evs, &format.Event{Type: format.TypeMessage, Session: session, Time: at(75 * time.Millisecond),
		Dir: format.Receive, Opcode: format.Binary, Data: snap.Bytes()})

	chat := []string{"anyone watching SOL?", "ETH looks heavy today", "gm 👋", "that BTC wick was wild", "brb coffee ☕"}
	users := []string{"ana", "bo", "chen", "dee"}
	seq := 0
	for off := 250 * time.Millisecond; off < 30*time.Second; off += time.Duration(150+rng.IntN(350)) * time.Millisecond {
		seq++
		sym := []string{"BTC", "ETH", "SOL"}[rng.IntN(3)]
		p := prices[sym] * (1 + (rng.Float64()-0.5)/500)
		prices[sym] = math.Round(p*100) / 100
		switch {
		case seq%9 == 0:
			text(off, format.Receive, fmt.Sprintf(`{"type":"trade","seq":%d,"symbol":%q,"price":%.2f,"size":%.4f,"side":%q}`,
				seq, sym, prices[sym], rng.Float64()*2, []string{"buy", "sell"}[rng.IntN(2)]))
		case seq%23 == 0:
			text(off, format.Receive, fmt.Sprintf(`{"type":"chat","seq":%d,"user":%q,"text":%q}`,
				seq, users[rng.IntN(len(users))], chat[rng.IntN(len(chat))]))
		default:
			text(off, format.Receive, fmt.Sprintf(`{"type":"price","seq":%d,"symbol":%q,"price":%.2f}`, seq, sym, prices[sym]))
		}
	}
	// App-level heartbeats every 10 s, answered at once.
	for i, off := range []time.Duration{10 * time.Second, 20 * time.Second} {
		text(off+7*time.Millisecond, format.Send, `{"type":"ping"}`)
		text(off+9*time.Millisecond, format.Receive, `{"type":"pong"}`)
		if i == 0 {
			text(off+2*time.Second, format.Send, `{"op":"chat","text":"hello from the replay 👀"}`)
		}
	}
	text(30*time.Second, format.Receive, `{"type":"notice","text":"server restarting for maintenance"}`)
	evs = append(evs, &format.Event{Type: format.TypeClose, Session: session, Time: at(30*time.Second + 5*time.Millisecond),
		By: format.ByServer, Code: 1001, Reason: "server restarting", Clean: true})
	sortByTime(evs)
	return evs
}

func sortByTime(evs []*format.Event) {
	slices.SortStableFunc(evs, func(a, b *format.Event) int { return a.Time.Compare(b.Time) })
}
