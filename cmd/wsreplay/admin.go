package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/hostrule"
	"github.com/wsreplay/wsreplay/recorder"
)

// adminFlags are the operations flags of record and serve.
func adminFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "admin", Usage: "serve /healthz, /readyz and /metrics (Prometheus) on `HOST:PORT` (off by default; the proxied or replay listener is left alone)"},
		&cli.StringSliceFlag{Name: "admin-allow-host", Usage: "also answer admin requests whose Host is this DNS `NAME` (localhost, *.localhost and IP addresses always are; repeatable)"},
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
// a function that stops them. recordings, if not "", is a directory whose
// finished recordings are served too (--admin-recordings).
func startAdmin(c *cli.Context, log *slog.Logger, ready *readiness, collector prometheus.Collector, recordings string, faults ...*recorder.Faults) (stop func(), err error) {
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
	paths := "/healthz, /readyz, /metrics"
	if recordings != "" {
		(&recordingsHandler{Dir: recordings, Log: log}).register(mux)
		paths += ", /recordings/"
	}
	for _, f := range faults {
		(&faultsHandler{Faults: f, Log: log}).register(mux)
		paths += ", /faults"
	}
	// serve's --allow-host names are the admin listener's too.
	allow := append(c.StringSlice("admin-allow-host"), c.StringSlice("allow-host")...)
	hs := &http.Server{Handler: hostGuard(mux, allow, log), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l)
	say(c.App.ErrWriter, fmt.Sprintf("admin on http://%s (%s)", l.Addr(), paths),
		"admin listening", "url", "http://"+l.Addr().String(), "paths", paths)
	return func() { hs.Close() }, nil
}

// hostGuard answers 403 to a request whose Host is a DNS name other than
// localhost, *.localhost or one in allow, as the replay server does: a web
// page must not read the admin endpoints through DNS rebinding (their
// figures are harmless, but they are this machine's). Probes and scrapers
// that reach the listener by IP address are answered.
func hostGuard(h http.Handler, allow []string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostrule.Allowed(r.Host, allow) {
			log.Warn("refused admin request: Host is not this machine (DNS rebinding guard)",
				"host", r.Host, "path", r.URL.Path, "hint", "to serve this name, add --admin-allow-host "+hostrule.Only(r.Host))
			http.Error(w, "wsreplay: this Host is not allowed (see --admin-allow-host)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// fromThisMachine reports whether r came over a loopback connection: from
// this machine, or in a pod from the pod itself (kubectl port-forward
// connects to localhost inside it). What the rest of the network reaches
// (a probe, a Prometheus scraper on the pod's address) is not.
func fromThisMachine(r *http.Request) bool {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
