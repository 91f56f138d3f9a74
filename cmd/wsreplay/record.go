package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/metrics"
	"github.com/wsreplay/wsreplay/internal/s3store"
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
every session to one file; --out s3://BUCKET/PREFIX writes them to --spool
and uploads each to PREFIX/YYYY/MM/DD/HH/<UTC start>_<id>.ndjson.zst when it
ends (and a running one every --upload-interval), with its summary as
metadata; credentials and region as the AWS CLI takes them.

Cookies, Authorization headers and credential-like query parameters are
redacted in the recording, never in the traffic.

record --browser [URL] records from a Chromium instead, with no proxy: it
starts one (a window; --headless for none) on a fresh temporary profile
and records every WebSocket, event stream, Engine.IO polling exchange and
--poll exchange of its tabs and workers into the same files, with the same
redaction. record --attach ws://127.0.0.1:9222 records from a Chromium you
started with --remote-debugging-port=9222, until Ctrl-C or it closes.

Examples:
   wsreplay record --upstream ws://localhost:3000 --out recordings
   wsreplay record --upstream wss://staging.example/api --listen 0.0.0.0:8080 \
       --out /var/lib/wsreplay --redact-json password --redact-header X-Api-Key
   wsreplay record --upstream ws://localhost:3000 --out session.ndjson
   wsreplay record --browser http://localhost:5173/ --out recordings
   AWS_PROFILE=staging wsreplay record --upstream ws://backend:3000 \
       --out s3://team-recordings/staging --spool /var/lib/wsreplay-spool`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "upstream", Usage: "the backend's `URL`, ws:// or wss://, optionally with a path prefix (required, unless --browser or --attach)"},
			&cli.StringFlag{Name: "listen", Value: "127.0.0.1:8080", Usage: "`HOST:PORT` to listen on (port 0 picks a free one)"},
			&cli.StringFlag{Name: "out", Value: "recordings", Usage: "a `DIR` for one file per session, a FILE.ndjson[.gz|.zst] for all, or s3://BUCKET/PREFIX"},
			&cli.StringFlag{Name: "compress", Value: "zstd", Usage: "`COMPRESSION` of the files in --out DIR: none, gzip or zstd"},
			&cli.StringFlag{Name: "max-message-size", Value: "64MiB", Usage: "largest message relayed, `SIZE` in bytes or with KiB/MiB/GiB (at most 128MiB)"},
			&cli.IntFlag{Name: "max-open-files", Usage: "with --out DIR: session files open at once, `N` (one per running session); past it new sessions are relayed unrecorded and counted (default: a quarter of the process's open-file limit)"},
			&cli.StringFlag{Name: "partial-budget", Value: "256MiB", Usage: "memory that messages still being received may hold together, `SIZE`; past it a message is relayed but not recorded (counted as lost)"},
			&cli.StringFlag{Name: "flush-interval", Value: "1s", Usage: "write recorded lines out at least every `D` (what a crash can lose)"},
			&cli.StringFlag{Name: "handshake-timeout", Value: "10s", Usage: "give up on an upstream handshake after `D` (the client gets 504)"},
			&cli.StringFlag{Name: "idle-timeout", Value: "75s", Usage: "close a client's idle keep-alive HTTP connection after `D` (as nginx does; WebSockets are not affected)"},
		}, append(redactFlags(), append([]cli.Flag{
			&cli.StringFlag{Name: "protocol", Usage: "name `NAME` on every WebSocket session line as its protocol (none for none), in place of the one its upgrade shows"},
			&cli.BoolFlag{Name: "no-engineio", Usage: "do not detect Engine.IO (Socket.IO): relay its polling unrecorded and record each of its WebSockets as a session of its own"},
			&cli.BoolFlag{Name: "allow-shared-out", Usage: "write in an --out directory that other users may write in (they could swap or read the recordings)"},
			&cli.BoolFlag{Name: "insecure-upstream-tls", Usage: "do not verify the upstream's TLS certificate (staging)"},
			&cli.StringFlag{Name: "tls-cert", Usage: "listen with TLS: certificate `FILE` (PEM)"},
			&cli.StringFlag{Name: "tls-key", Usage: "listen with TLS: key `FILE` (PEM)"},
			&cli.StringSliceFlag{Name: "poll", Usage: "record the HTTP long-polling exchanges on this path, one session per poller (a `PATH`, or a prefix ending in *: /api/poll*; repeatable)"},
			&cli.StringFlag{Name: "poll-idle", Value: "30s", Usage: "a poller's session ends when it has sent no request for `D` since its last answer"},
			&cli.StringSliceFlag{Name: "record-path", Usage: "record only connections whose path matches this `GLOB` (/live/*; repeatable)"},
			&cli.StringSliceFlag{Name: "record-header", Usage: "record only connections that carry this header, `NAME[=VALUE]` (repeatable; with --record-cookie, either will do)"},
			&cli.StringSliceFlag{Name: "record-cookie", Usage: "record only connections that carry this cookie, `NAME[=VALUE]` (repeatable)"},
			&cli.StringFlag{Name: "sample", Usage: "record this fraction `RATE` of the connections that pass the filters, 0 < RATE <= 1"},
			&cli.StringFlag{Name: "max-age", Usage: "with --out DIR: delete finished session files older than `D`"},
			&cli.StringFlag{Name: "max-size", Usage: "with --out DIR: delete the oldest finished session files while all of them pass `SIZE`"},
			&cli.StringFlag{Name: "min-free", Usage: "with --out DIR: below `SIZE` free on its disk, relay new sessions unrecorded"},
		}, append(recordS3Flags(), append(faultFlags("; on live traffic, only when given, recorded as fault lines"), append(adminFlags(), append(recordBrowserFlags(), recordingsFlag())...)...)...)...)...)...),
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
	if browserMode(c) {
		return runRecordBrowser(c) // record_browser.go
	}
	if c.NArg() > 0 {
		return usagef("record takes no arguments (got %q); did you mean --out %s?", c.Args().First(), c.Args().First())
	}
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	p, err := recordOptions(c, log)
	if err != nil {
		return err
	}
	to, err := recordOut(c, log)
	if err != nil {
		return err
	}
	served, err := recordingsDir(c, to.out, to.toFile, to.up != nil)
	if err != nil {
		return err
	}
	idle, err := idleTimeout(c)
	if err != nil {
		return err
	}
	sink, ret, err := openSink(c, log, to.out, to.toFile, p.MaxMessageSize)
	if err != nil {
		return err
	}
	defer sink.Close()
	p.Sink = sink
	if ret != nil {
		p.Room = ret.Room
	}
	ready := &readiness{check: func() error { return writable(to.out, to.toFile) }}
	collector := metrics.Recorder{Proxy: p, Sink: sink, Retention: ret}
	if to.up != nil {
		to.up.start(c.Context)
		collector.Uploader = to.up.u
	}
	var adminFaults []*recorder.Faults
	if c.String("admin") != "" {
		adminFaults = append(adminFaults, p.Faults)
	}
	stopAdmin, err := startAdmin(c, log, ready, collector, served, adminFaults...)
	if err != nil {
		return err
	}
	defer stopAdmin()
	return proxyUntilDone(c, log, p, recordRun{ready: ready, sink: sink, to: to, ret: ret, idle: idle})
}

