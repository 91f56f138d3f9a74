package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// serveUntilDone serves hs on l until ctx ends (the first Ctrl-C or
// SIGTERM), then shuts down: readiness turns to stopping, drain closes the
// handler's WebSockets (http.Server.Shutdown does not wait for hijacked
// connections: recorder.Proxy and replayer.Server drain their own), and hs
// shuts down its plain HTTP ones, both within timeout. A failure to serve
// returns at once, without a shutdown.
func serveUntilDone(ctx context.Context, hs *http.Server, l net.Listener, ready *readiness, timeout time.Duration, drain func(context.Context)) error {
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	ready.listening.Store(true)
	select {
	case err := <-served:
		return fmt.Errorf("serve: %v", err)
	case <-ctx.Done():
	}
	ready.stopping.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	drain(sctx)
	hs.Shutdown(sctx)
	return nil
}
