// Package drain waits for a server's connections to end, as the Shutdown
// methods of recorder.Proxy and replayer.Server do: http.Server.Shutdown
// does not wait for hijacked (WebSocket) connections, so each server counts
// its own in a sync.WaitGroup and drains them itself.
package drain

import (
	"context"
	"sync"
)

// Wait waits until wg's counter is zero, or until ctx is done, and then
// returns ctx.Err(). In that case a goroutine keeps waiting on wg until its
// counter is zero.
func Wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
