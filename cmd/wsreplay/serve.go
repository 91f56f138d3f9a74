package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/internal/demo"
	"github.com/wsreplay/wsreplay/internal/metrics"
	"github.com/wsreplay/wsreplay/replayer"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:      "serve",
		Usage:     "replay recorded sessions to WebSocket clients",
		ArgsUsage: "[PATH...]",
		Description: `Serves recordings on a local WebSocket server. Every connection gets its
own replay of a session, chosen by the path it asks for: point your
frontend's socket URL at the printed address. With no PATH, serves a
built-in demo.

PATH is a recording (wsreplay NDJSON, plain, gzip or zstd, or a HAR
file), a directory (the recordings in it and below it: *.ndjson,
*.ndjson.gz, *.ndjson.zst, *.partial, *.har), - for standard input
(read into memory), s3://BUCKET/PREFIX[/KEY]: objects are streamed with
ranged reads, and served as they are listed, or
http://HOST:PORT/recordings/[NAME] (record --admin-recordings): files are
streamed, each replay with a ranged GET, never copied. A session id found in two recordings is listed the
second time as ID~2, which --session takes.

Durations are like 90s, 2m or 250ms. Faults count from each connection's
accept, in wall time.

Examples:
   wsreplay serve
   wsreplay serve bug.ndjson.zst --speed 4 --from 2m
   wsreplay serve session.har --listen 127.0.0.1:9000
   wsreplay serve bug.ndjson --drop-at 30s --refuse 2   # test reconnect logic
   wsreplay serve bug.ndjson --latency 200ms±50ms --stall-at 10s:5s --fault 'drop:$.type==tick'
   wsreplay serve bug.ndjson --paused   # then open the printed timeline URL

The timeline of each session, with the controls of its live replays
(pause, step, seek, speed, inject, drop, close), and the same controls as
a JSON API under /_wsreplay/api/ (see docs/control.md), are served on a
listener of their own, never on the replay port: the URL printed at start
(a free loopback port unless --control-listen). Off loopback only with
--control-remote, to requests with the control token (printed at start).
Replayed HTTP answers (polls, event streams, Engine.IO polling) are
sandboxed: a browser runs no script from a recording.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8765", Usage: "`HOST:PORT` to listen on (port 0 picks a free one)"},
			&cli.StringFlag{Name: "speed", Usage: "time scale `X` from 0.001 to 1000 (2 is twice as fast); 0 or max sends without waiting", Value: "1"},
			&cli.StringFlag{Name: "max-gap", Usage: "cap silences between messages at `D`"},
			&cli.StringFlag{Name: "from", Usage: "start at offset `D`; earlier messages are sent at once"},
			&cli.BoolFlag{Name: "drop-before", Usage: "with --from, leave out the earlier messages"},
			&cli.BoolFlag{Name: "loop", Usage: "start the session again at its end"},
			&cli.StringSliceFlag{Name: "session", Usage: "serve only this session `ID` (repeatable)"},
			&cli.BoolFlag{Name: "wait", Usage: "hold server messages until the client has sent what was recorded before them (the same requests where the session's protocol tells them apart, else as many messages)"},
			&cli.GenericFlag{Name: "heartbeat", Value: &wholeValues{}, Usage: "answer the client's text PING with PONG at once and leave recorded ones out: `PING:PONG`, taken whole (commas too); JSON as it is, other text with Go escapes like \\n (repeatable)"},
			&cli.StringFlag{Name: "protocol", Usage: "replay every session as protocol `NAME` speaks it (replies wait for their requests, ids follow the client), or none for the recording as it is; default: each session's own, detected"},
			&cli.StringFlag{Name: "drop-at", Usage: "drop the TCP connection at `D` (no close frame: the browser sees 1006)"},
			&cli.StringFlag{Name: "close-at", Usage: "at D, close with a close frame of CODE (default 1000) and REASON: `D[:CODE[:REASON]]`"},
			&cli.StringFlag{Name: "hang-at", Usage: "at `D`, stay connected but send nothing more"},
			&cli.IntFlag{Name: "refuse", Usage: "answer the first `N` connection attempts with HTTP 503"},
			&cli.StringSliceFlag{Name: "poll", Usage: "answer HTTP long-polling requests on this path from the recorded poll sessions, per poller (a `PATH`, or a prefix ending in *: /api/poll*; repeatable)"},
			&cli.StringFlag{Name: "poll-idle", Value: "30s", Usage: "a poller that has sent no request for `D` gets the next recorded session"},
			&cli.StringSliceFlag{Name: "allow-host", Usage: "also answer requests whose Host is this DNS `NAME` (localhost, *.localhost and IP addresses always are; repeatable)"},
			&cli.StringSliceFlag{Name: "allow-origin", Usage: "also accept WebSockets, event streams and polls from pages of this `ORIGIN` (https://app.example, *.example, null for file:// pages, * for any; repeatable)"},
			&cli.BoolFlag{Name: "paused", Usage: "start every replay paused (resume or step it from the timeline page or the control API)"},
			&cli.StringFlag{Name: "control-listen", Usage: "serve the timeline pages and the control API on `HOST:PORT`, apart from the replays (default: a free port on 127.0.0.1, printed at start)"},
			&cli.BoolFlag{Name: "no-control", Usage: "serve no timeline pages and no control API"},
			&cli.BoolFlag{Name: "control-remote", Usage: "serve the timeline pages and the control API off loopback too (on --listen's host unless --control-listen), to requests with the control token (printed at start)"},
			&cli.StringFlag{Name: "control-token", Usage: "with --control-remote, the `TOKEN` requests off loopback must carry (Authorization: Bearer TOKEN, or a page opened with ?token=TOKEN); default: a random one"},
			&cli.BoolFlag{Name: "verbose", Usage: "log client messages too"},
		}, append(faultFlags(""), adminFlags()...)...),
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
		Paused:     c.Bool("paused"),

		NoControl:     c.Bool("no-control"),
		ControlRemote: c.Bool("control-remote"),
		ControlToken:  c.String("control-token"),

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
	if srv.Heartbeats, err = heartbeats(c); err != nil {
		return nil, err
	}
	if srv.Link, srv.Faults, err = faultOptions(c); err != nil {
		return nil, err
	}
	if srv.Protocol, err = parseProtocol(c.String("protocol")); err != nil {
		return nil, err
	}
	if srv.Poll, srv.PollIdle, err = pollOptions(c); err != nil {
		return nil, err
	}
	if srv.Refuse < 0 {
		return nil, usagef("--refuse: %d is negative", srv.Refuse)
	}
	if n := len(srv.ControlToken); n > 0 && n < minControlToken {
		// Anyone who reaches the server off loopback may guess at it.
		return nil, hinted{usagef("--control-token: %d characters; a control token needs %d or more", n, minControlToken),
			"leave it out for a random one, or give WSREPLAY_CONTROL_TOKEN (a command line is visible to other users)"}
	}
	if err := checkTokenLogging(c, srv); err != nil {
		return nil, err
	}
	if srv.ControlRemote && srv.ControlToken == "" {
		srv.ControlToken = rand.Text()
	}
	return srv, nil
}

// minControlToken is the shortest --control-token taken: 16 characters of
// a random token's alphabet hold about 80 bits.
const minControlToken = 16

func runServe(c *cli.Context) error {
	srv, err := serveOptions(c)
	if err != nil {
		return err
	}
	cat, bar, err := openCatalog(c)
	if err != nil {
		return err
	}
	defer cat.Close()
	srv.Catalog = cat
	indexing, err := waitIndexed(c, cat, srv.Sessions, bar)
	if err != nil || c.Context.Err() != nil {
		return err
	}

	// Log lines take the progress bar off the screen while they print.
	log, err := newLoggerOn(c, bar.clearing(c.App.ErrWriter))
	if err != nil {
		return err
	}
	srv.Logger = log
	ready := &readiness{}
	stopAdmin, err := startAdmin(c, log, ready, metrics.Replayer{Server: srv}, "")
	if err != nil {
		return err
	}
	defer stopAdmin()
	stopStatus, err := logStatus(c, serveStatus(log, srv))
	if err != nil {
		return err
	}
	defer stopStatus()
	l, err := listen(c.String("listen"))
	if err != nil {
		return err
	}
	stderr := c.App.ErrWriter
	addr, note := clientAddr(l.Addr())
	attrs := []any{"url", "ws://" + addr}
	if note != "" {
		attrs = append(attrs, "note", strings.TrimSuffix(strings.TrimPrefix(note, " ("), ")"))
	}
	_, stopControl, err := startControl(c, srv, addr)
	if err != nil {
		l.Close()
		return err
	}
	defer stopControl()
	// The socket is bound, so connections queue until Serve takes them: ready
	// from the line that says so on (a probe or a script reads the line, then
	// /readyz).
	ready.listening.Store(true)
	say(stderr, "listening on ws://"+addr+note, "listening", attrs...)
	warnExposure(stderr, srv, l.Addr())
	printTimeline(stderr, srv, c.String("control-token") == "")
	warned := printWarnings(stderr, cat, 0)
	listed := printSessions(c, cat, srv.Sessions, indexing)

	if indexing {
		idxCtx, stopIdx := context.WithCancel(c.Context)
		indexed := make(chan struct{})
		go func() {
			defer close(indexed)
			reportIndexing(idxCtx, c, cat, srv.Sessions, warned, listed, bar)
		}()
		defer func() { stopIdx(); <-indexed }()
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	return serveUntilDone(c.Context, hs, l, ready, 10*time.Second, func(ctx context.Context) {
		say(stderr, "shutting down: closing connections with 1001", "shutting down", "closing", "every connection with 1001")
		srv.Shutdown(ctx)
	})
}

// waitIndexed waits a little for indexing: small recordings are indexed at
// once, and their errors stop us here; a large one is served while its
// indexing goes on (indexing true). With --session, it waits for the whole
// index, to check the ids.
func waitIndexed(c *cli.Context, cat *replayer.Catalog, only []string, bar *progress) (indexing bool, err error) {
	wait := 500 * time.Millisecond
	if len(only) > 0 {
		wait = time.Hour
	}
	ctx, cancel := context.WithTimeout(c.Context, wait)
	err = cat.Wait(ctx)
	cancel()
	indexing = errors.Is(err, context.DeadlineExceeded)
	if !indexing {
		bar.finish()
	}
	switch {
	case c.Context.Err() != nil:
		return false, nil
	case err != nil && !indexing:
		return false, err
	}
	if !indexing && len(cat.Sessions()) == 0 {
		warn := ""
		if w := cat.Warnings(); len(w) > 0 {
			warn = ": " + w[0]
		}
		return false, fmt.Errorf("no sessions to serve in %s%s", strings.Join(c.Args().Slice(), ", "), warn)
	}
	return indexing, checkSessions(cat, only)
}

// serveSources turns the command line's inputs into the catalog's sources:
// files, the recordings in directories, standard input ("-", read into
// memory, as a replay reads its source again for every connection), or the
// built-in demo when there are none.
//
// Indexing counts on the progress returned (nil when stderr is no terminal).
func serveSources(c *cli.Context) ([]replayer.Source, *progress, error) {
	if c.NArg() == 0 {
		return []replayer.Source{replayer.Bytes(demo.Name, demo.Recording)}, nil, nil
	}
	files, err := expandPaths(c.Context, c.Args().Slice())
	if err != nil {
		return nil, nil, err
	}
	bar := newByteProgress(c, totalSize(files), "indexing")
	var sources []replayer.Source
	for _, path := range files {
		src := inputSource(c.Context, path)
		if path == "-" {
			data, err := io.ReadAll(interruptible(c.Context, os.Stdin))
			if err != nil {
				return nil, nil, fmt.Errorf("stdin: %v", err)
			}
			src = replayer.Bytes("stdin", data)
		}
		if bar != nil {
			src.Indexed = bar.add
		}
		sources = append(sources, src)
	}
	return sources, bar, nil
}

// printWarnings prints the catalog's warnings from the n-th on, and returns
// how many there are.
func printWarnings(stderr io.Writer, cat *replayer.Catalog, n int) int {
	w := cat.Warnings()
	for _, line := range w[min(n, len(w)):] {
		fmt.Fprintf(stderr, "wsreplay: warning: %s\n", printable(line))
	}
	return len(w)
}

// reportIndexing waits for the end of an indexing that outlasted the start,
// and says how it ended, with the warnings met since and, if none was
// listed at the start, the sessions.
func reportIndexing(ctx context.Context, c *cli.Context, cat *replayer.Catalog, only []string, warned, listed int, bar *progress) {
	stderr := c.App.ErrWriter
	err := cat.Wait(ctx)
	bar.finish()
	if ctx.Err() != nil {
		return
	}
	printWarnings(stderr, cat, warned)
	if err != nil {
		fmt.Fprintf(stderr, "wsreplay: warning: %s; serving the sessions before it\n", printable(err.Error()))
		return
	}
	say(stderr, "indexed "+plural(len(cat.Sessions()), "session"), "indexed", "sessions", len(cat.Sessions()))
	if listed == 0 {
		printSessions(c, cat, only, false)
	}
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

// printSessions lists the first sessions to serve, and returns how many it
// listed.
func printSessions(c *cli.Context, cat *replayer.Catalog, only []string, indexing bool) int {
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
			say(c.App.ErrWriter, fmt.Sprintf("  session %s  %s  recorded %s", printable(s.ID), printable(url), s.Start.Format(time.RFC3339)),
				"session", "session", printable(s.ID), "url", printable(url), "start", s.Start.Format(time.RFC3339))
		}
	}
	switch {
	case n > most && indexing:
		fmt.Fprintf(c.App.ErrWriter, "  ... and %d more so far (still indexing)\n", n-most)
	case n > most:
		fmt.Fprintf(c.App.ErrWriter, "  ... and %d more\n", n-most)
	case n == 0 && indexing:
		fmt.Fprintln(c.App.ErrWriter, "  (still indexing: the sessions are listed when it ends)")
	case indexing:
		fmt.Fprintln(c.App.ErrWriter, "  ... and more to come (still indexing)")
	}
	return min(n, most)
}

// warnExposure warns of what lets others read the recordings: a listener
// beyond loopback, and --allow-origin '*' or null.
func warnExposure(stderr io.Writer, srv *replayer.Server, addr net.Addr) {
	for _, o := range srv.AllowOrigins {
		switch o {
		case "*":
			fmt.Fprintln(stderr, "wsreplay: warning: --allow-origin '*': any web page you visit can read the recordings being served")
		case "null":
			fmt.Fprintln(stderr, "wsreplay: warning: --allow-origin null: file:// pages, and sandboxed frames on any site, can read the recordings being served")
		}
	}
	if !isLoopback(addr) {
		fmt.Fprintf(stderr, "wsreplay: warning: %s is reachable from other machines; the recordings may hold private data\n", addr)
	}
}

// serveStatus returns the status line of a replay server: replays open and
// messages sent since the last line, while there is something to say.
func serveStatus(log *slog.Logger, srv *replayer.Server) func() {
	var last replayer.Stats
	return func() {
		st := srv.Stats()
		if sent := st.Sent - last.Sent; st.Open > 0 || sent > 0 {
			log.Info("status", "open", st.Open, "sent_messages", sent, "sent_bytes", st.SentBytes-last.SentBytes,
				"received_messages", st.Received-last.Received)
		}
		last = st
	}
}
