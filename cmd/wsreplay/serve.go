package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/demo"
	"github.com/wsreplay/wsreplay/replayer"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "replay recorded sessions to WebSocket clients",
		ArgsUsage: "[FILE...]",
		Description: `Serves recordings (wsreplay NDJSON, plain, gzip or zstd, or HAR files from
browser DevTools) on a local WebSocket server. Every connection gets its own
replay of a session, chosen by the path it asks for: point your frontend's
socket URL at the printed address. With no FILE, serves a built-in demo.

Durations are like 90s, 2m or 250ms. Faults count from each connection's
accept, in wall time.

Examples:
   wsreplay serve
   wsreplay serve bug.ndjson.zst --speed 4 --from 2m
   wsreplay serve session.har --listen 127.0.0.1:9000
   wsreplay serve bug.ndjson --drop-at 30s --refuse 2   # test reconnect logic`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8765", Usage: "`HOST:PORT` to listen on (port 0 picks a free one)"},
			&cli.StringFlag{Name: "speed", Usage: "time scale `X` (2 is twice as fast); 0 or max sends without waiting", Value: "1"},
			&cli.StringFlag{Name: "max-gap", Usage: "cap silences between messages at `D`"},
			&cli.StringFlag{Name: "from", Usage: "start at offset `D`; earlier messages are sent at once"},
			&cli.BoolFlag{Name: "drop-before", Usage: "with --from, leave out the earlier messages"},
			&cli.BoolFlag{Name: "loop", Usage: "start the session again at its end"},
			&cli.StringSliceFlag{Name: "session", Usage: "serve only this session `ID` (repeatable)"},
			&cli.BoolFlag{Name: "wait", Usage: "hold server messages until the client has sent what was recorded before them"},
			&cli.StringSliceFlag{Name: "heartbeat", Usage: "answer text `PING:PONG` at once and leave recorded ones out (repeatable)"},
			&cli.StringFlag{Name: "drop-at", Usage: "drop the TCP connection at `D` (no close frame: the browser sees 1006)"},
			&cli.StringFlag{Name: "close-at", Usage: "close at D with a close frame: `D[:CODE[:REASON]]`"},
			&cli.StringFlag{Name: "hang-at", Usage: "at `D`, stay connected but send nothing more"},
			&cli.IntFlag{Name: "refuse", Usage: "answer the first `N` connection attempts with HTTP 503"},
			&cli.StringSliceFlag{Name: "allow-host", Usage: "also answer requests whose Host is this DNS `NAME` (localhost, *.localhost and IP addresses always are; repeatable)"},
			&cli.StringSliceFlag{Name: "allow-origin", Usage: "also accept WebSockets from pages of this `ORIGIN` (https://app.example, *.example, null for file:// pages, * for any; repeatable)"},
			&cli.BoolFlag{Name: "verbose", Usage: "log client messages too"},
		},
		Action: runServe,
	}
}

// serveOptions maps the flags onto a replayer.Server.
func serveOptions(c *cli.Context) (*replayer.Server, error) {
	srv := &replayer.Server{
		DropBefore: c.Bool("drop-before"),
		Loop:       c.Bool("loop"),
		Sessions:   c.StringSlice("session"),
		Wait:       c.Bool("wait"),
		Refuse:     c.Int("refuse"),

		AllowHosts:   c.StringSlice("allow-host"),
		AllowOrigins: c.StringSlice("allow-origin"),
	}
	var err error
	if srv.Speed, err = parseSpeed(c.String("speed")); err != nil {
		return nil, err
	}
	for name, dst := range map[string]*time.Duration{"max-gap": &srv.MaxGap, "from": &srv.From, "drop-at": &srv.DropAt, "hang-at": &srv.HangAt} {
		if *dst, err = durationFlag(c, name); err != nil {
			return nil, err
		}
	}
	if s := c.String("close-at"); s != "" {
		if srv.CloseAt, srv.CloseCode, srv.CloseReason, err = parseCloseSpec(s); err != nil {
			return nil, err
		}
	}
	for _, hb := range c.StringSlice("heartbeat") {
		ping, pong, err := parseHeartbeat(hb)
		if err != nil {
			return nil, err
		}
		srv.Heartbeats = append(srv.Heartbeats, replayer.Heartbeat{Ping: ping, Pong: pong})
	}
	if srv.Refuse < 0 {
		return nil, usagef("--refuse: %d is negative", srv.Refuse)
	}
	return srv, nil
}

