package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/driver"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/s3store"
	"github.com/wsreplay/wsreplay/recorder"
)

func driveCommand() *cli.Command {
	return &cli.Command{
		Name:      "drive",
		Usage:     "play recordings' client half against a server and compare its answers",
		ArgsUsage: "--target URL RECORDING...",
		Description: `Opens each recorded session against --target with its recorded path,
query, subprotocol and headers (hop-by-hop ones and redacted values left
out; --header gives a value), and sends the client's messages: each one
when the server message it followed in the recording has arrived, its
recorded gap after it (the k-th server message, in order; --timeout
bounds the wait), or with --clock at its recorded offset. --speed scales
both. Socket.IO sessions are driven as the client library does: the
polling handshake, then the upgrade if the recording shows one (or a
WebSocket from the start, as recorded); pings are answered live. An
event stream is one GET whose events are the server's messages; a
poller's requests are made in turn, each response a server message. The
server's own heartbeats are neither waited for nor counted. Ids the
server chose (a session id, a subscription id) and the client sent back
are followed: the live server's values go into the client's later
messages. Ids the client chose are sent as recorded.

What the target answered is compared with the recorded server half as
diff compares (Socket.IO by meaning, --ignore paths, the server's ids
matched); --out records it, in the format record writes. RECORDING is
what ls takes: files, directories, s3:// and http:// URLs.

What drive writes and prints is redacted as record redacts its
recordings: credential headers and query parameters, the tokens a
bootstrap hands out (SignalR's connectionToken), and what the --redact-*
flags name. The target's answers are redacted before they are compared,
so a value the recording holds as [redacted] compares equal.

Load: --concurrency sessions at once, each recording played --repeat
times or for --duration, the workers started over --ramp-up. The report
gives connections, errors, answer latency (a client message to the
server's next message) against the recorded latency, messages per
second and differences; --json prints it as JSON.

Exit status: 0 every answer equal, 1 a difference, 2 an error (the
target unreachable, a bad recording).

Example:
   wsreplay drive --target ws://localhost:3000 checkout.ndjson.zst
   wsreplay drive --target ws://staging:3000 rec/ --ignore '$..ts' --out answers.ndjson
   wsreplay drive --target ws://localhost:3000 rec/ --concurrency 200 --duration 1m --ramp-up 10s --json`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "target", Usage: "the server to play against, a ws://, wss://, http:// or https:// `URL` (its path prefixes the recorded ones)"},
			&cli.StringSliceFlag{Name: "header", Usage: "send this header (`NAME: VALUE`, repeatable) in place of the recorded one"},
			&cli.StringSliceFlag{Name: "session", Usage: "play only this session `ID` (repeatable)"},
			&cli.BoolFlag{Name: "clock", Usage: "send each client message at its recorded offset, not when the server message it followed has arrived"},
			&cli.StringFlag{Name: "speed", Value: "1", Usage: "time scale `X` from 0.001 to 1000 (2 is twice as fast); 0 or max sends without waiting"},
			&cli.StringFlag{Name: "timeout", Value: "10s", Usage: "wait at most `D` for a server message before sending on, and for the rest at the end"},
			&cli.StringFlag{Name: "out", Usage: "record what the target answered: FILE.ndjson[.gz|.zst], or a `DIR` for one file per session"},
		}, append(redactFlags(), []cli.Flag{
			&cli.StringSliceFlag{Name: "ignore", Usage: "leave this JSON `PATH` out of the comparison (repeatable): $.ts, $..id"},
			&cli.StringFlag{Name: "time-tolerance", Usage: "also compare timing: answers may come `D` later or earlier than recorded (off by default)"},
			&cli.IntFlag{Name: "max", Value: 10, Usage: "show at most `N` differences of each session"},
			&cli.IntFlag{Name: "concurrency", Value: 1, Usage: "play `N` sessions at once"},
			&cli.IntFlag{Name: "repeat", Value: 1, Usage: "play each session `M` times"},
			&cli.StringFlag{Name: "duration", Usage: "keep playing the sessions in turn for `D` (in place of --repeat)"},
			&cli.StringFlag{Name: "ramp-up", Usage: "start the --concurrency workers evenly over `D`"},
			&cli.BoolFlag{Name: "json", Usage: "print the sessions and the report as one JSON object"},
		}...)...),
		Action: runDrive,
	}
}

// errAnswersDiffer ends a drive whose target answered otherwise than
// recorded: exit status 1.
var errAnswersDiffer = errors.New("the target's answers differ from the recording")

// errDriveFailed ends a drive whose runs met errors: exit status 2.
var errDriveFailed = errors.New("some sessions could not be played")

func runDrive(c *cli.Context) error {
	d, load, err := driverOptions(c)
	if err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usagef("drive: name the recordings to play (files, directories, s3:// or http:// URLs)")
	}
	scripts, err := loadScripts(c)
	if err != nil {
		return usageError{err}
	}
	var sink *recorder.FileSink
	if out := c.String("out"); out != "" {
		if sink, err = openDriveSink(out); err != nil {
			return err
		}
		d.Out = sink
	}
	rep, sums := playAll(c, d, scripts, load)
	if n := sums.unredacted; n > 0 {
		fmt.Fprintf(c.App.ErrWriter, "wsreplay: warning: %s named a --redact-json field but could not be parsed: written unchanged, as record writes them\n", plural(n, "message"))
	}
	if sink != nil {
		if err := sink.Close(); err != nil {
			return usagef("--out: %v", err)
		}
	}
	if c.Context.Err() != nil {
		return errInterrupted
	}
	if c.Bool("json") {
		err = json.NewEncoder(c.App.Writer).Encode(map[string]any{"sessions": sums.list, "report": rep})
	} else if err = sums.writeText(c.App.Writer); err == nil {
		err = rep.WriteText(c.App.Writer)
	}
	switch {
	case err != nil:
		return err
	case rep.Errors > 0:
		return usageError{errDriveFailed}
	case rep.Different > 0:
		return errAnswersDiffer
	}
	return nil
}