// finishRecord closes the sink, uploads what is left, reports the counts
// and says what went wrong at shutdown (perr, from the proxy).
func finishRecord(stderr io.Writer, sink *recorder.FileSink, to recordTarget, p *recorder.Proxy, perr error) error {
	serr := to.closeSink(stderr, sink)
	reportCounts(stderr, sink.Counts(), p.Stats())
	if err := errors.Join(perr, serr); err != nil {
		return fmt.Errorf("shutdown: %v", err)
	}
	return nil
}

// announce says where record listens and where it records.
func announce(stderr io.Writer, l net.Listener, scheme string, p *recorder.Proxy, up *upload, out string) {
	addr, note := clientAddr(l.Addr())
	url := scheme + "://" + addr
	attrs := []any{"url", url, "upstream", p.Upstream.String()}
	if note != "" {
		attrs = append(attrs, "note", strings.TrimSuffix(strings.TrimPrefix(note, " ("), ")"))
	}
	say(stderr, fmt.Sprintf("listening on %s -> %s%s", url, p.Upstream, note), "listening", attrs...)
	if up != nil {
		say(stderr, fmt.Sprintf("recording to %s (spooling to %s)", up.u.Dest, out), "recording", "to", up.u.Dest, "spool", out)
	} else {
		say(stderr, "recording to "+out, "recording", "to", out)
	}
}

