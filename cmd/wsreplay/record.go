package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/recorder"
)

func recordCommand() *cli.Command {
	return &cli.Command{
		Name:  "record",
		Usage: "record WebSocket traffic through a reverse proxy",
		Description: `Listens for clients, relays every WebSocket connection to the upstream with
the same path and query, and records each one as a session. Other HTTP
requests are passed through unrecorded. Point the frontend (or your load
balancer) at the printed address instead of the backend.

--out DIR writes one file per session, <UTC start>_<id>.ndjson.zst (a
.partial suffix while the session runs); --out FILE.ndjson[.gz|.zst] appends
every session to one file. Cookies, Authorization headers and credential-like
query parameters are redacted in the recording, never in the traffic.

Examples:
   wsreplay record --upstream ws://localhost:3000 --out recordings
   wsreplay record --upstream wss://staging.example/api --listen 0.0.0.0:8080 \
       --out /var/lib/wsreplay --redact-json password --redact-header X-Api-Key
   wsreplay record --upstream ws://localhost:3000 --out session.ndjson`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "upstream", Usage: "the backend's `URL`, ws:// or wss://, optionally with a path prefix (required)"},
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "`HOST:PORT` to listen on (port 0 picks a free one)"},
			&cli.StringFlag{Name: "out", Value: "recordings", Usage: "a `DIR` for one file per session, or a FILE.ndjson[.gz|.zst] for all"},
			&cli.StringFlag{Name: "compress", Value: "zstd", Usage: "compression of files in --out DIR: `none`, gzip or zstd"},
			&cli.StringFlag{Name: "max-message-size", Value: "64MiB", Usage: "largest message relayed, `SIZE` in bytes or with KiB/MiB/GiB (at most 128MiB)"},
			&cli.StringFlag{Name: "partial-budget", Value: "256MiB", Usage: "memory that messages still being received may hold together, `SIZE`; past it a message is relayed but not recorded (counted as lost)"},
			&cli.StringFlag{Name: "flush-interval", Value: "1s", Usage: "write recorded lines out at least every `D` (what a crash can lose)"},
			&cli.StringFlag{Name: "handshake-timeout", Value: "10s", Usage: "give up on an upstream handshake after `D` (the client gets 504)"},
			&cli.StringFlag{Name: "idle-timeout", Value: "75s", Usage: "close a client's idle keep-alive HTTP connection after `D` (as nginx does; WebSockets are not affected)"},
			&cli.StringSliceFlag{Name: "redact-header", Usage: "also redact this request or response `HEADER` (repeatable)"},
			&cli.StringSliceFlag{Name: "redact-query", Usage: "also redact this query `PARAM` (repeatable)"},
			&cli.StringSliceFlag{Name: "redact-json", Usage: "redact the value of this JSON `FIELD` inside messages, after a prefix (Socket.IO) or inside JSON strings too (repeatable)"},
			&cli.StringSliceFlag{Name: "redact-path", Usage: "redact what this `REGEX` matches in request paths, or its groups if it has any: '/ws/([^/]+)' (repeatable)"},
			&cli.BoolFlag{Name: "allow-shared-out", Usage: "write in an --out directory that other users may write in (they could swap or read the recordings)"},
			&cli.BoolFlag{Name: "insecure-upstream-tls", Usage: "do not verify the upstream's TLS certificate (staging)"},
			&cli.StringFlag{Name: "tls-cert", Usage: "listen with TLS: certificate `FILE` (PEM)"},
			&cli.StringFlag{Name: "tls-key", Usage: "listen with TLS: key `FILE` (PEM)"},
		},
		Action: runRecord,
	}
}

// parseUpstream checks --upstream.
func parseUpstream(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, usagef("--upstream: %q is not a ws:// or wss:// URL", s)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return nil, usagef("--upstream: %q is not a ws:// or wss:// URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, usagef("--upstream: %q has a query or fragment; give the base URL only", s)
	}
	return u, nil
}

// parseSize reads a byte size: 1048576, 64MiB, 512KiB, 1GiB (KB/MB/GB
// count in 1000s).
func parseSize(flag, s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, usagef("--%s: %q is not a size (like 65536, 512KiB or 64MiB)", flag, s)
	}
	return n * mult, nil
}