func runServe(c *cli.Context) error {
	srv, err := serveOptions(c)
	if err != nil {
		return err
	}
	var sources []replayer.Source
	for _, path := range c.Args().Slice() {
		sources = append(sources, replayer.File(path))
	}
	if len(sources) == 0 {
		sources = []replayer.Source{replayer.Bytes(demo.Name, demo.Recording)}
	}
	cat, err := replayer.Open(sources...)
	if err != nil {
		return err
	}
	defer cat.Close()
	srv.Catalog = cat

	// Small recordings are indexed at once, and their errors stop us
	// here. A large one is served while its indexing goes on.
	wait := 500 * time.Millisecond
	if len(srv.Sessions) > 0 {
		wait = time.Hour // we must know every id to check them
	}
	ctx, cancel := context.WithTimeout(c.Context, wait)
	err = cat.Wait(ctx)
	cancel()
	indexing := errors.Is(err, context.DeadlineExceeded)
	switch {
	case c.Context.Err() != nil:
		return nil
	case err != nil && !indexing:
		return err
	}
	if !indexing && len(cat.Sessions()) == 0 {
		warn := ""
		if w := cat.Warnings(); len(w) > 0 {
			warn = ": " + w[0]
		}
		return fmt.Errorf("no sessions to serve in %s%s", strings.Join(c.Args().Slice(), ", "), warn)
	}
	if err := checkSessions(cat, srv.Sessions); err != nil {
		return err
	}

	log := newLogger(c)
	srv.Logger = log
	l, err := listen(c.String("listen"))
	if err != nil {
		return err
	}
	stderr := c.App.ErrWriter
	fmt.Fprintf(stderr, "listening on ws://%s\n", l.Addr())
	for _, o := range srv.AllowOrigins {
		switch o {
		case "*":
			fmt.Fprintln(stderr, "wsreplay: warning: --allow-origin '*': any web page you visit can read the recordings being served")
		case "null":
			fmt.Fprintln(stderr, "wsreplay: warning: --allow-origin null: file:// pages, and sandboxed frames on any site, can read the recordings being served")
		}
	}
	if !isLoopback(l.Addr()) {
		fmt.Fprintf(stderr, "wsreplay: warning: %s is reachable from other machines; the recordings may hold private data\n", l.Addr())
	}
	for _, w := range cat.Warnings() {
		fmt.Fprintf(stderr, "wsreplay: warning: %s\n", w)
	}
	printSessions(c, cat, srv.Sessions, indexing)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	if indexing {
		go func() {
			err := cat.Wait(c.Context)
			switch {
			case err == nil:
				fmt.Fprintf(stderr, "indexed %d sessions\n", len(cat.Sessions()))
			case c.Context.Err() == nil:
				fmt.Fprintf(stderr, "wsreplay: warning: %v; serving the sessions before it\n", err)
			}
		}()
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %v", err)
	case <-c.Context.Done():
	}
	fmt.Fprintln(stderr, "shutting down: closing connections with 1001")
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	hs.Shutdown(ctx)
	return nil
}

func checkSessions(cat *replayer.Catalog, ids []string) error {
	known := map[string]bool{}
	for _, s := range cat.Sessions() {
		known[s.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			return hinted{fmt.Errorf("--session: no session %q in the recordings", id), "wsreplay ls FILE lists the session ids"}
		}
	}
	return nil
}

func printSessions(c *cli.Context, cat *replayer.Catalog, only []string, indexing bool) {
	const most = 10
	all := cat.Sessions()
	n := 0
	for _, s := range all {
		if len(only) > 0 && !slices.Contains(only, s.ID) {
			continue
		}
		if n++; n <= most {
			url := s.URL
			if url == "" {
				url = "/"
			}
			fmt.Fprintf(c.App.ErrWriter, "  session %s  %s  recorded %s\n", printable(s.ID), printable(url), s.Start.Format(time.RFC3339))
		}
	}
	more := ""
	if indexing {
		more = " so far (still indexing)"
	}
	if n > most {
		fmt.Fprintf(c.App.ErrWriter, "  ... and %d more%s\n", n-most, more)
	} else if indexing {
		fmt.Fprintf(c.App.ErrWriter, "  ...%s\n", more)
	}
}