// recordTarget is where record writes, from --out: out is the directory or
// file the sink writes (for --out s3://, the spool), toFile tells which, and
// up is the upload of an --out s3:// (nil otherwise).
type recordTarget struct {
	out    string
	toFile bool
	up     *upload
}

// recordOut reads --out: where sessions are written, or for --out s3://
// the spool, with its upload.
func recordOut(c *cli.Context, log *slog.Logger) (recordTarget, error) {
	out := c.String("out")
	if !s3store.IsURL(out) {
		toFile, err := outIsFile(out)
		return recordTarget{out: out, toFile: toFile}, err
	}
	if c.String("max-age") != "" || c.String("max-size") != "" {
		return recordTarget{}, hinted{usagef("--max-age and --max-size do not apply to --out s3:// (the spool holds what is not uploaded yet)"),
			"give the bucket a lifecycle rule to expire old recordings"}
	}
	up, err := openUpload(c, log, out)
	if err != nil {
		return recordTarget{}, err
	}
	toFile, err := outIsFile(up.u.Dir)
	return recordTarget{out: up.u.Dir, toFile: toFile, up: up}, err
}

// closeSink closes sink, then uploads what is left of an s3:// target. It
// returns the sink's error: what could not be uploaded is kept for the next
// run, said on stderr, not a failure of this one.
func (t recordTarget) closeSink(stderr io.Writer, sink *recorder.FileSink) error {
	serr := sink.Close()
	if t.up != nil {
		if err := t.up.finish(30 * time.Second); err != nil {
			fmt.Fprintf(stderr, "wsreplay: warning: %s\n", printable(err.Error()))
		}
	}
	return serr
}

// idleTimeout reads --idle-timeout, which must be more than 0.
func idleTimeout(c *cli.Context) (time.Duration, error) {
	idle, err := durationFlag(c, "idle-timeout")
	if err == nil && idle <= 0 {
		err = usagef("--idle-timeout: must be more than 0 (idle connections would be kept forever)")
	}
	return idle, err
}

// startRetention runs ret's sweeps, if ret is not nil, until ctx ends or the
// function it returns is called; that function waits for the last sweep.
func startRetention(ctx context.Context, ret *recorder.Retention) (stop func()) {
	if ret == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); ret.Run(ctx) }()
	return func() { cancel(); <-swept }
}