// playAll runs the load with a progress bar on a terminal, and sums up
// each session's runs.
func playAll(c *cli.Context, d *driver.Driver, scripts []*driver.Script, load driver.Load) (*driver.Report, *driveSummaries) {
	sums := newDriveSummaries(scripts, d.Redactor)
	bar := newProgress(c, progressTotal(load, len(scripts)), "drive")
	rep := d.RunLoad(c.Context, scripts, load, func(r *driver.Result) {
		sums.add(r)
		bar.add(1)
	})
	bar.finish()
	return rep, sums
}

func progressTotal(l driver.Load, sessions int) int {
	if l.Duration > 0 {
		return -1
	}
	return max(l.Repeat, 1) * sessions
}

// driverOptions maps the flags onto a Driver and a Load.
func driverOptions(c *cli.Context) (*driver.Driver, driver.Load, error) {
	var l driver.Load
	target := c.String("target")
	if target == "" {
		return nil, l, usagef("--target: name the server to play against (ws://HOST:PORT)")
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || !strings.Contains("ws wss http https", u.Scheme) || u.Scheme == "" {
		return nil, l, usagef("--target: %q is not a ws://, wss://, http:// or https:// URL", redactURL(target))
	}
	red, err := redactionOptions(c)
	if err != nil {
		return nil, l, err
	}
	d := &driver.Driver{Target: u, Clock: c.Bool("clock"), Redactor: &recorder.Redactor{Redaction: red}}
	if u.RawQuery != "" || u.ForceQuery || strings.Contains(target, "#") {
		// Each session is opened with its recorded query: one of the
		// target's own would have to be merged into it, parameter by
		// parameter, in ways a server may read otherwise.
		shown := *u
		shown.Fragment, shown.RawFragment = "", "" // it may hold a secret too
		return nil, l, usagef("--target: %q has a query or a fragment; give the server's URL, with a path prefix if need be (each session is opened with its recorded query)", d.Redactor.URL(&shown))
	}
	if d.Speed, err = parseSpeed(c.String("speed")); err != nil {
		return nil, l, err
	}
	if d.Timeout, err = durationFlag(c, "timeout"); err != nil {
		return nil, l, err
	}
	if d.Timeout <= 0 {
		return nil, l, usagef("--timeout: must be more than 0")
	}
	if d.Header, err = headerFlags(c.StringSlice("header")); err != nil {
		return nil, l, err
	}
	if d.Compare, err = driveCompareOptions(c); err != nil {
		return nil, l, err
	}
	l = driver.Load{Concurrency: c.Int("concurrency"), Repeat: c.Int("repeat")}
	if l.Concurrency < 1 || l.Concurrency > 100000 {
		return nil, l, usagef("--concurrency: %d is not between 1 and 100000", l.Concurrency)
	}
	if l.Repeat < 1 {
		return nil, l, usagef("--repeat: %d is not 1 or more", l.Repeat)
	}
	if l.Duration, err = durationFlag(c, "duration"); err != nil {
		return nil, l, err
	}
	if l.RampUp, err = durationFlag(c, "ramp-up"); err != nil {
		return nil, l, err
	}
	if c.IsSet("duration") && c.IsSet("repeat") {
		return nil, l, usagef("--duration and --repeat: give one of them")
	}
	if math.IsInf(d.Speed, 1) && d.Clock {
		d.Clock = false // every message at once either way
	}
	return d, l, nil
}

// headerFlags reads --header NAME: VALUE.
func headerFlags(vs []string) (http.Header, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	h := http.Header{}
	for _, v := range vs {
		name, value, ok := strings.Cut(v, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return nil, usagef("--header: %q is not NAME: VALUE", v)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// loadScripts reads every session of the recordings (those --session
// names, if given).
func loadScripts(c *cli.Context) ([]*driver.Script, error) {
	only := map[string]bool{}
	for _, id := range c.StringSlice("session") {
		only[id] = true
	}
	var scripts []*driver.Script
	err := eachRecording(c.Context, c.Args().Slice(), c.App.ErrWriter, func(rec *recording) error {
		got, err := driver.LoadScripts(rec, rec.name)
		for _, s := range got {
			if len(only) == 0 || only[s.Open.Session] {
				scripts = append(scripts, s)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(scripts) == 0 {
		if len(only) > 0 {
			return nil, fmt.Errorf("--session: no such session in %s", strings.Join(c.Args().Slice(), ", "))
		}
		return nil, fmt.Errorf("%s: no sessions to play", strings.Join(c.Args().Slice(), ", "))
	}
	return scripts, nil
}

// openDriveSink opens --out as record opens it (a file or a directory;
// not s3://, which record reaches through a spool).
func openDriveSink(out string) (*recorder.FileSink, error) {
	if s3store.IsURL(out) || isHTTPURL(out) {
		return nil, usagef("--out: %q: drive records to a file or a directory (copy it to the store afterwards)", out)
	}
	toFile, err := outIsFile(out)
	if err != nil {
		return nil, err
	}
	var sink *recorder.FileSink
	if toFile {
		sink, err = recorder.NewFileSink(out, &recorder.QueueOptions{Compression: format.CompressionForName(out)})
	} else {
		sink, err = recorder.NewDirSink(out, nil)
	}
	if err != nil {
		return nil, usagef("--out: %v", err)
	}
	return sink, nil
}
