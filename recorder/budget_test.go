package recorder

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/child"
)

// While one message being received holds most of Proxy.PartialBudget,
// another message is relayed whole but not recorded, and its session's
// close line counts it; once the first is whole it is recorded, and the
// budget is all given back.
func TestPartialBudget(t *testing.T) {
	up := upstream(t, nil, echo(nil))
	p, ts, sink, dir := proxyFor(t, up, func(p *Proxy) { p.PartialBudget = 1 << 20 })
	ctx := context.Background()
	a, b := dial(t, ts, "/a", nil), dial(t, ts, "/b", nil)

	big := bytes.Repeat([]byte("a"), 900<<10)
	w, err := a.Writer(ctx, websocket.MessageBinary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(big[:800<<10]); err != nil {
		t.Fatal(err)
	}
	// a's message is in the proxy when its fragments come back... they
	// do not: wait until the budget is taken instead.
	for deadline := time.Now().Add(10 * time.Second); p.partial.Load() < 800<<10; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("budget taken: %d bytes, want a's 800 KiB", p.partial.Load())
		}
	}
	other := bytes.Repeat([]byte("b"), 900<<10)
	if err := b.Write(ctx, websocket.MessageBinary, other); err != nil {
		t.Fatal(err)
	}
	if _, got, err := b.Read(ctx); err != nil || !bytes.Equal(got, other) {
		t.Fatalf("b's echo: %d bytes, %v; want its 900 KiB back", len(got), err)
	}
	w.Write(big[800<<10:])
	w.Close()
	if _, got, err := a.Read(ctx); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("a's echo: %d bytes, %v", len(got), err)
	}
	a.Close(websocket.StatusNormalClosure, "")
	b.Close(websocket.StatusNormalClosure, "")
	stopProxy(t, p, ts, sink)
	if n := p.partial.Load(); n != 0 {
		t.Errorf("%d bytes of the budget still taken after every session ended", n)
	}
	recs, _ := readRecordings(t, dir)
	for _, evs := range recs {
		path, msgs, last := evs[0].URL, 0, evs[len(evs)-1]
		for _, e := range evs {
			if e.Type == format.TypeMessage {
				msgs++
			}
		}
		switch {
		case path == "/a" && (msgs != 2 || last.Lost != 0):
			t.Errorf("/a: %d messages recorded, lost %d; want 2 and 0", msgs, last.Lost)
		case path == "/b" && (msgs != 0 || last.Lost != 2):
			t.Errorf("/b: %d messages recorded, lost %d; want 0 and 2 (its message and the echo)", msgs, last.Lost)
		}
	}
}

// The budget holds in a real process: 16 connections each sending 99 % of
// a 16 MiB message and then waiting (254 MiB in all) leave the recorder's
// peak RSS within three times --partial-budget 32MiB and a fixed allowance,
// where without a budget it is more than twice the bytes received. Three
// times: the buffers the budget counts, as much again of the smaller ones
// they grew from, which the garbage collector has not taken back yet, and
// its headroom (GOGC).
func TestPartialBudgetRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := child.Build(t, "github.com/wsreplay/wsreplay/cmd/wsreplay")
	tool := child.Build(t, "github.com/wsreplay/wsreplay/internal/child/wstool")
	listening := regexp.MustCompile(`listening on (ws://[0-9.:]+)`)
	up := child.Start(t, tool, "upstream")
	upURL := up.Expect(t, listening)[1]
	const budget = 32 << 20
	rec := child.Start(t, bin, "record", "--upstream", upURL, "--listen", "127.0.0.1:0", "--out", t.TempDir(),
		"--partial-budget", fmt.Sprint(budget))
	rec.DiscardStdout()
	url := rec.WaitStderr(t, listening, 20*time.Second)[1]

	hold := child.Start(t, tool, "hold", url+"/hold", "16", fmt.Sprint(16<<20), "99")
	hold.Expect(t, regexp.MustCompile(`^held`))
	// The proxy has relayed what the clients sent; give its reads a
	// moment to catch up with the last bytes on the sockets.
	rec.WaitStderr(t, regexp.MustCompile(`message relayed but not recorded`), 30*time.Second)
	rss, err := child.PeakRSS(rec.Cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	// The runtime, 32 connections, read buffers, and the collector's
	// timing: under load the same run peaked at 120 to 172 MiB. Without a
	// budget it peaks near 690 MiB, far above this.
	const allowance = 128 << 20
	t.Logf("recorder peak RSS %s with 16 × 99 %% of 16 MiB held, budget %s", child.MiB(rss), child.MiB(budget))
	if rss > 3*budget+allowance {
		t.Errorf("recorder peak RSS %s, want at most %s (3 × budget %s + %s)", child.MiB(rss), child.MiB(3*budget+allowance), child.MiB(budget), child.MiB(allowance))
	}
	rec.Cmd.Process.Signal(syscall.SIGINT)
	rec.Cmd.Wait()
}