// recordOptions maps the flags onto a recorder.Proxy (without its Sink).
func recordOptions(c *cli.Context, log *slog.Logger) (*recorder.Proxy, error) {
	if c.String("upstream") == "" {
		return nil, usagef("record: --upstream is required: the backend's ws:// or wss:// URL")
	}
	up, err := parseUpstream(c.String("upstream"))
	if err != nil {
		return nil, err
	}
	maxSize, err := parseSize("max-message-size", c.String("max-message-size"))
	if err != nil {
		return nil, err
	}
	if maxSize > format.MaxMessageSize {
		return nil, usagef("--max-message-size: %s is over 128MiB, the largest message a recording holds", c.String("max-message-size"))
	}
	budget, err := parseSize("partial-budget", c.String("partial-budget"))
	if err != nil {
		return nil, err
	}
	handshake, err := durationFlag(c, "handshake-timeout")
	if err != nil {
		return nil, err
	}
	red, err := redactionOptions(c)
	if err != nil {
		return nil, err
	}
	filter, err := filterOptions(c)
	if err != nil {
		return nil, err
	}
	polls, pollIdle, err := pollOptions(c)
	if err != nil {
		return nil, err
	}
	proto, err := parseProtocol(c.String("protocol"))
	if err != nil {
		return nil, err
	}
	p := &recorder.Proxy{Upstream: up, MaxMessageSize: maxSize, PartialBudget: budget, HandshakeTimeout: handshake,
		Logger: log, Redaction: red, Filter: filter, Poll: polls, PollIdle: pollIdle, NoEngineIO: c.Bool("no-engineio"), Protocol: proto}
	if c.Bool("insecure-upstream-tls") {
		p.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	// Faults only as asked: by flags, or later by the admin listener's
	// API (an empty Faults applies none).
	link, rules, err := faultOptions(c)
	if err != nil {
		return nil, err
	}
	if link != nil || len(rules) > 0 || c.String("admin") != "" {
		p.Faults = &recorder.Faults{}
		p.Faults.Set(link, rules)
	}
	return p, nil
}

// redactFlags are the flags redactionOptions maps: record's, and drive's
// for what it writes of a target's answers.
func redactFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "redact-header", Usage: "also redact this request or response `HEADER` (repeatable)"},
		&cli.StringSliceFlag{Name: "redact-query", Usage: "also redact this query `PARAM` (repeatable)"},
		&cli.StringSliceFlag{Name: "redact-json", Usage: "redact the value of this JSON `FIELD` inside messages, after a prefix (Socket.IO) or inside JSON strings too (repeatable)"},
		&cli.StringSliceFlag{Name: "redact-path", Usage: "redact what this `REGEX` matches in request paths, or its groups if it has any: '/ws/([^/]+)' (repeatable)"},
	}
}

// redactionOptions maps the --redact-* flags.
func redactionOptions(c *cli.Context) (recorder.Redaction, error) {
	var paths []*regexp.Regexp
	for _, expr := range c.StringSlice("redact-path") {
		re, err := regexp.Compile(expr)
		if err != nil {
			return recorder.Redaction{}, usagef("--redact-path: %q is not a regular expression: %v", expr, err)
		}
		paths = append(paths, re)
	}
	return recorder.Redaction{
		Headers:    c.StringSlice("redact-header"),
		Query:      c.StringSlice("redact-query"),
		JSONFields: c.StringSlice("redact-json"),
		Paths:      paths,
	}, nil
}

// filterOptions maps --record-path, --record-header, --record-cookie and
// --sample.
func filterOptions(c *cli.Context) (recorder.Filter, error) {
	f := recorder.Filter{Paths: c.StringSlice("record-path")}
	for _, g := range f.Paths {
		if _, err := path.Match(g, "/"); err != nil || !strings.HasPrefix(g, "/") {
			return f, usagef("--record-path: %q is not a path pattern (like /live/*)", g)
		}
	}
	for flag, dst := range map[string]*[]recorder.Match{"record-header": &f.Headers, "record-cookie": &f.Cookies} {
		for _, s := range c.StringSlice(flag) {
			m := recorder.ParseMatch(s)
			if m.Name == "" {
				return f, usagef("--%s: %q has no name (NAME or NAME=VALUE)", flag, s)
			}
			*dst = append(*dst, m)
		}
	}
	if s := c.String("sample"); s != "" {
		rate, err := strconv.ParseFloat(s, 64)
		if err != nil || !(rate > 0 && rate <= 1) {
			return f, usagef("--sample: %q is not a rate above 0 and at most 1 (0.1 records one connection in ten)", s)
		}
		f.Sample = rate
	}
	return f, nil
}