func runRecord(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("record takes no arguments (got %q); did you mean --out %s?", c.Args().First(), c.Args().First())
	}
	if c.String("upstream") == "" {
		return usagef("record: --upstream is required: the backend's ws:// or wss:// URL")
	}
	up, err := parseUpstream(c.String("upstream"))
	if err != nil {
		return err
	}
	maxSize, err := parseSize("max-message-size", c.String("max-message-size"))
	if err != nil {
		return err
	}
	if maxSize > format.MaxMessageSize {
		return usagef("--max-message-size: %s is over 128MiB, the largest message a recording holds", c.String("max-message-size"))
	}
	budget, err := parseSize("partial-budget", c.String("partial-budget"))
	if err != nil {
		return err
	}
	flushEvery, err := durationFlag(c, "flush-interval")
	if err != nil {
		return err
	}
	handshake, err := durationFlag(c, "handshake-timeout")
	if err != nil {
		return err
	}
	idle, err := durationFlag(c, "idle-timeout")
	if err != nil {
		return err
	}
	if idle <= 0 {
		return usagef("--idle-timeout: must be more than 0 (idle connections would be kept forever)")
	}
	comp, err := format.ParseCompression(c.String("compress"))
	if err != nil {
		return usagef("--compress: %v", err)
	}
	certFile, keyFile := c.String("tls-cert"), c.String("tls-key")
	if (certFile == "") != (keyFile == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	var cert tls.Certificate
	if certFile != "" {
		if cert, err = tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %v", err)
		}
	}

	var paths []*regexp.Regexp
	for _, expr := range c.StringSlice("redact-path") {
		re, err := regexp.Compile(expr)
		if err != nil {
			return usagef("--redact-path: %q is not a regular expression: %v", expr, err)
		}
		paths = append(paths, re)
	}

	log := newLogger(c)
	// The queue holds two of the largest messages: one being written,
	// the next one coming. Below one, a message that size could never be
	// recorded, however idle the recorder.
	qopts := &recorder.QueueOptions{FlushInterval: flushEvery, Compression: comp, Logger: log,
		AllowSharedDir: c.Bool("allow-shared-out"), MaxQueueBytes: max(64<<20, 2*maxSize)}
	if qopts.AllowSharedDir {
		log.Warn("--allow-shared-out: recording in a directory that other users may write in")
	}
	out := c.String("out")
	var sink *recorder.FileSink
	if strings.Contains(out, ".ndjson") {
		sink, err = recorder.NewFileSink(out, qopts)
	} else {
		sink, err = recorder.NewDirSink(out, qopts)
	}
	if errors.Is(err, recorder.ErrSharedDir) {
		return hinted{fmt.Errorf("--out: %v", err), "choose a private directory, or add --allow-shared-out if you trust every user of this machine"}
	}
	if err != nil {
		return fmt.Errorf("--out: %v", err)
	}

	p := &recorder.Proxy{
		Upstream:         up,
		Sink:             sink,
		MaxMessageSize:   maxSize,
		PartialBudget:    budget,
		HandshakeTimeout: handshake,
		Logger:           log,
		Redaction: recorder.Redaction{
			Headers:    c.StringSlice("redact-header"),
			Query:      c.StringSlice("redact-query"),
			JSONFields: c.StringSlice("redact-json"),
			Paths:      paths,
		},
	}
	if c.Bool("insecure-upstream-tls") {
		p.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}

	l, err := listen(c.String("listen"))
	if err != nil {
		sink.Close()
		return err
	}
	scheme := "ws"
	if certFile != "" {
		scheme = "wss"
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	stderr := c.App.ErrWriter
	fmt.Fprintf(stderr, "listening on %s://%s -> %s\n", scheme, l.Addr(), up)
	fmt.Fprintf(stderr, "recording to %s\n", out)

	// IdleTimeout: without it a keep-alive connection left idle after a
	// plain HTTP request is kept forever. A WebSocket is hijacked and is
	// not subject to it.
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idle, ErrorLog: nil}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	select {
	case err := <-served:
		sink.Close()
		return fmt.Errorf("serve: %v", err)
	case <-c.Context.Done():
	}
	fmt.Fprintln(stderr, "shutting down: closing every session with 1001 and finishing the files")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	perr := p.Shutdown(ctx)
	hs.Shutdown(ctx)
	serr := sink.Close()
	reportCounts(stderr, sink.Counts())
	if err := errors.Join(perr, serr); err != nil {
		return fmt.Errorf("shutdown: %v", err)
	}
	return nil
}

// reportCounts says at exit what was recorded, and what was relayed without
// being recorded (the log says why, session by session).
func reportCounts(w io.Writer, st recorder.SessionCounts) {
	fmt.Fprintf(w, "recorded %d of %d sessions", st.Sessions-st.Unrecorded, st.Sessions)
	if st.Unrecorded > 0 {
		fmt.Fprintf(w, "; %d relayed but not recorded: their files could not be created (out of file descriptors? see README, \"File descriptors\")", st.Unrecorded)
	}
	if st.LinesLost > 0 {
		fmt.Fprintf(w, "; %d lines lost", st.LinesLost)
	}
	fmt.Fprintln(w)
}
