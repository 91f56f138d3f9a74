package recorder

import (
	"context"
	"sync"

	"github.com/wsreplay/wsreplay/internal/drain"
)

// workGroup counts work that Proxy.Shutdown waits for, and takes no more
// once Shutdown has closed it: a sync.WaitGroup's Add from zero must happen
// before its Wait, and work begun after Shutdown returned would reach a
// Sink its owner may have closed (the class of bug commit 60c430f fixed for
// a WebSocket session's close frames). Its zero value is open and empty.
type workGroup struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// add counts one piece of work, or reports false once the group is closed:
// the work must then not begin.
func (g *workGroup) add() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

// done ends a piece of work add counted.
func (g *workGroup) done() { g.wg.Done() }

// closeAndWait takes no more work, then waits for what was counted, or for
// ctx.
func (g *workGroup) closeAndWait(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	return drain.Wait(ctx, &g.wg)
}