// openSink opens --out, and the Retention of --out DIR if a limit is set.
func openSink(c *cli.Context, log *slog.Logger, out string, toFile bool, maxSize int64) (*recorder.FileSink, *recorder.Retention, error) {
	flushEvery, err := durationFlag(c, "flush-interval")
	if err != nil {
		return nil, nil, err
	}
	comp, err := format.ParseCompression(c.String("compress"))
	if err != nil {
		return nil, nil, usagef("--compress: %v", err)
	}
	ret, err := retentionOptions(c, log)
	if err != nil {
		return nil, nil, err
	}
	// The queue holds two of the largest messages: one being written,
	// the next one coming. Below one, a message that size could never be
	// recorded, however idle the recorder.
	qopts := &recorder.QueueOptions{FlushInterval: flushEvery, Compression: comp, Logger: log,
		AllowSharedDir: c.Bool("allow-shared-out"), MaxQueueBytes: max(64<<20, 2*maxSize), MaxOpenFiles: c.Int("max-open-files")}
	if qopts.MaxOpenFiles < 0 {
		return nil, nil, usagef("--max-open-files: must be 0 or more (got %d)", qopts.MaxOpenFiles)
	}
	if qopts.AllowSharedDir {
		log.Warn("--allow-shared-out: recording in a directory that other users may write in")
	}
	var sink *recorder.FileSink
	if toFile {
		if ret != nil {
			return nil, nil, usagef("--max-age, --max-size and --min-free need --out DIR, not a file")
		}
		sink, err = recorder.NewFileSink(out, qopts)
	} else {
		sink, err = recorder.NewDirSink(out, qopts)
	}
	flag := "--out"
	if s3store.IsURL(c.String("out")) {
		flag = "--spool" // out is the spool
	}
	if errors.Is(err, recorder.ErrSharedDir) {
		return nil, nil, hinted{fmt.Errorf("%s: %v", flag, err), "choose a private directory, or add --allow-shared-out if you trust every user of this machine"}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", flag, err)
	}
	if ret != nil {
		ret.Dir = out
	}
	return sink, ret, nil
}

// outIsFile tells what --out names: a recording file (.ndjson, .ndjson.gz,
// .ndjson.zst), or a directory. A name with another extension that is no
// existing directory is refused: "--out bug.har" must not quietly become a
// directory named bug.har.
func outIsFile(out string) (bool, error) {
	if _, ok := format.FinishedExt(strings.ToLower(out)); ok {
		return true, nil
	}
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return false, nil
	}
	if ext := filepath.Ext(out); ext != "" {
		hint := "name a directory (without an extension) for one file per session, or FILE.ndjson[.gz|.zst] for one file"
		if strings.EqualFold(ext, ".har") {
			hint = "record writes wsreplay NDJSON: record to bug.ndjson, then wsreplay convert bug.ndjson bug.har"
		}
		return false, hinted{usagef("--out: %q is neither a recording file (.ndjson, .ndjson.gz or .ndjson.zst) nor a directory", out), hint}
	}
	return false, nil
}

// retentionOptions maps --max-age, --max-size and --min-free; nil if none.
func retentionOptions(c *cli.Context, log *slog.Logger) (*recorder.Retention, error) {
	r := &recorder.Retention{Logger: log}
	var err error
	if r.MaxAge, err = durationFlag(c, "max-age"); err != nil {
		return nil, err
	}
	for flag, dst := range map[string]*int64{"max-size": &r.MaxSize, "min-free": &r.MinFree} {
		if s := c.String(flag); s != "" {
			if *dst, err = parseSize(flag, s); err != nil {
				return nil, err
			}
		}
	}
	if r.MaxAge == 0 && r.MaxSize == 0 && r.MinFree == 0 {
		return nil, nil
	}
	return r, nil
}

// recordListener listens on --listen, with TLS if --tls-cert is given.
func recordListener(c *cli.Context) (net.Listener, string, error) {
	certFile, keyFile := c.String("tls-cert"), c.String("tls-key")
	if (certFile == "") != (keyFile == "") {
		return nil, "", usagef("--tls-cert and --tls-key go together")
	}
	var cert tls.Certificate
	if certFile != "" {
		var err error
		if cert, err = tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return nil, "", fmt.Errorf("--tls-cert/--tls-key: %v", err)
		}
	}
	l, err := listen(c.String("listen"))
	if err != nil {
		return nil, "", err
	}
	if certFile == "" {
		return l, "ws", nil
	}
	return tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}}), "wss", nil
}

