package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/urfave/cli/v2"
)

// adminFlags are the operations flags of record and serve.
func adminFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "admin", Usage: "serve /healthz, /readyz and /metrics (Prometheus) on `HOST:PORT` (off by default; the proxied or replay listener is left alone)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "log lines as `FORMAT`: text or json"},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log `LEVEL`: debug, info, warn or error"},
		&cli.BoolFlag{Name: "quiet", Usage: "no status line every minute"},
		&cli.StringFlag{Name: "status-interval", Value: "1m", Usage: "log a status line every `D` while there is traffic", Hidden: true},
	}
}

// readiness is what /readyz reports: listening, able to do the work, not
// shutting down. It is safe for concurrent use.
type readiness struct {
	listening, stopping atomic.Bool
	check               func() error // the work can be done (the output is writable); nil: yes
}

func (r *readiness) ready() error {
	switch {
	case r.stopping.Load():
		return errors.New("shutting down")
	case !r.listening.Load():
		return errors.New("not listening yet")
	case r.check != nil:
		return r.check()
	}
	return nil
}

// startAdmin serves the admin endpoints on --admin, if given, and returns
// a function that stops them.
func startAdmin(c *cli.Context, log *slog.Logger, ready *readiness, collector prometheus.Collector) (stop func(), err error) {
	addr := c.String("admin")
	if addr == "" {
		return func() {}, nil
	}
	l, err := listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--admin: %w", err)
	}
	if !isLoopback(l.Addr()) {
		log.Warn("the admin listener is reachable from other machines", "addr", l.Addr().String())
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready.ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	say(c.App.ErrWriter, fmt.Sprintf("admin on http://%s (/healthz, /readyz, /metrics)", l.Addr()),
		"admin listening", "url", "http://"+l.Addr().String(), "paths", "/healthz, /readyz, /metrics")
	return func() { hs.Close() }, nil
}