// recordStatus returns the status line of a recorder: what changed since
// the last one, logged while sessions are open or there was traffic.
func recordStatus(log *slog.Logger, p *recorder.Proxy) func() {
	var last recorder.ProxyStats
	return func() {
		st := p.Stats()
		msgs, bytes := st.RecordedMessages-last.RecordedMessages, st.RecordedBytes-last.RecordedBytes
		if st.Open > 0 || msgs > 0 || st.Lost != last.Lost {
			log.Info("status", "open", st.Open, "recorded_messages", msgs, "recorded_bytes", bytes,
				"lines_lost", st.Lost-last.Lost, "lines_lost_total", st.Lost)
		}
		last = st
	}
}

// reportCounts says at exit what was recorded, and what was relayed without
// being recorded (the log says why, session by session).
func reportCounts(w io.Writer, st recorder.SessionCounts, ps recorder.ProxyStats) {
	var left int64
	for _, n := range ps.Unrecorded {
		left += n
	}
	text := fmt.Sprintf("recorded %d of %d sessions", st.Sessions-st.Unrecorded, st.Sessions)
	if failed := st.Unrecorded - st.OverLimit; failed > 0 {
		text += fmt.Sprintf("; %d relayed but not recorded: their files could not be created (out of file descriptors? see docs/record.md, \"File descriptors\")", failed)
	}
	if st.OverLimit > 0 {
		text += fmt.Sprintf("; %d relayed but not recorded: the files open for recording held --max-open-files", st.OverLimit)
	}
	if left > 0 {
		text += fmt.Sprintf("; %d more relayed unrecorded by --record-*, --sample or --min-free", left)
	}
	if st.LinesLost > 0 {
		text += fmt.Sprintf("; %d lines lost", st.LinesLost)
	}
	say(w, text, "recorded", "recorded", st.Sessions-st.Unrecorded, "sessions", st.Sessions,
		"no_file", st.Unrecorded, "over_file_limit", st.OverLimit, "left_out", left, "lines_lost", st.LinesLost)
}

// recordRun is what runRecord has set up for the proxy's run: the readiness
// the admin listener reports, the sink and its uploader and retention, the
// output and its upload, and the idle timeout of plain HTTP connections.
type recordRun struct {
	ready *readiness
	sink  *recorder.FileSink
	to    recordTarget
	ret   *recorder.Retention
	idle  time.Duration
}

// proxyUntilDone listens, announces, serves the proxy until Ctrl-C or the
// context ends, then shuts it down and finishes the files.
func proxyUntilDone(c *cli.Context, log *slog.Logger, p *recorder.Proxy, r recordRun) error {
	ready, sink, to, ret, idle := r.ready, r.sink, r.to, r.ret, r.idle
	l, scheme, err := recordListener(c)
	if err != nil {
		return err
	}
	stderr := c.App.ErrWriter
	ready.listening.Store(true) // bound: ready from the line that says so on, as serve is
	announce(stderr, l, scheme, p, to.up, to.out)

	defer startRetention(c.Context, ret)()
	stopStatus, err := logStatus(c, recordStatus(log, p))
	if err != nil {
		return err
	}
	defer stopStatus()
	// IdleTimeout: without it a keep-alive connection left idle after a
	// plain HTTP request is kept forever. A WebSocket is hijacked and is
	// not subject to it.
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idle}
	var perr error
	err = serveUntilDone(c.Context, hs, l, ready, 15*time.Second, func(ctx context.Context) {
		say(stderr, "shutting down: closing every session with 1001 and finishing the files",
			"shutting down", "closing", "every session with 1001", "then", "finishing the files")
		perr = p.Shutdown(ctx)
	})
	if err != nil {
		return err
	}
	return finishRecord(stderr, sink, to, p, perr)
}
