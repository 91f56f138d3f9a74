package main

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/diff"
)

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two recordings (files or directories) message by message",
		ArgsUsage: "A B",
		Description: `Compares the sessions of A and B in both directions. A and B are what ls
takes: a file, a directory (its recordings and those below it), an s3://
prefix. Sessions pair by kind and path: the k-th session of A of a kind
(websocket, socketio, sse, poll) and a path (the query left out) with the
k-th of B of the same kind and path, each side's sessions in the order
they start. A session with no match is listed as only in A or only in B.
A side of one session is compared with the other's one, whatever their
paths.
--session compares one session of each instead: once for an id on both
sides, twice for A's then B's.

Messages are aligned by a longest common subsequence, so an inserted
message shows as one added message. Text messages that are JSON objects
or arrays are compared as JSON (key order ignored), other text and binary
byte for byte; endings (code, reason, clean or drop) too. Each kind is
compared by its meaning: an SSE event with its event type, id and retry;
a poll's request with its method and path, a response with its status;
a Socket.IO packet by type, namespace, ack id and its JSON (event name
and args), where the handshake's sid, pingInterval and pingTimeout and
Engine.IO's pings, pongs and probes are no difference. --ignore paths
reach into a Socket.IO packet's JSON ($[1].ts: the first argument's ts)
and the open packet's. Messages show as cat describes them.

Ids the client chose afresh in each recording (graphql operation ids,
JSON-RPC ids, Socket.IO ack ids, Phoenix refs, ...) compare equal,
matched as a replay matches them: the k-th request of a kind in A with
the k-th of that kind in B. This holds when both sessions speak the same
protocol (detected as serve and cat detect it): a request's ids, and the
server messages that echo them. When neither speaks a protocol wsreplay
knows, the ids are the values a client sent that came back in a server
message within the first --window messages of either side. The rest of
each message is compared as ever; --exact-ids compares ids as recorded.

Prints every difference in context, up to --max of them for each pair
of sessions, and counts of what was added, removed and changed (the
counts cover every message). Of several pairs, those that differ are
shown so, then a line for each pair. Exit status: 0 the same, 1
different, 2 bad input.

Memory is bounded by --window messages of each side (and a window-by-
window table while aligning) and the --max differences kept: never a
whole session.

Example:
   wsreplay diff before.ndjson.zst after.ndjson.zst --ignore '$.ts' --ignore '$..id'
   wsreplay diff a.ndjson b.ndjson --session 7f3a9c2e --session 91bc0d4a --time-tolerance 50ms
   wsreplay diff --json a.ndjson b.ndjson | jq .sessions[0].changed
   wsreplay diff rec1/ rec3/ --ignore '$..ts' --max 5`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "session", Usage: "compare this session `ID`: once for both sides, or twice, A's then B's"},
			&cli.StringSliceFlag{Name: "ignore", Usage: "leave this JSON `PATH` out of the comparison (repeatable): $.ts, $..id, $.list[*].x"},
			&cli.StringFlag{Name: "time-tolerance", Usage: "also compare timing: offsets of matched messages may differ by `D` (off by default)"},
			&cli.BoolFlag{Name: "exact-ids", Usage: "compare the ids the client chose (operation, request, ack ids) as recorded, not matched request by request"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			&cli.IntFlag{Name: "max", Value: diff.DefaultMax, Usage: "show at most `N` differences of each pair of sessions, with their context (the rest are counted)"},
			&cli.IntFlag{Name: "window", Value: diff.DefaultWindow, Usage: "messages of each side held to align a difference (`N`, bounds memory)"},
		},
		Action: runDiff,
	}
}

// maxDiffMax bounds --max: the differences shown hold their messages.
const maxDiffMax = 100000

// errDiffer ends a diff that found differences: exit status 1.
var errDiffer = errors.New("the recordings differ")

func runDiff(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("diff: name two recordings, A and B: files or directories (got %d)", c.NArg())
	}
	a, b := c.Args().Get(0), c.Args().Get(1)
	opts, err := diffOptions(c)
	if err != nil {
		return err
	}
	pairs, err := pairSessions(c, a, b)
	if err != nil {
		return usageError{err}
	}
	rep := &diffReport{A: a, B: b}
	for _, pr := range pairs {
		if pr.a == nil || pr.b == nil {
			rep.add(pr, nil)
			continue
		}
		res, err := compareSessions(pr.a.File, pr.a.Session, pr.b.File, pr.b.Session, opts)
		if err != nil {
			return usageError{err}
		}
		rep.add(pr, res)
	}
	if c.Bool("json") {
		err = rep.writeJSON(c.App.Writer)
	} else {
		err = rep.writeText(c.App.Writer)
	}
	if err != nil {
		return err
	}
	if !rep.Same {
		return errDiffer
	}
	return nil
}

// diffOptions reads --ignore, --time-tolerance, --window, --max and
// --exact-ids.
func diffOptions(c *cli.Context) (*diff.Options, error) {
	window := c.Int("window")
	if window < 2 || window > 65534 {
		return nil, usagef("--window: %d is not between 2 and 65534", window)
	}
	opts, err := compareFlags(c)
	if err != nil {
		return nil, err
	}
	opts.Window, opts.ExactIDs = window, c.Bool("exact-ids")
	d, err := durationFlag(c, "time-tolerance")
	if err != nil {
		return nil, err
	}
	if c.IsSet("time-tolerance") && d == 0 {
		d = 1 // --time-tolerance 0: offsets must match to the nanosecond
	}
	opts.TimeTolerance = d
	return opts, nil
}

// compareFlags reads the comparison flags diff and drive share, --max and
// --ignore, into new Options.
func compareFlags(c *cli.Context) (*diff.Options, error) {
	opts := &diff.Options{Max: c.Int("max")}
	if opts.Max < 1 || opts.Max > maxDiffMax {
		return nil, usagef("--max: %d is not between 1 and %d", opts.Max, maxDiffMax)
	}
	for _, s := range c.StringSlice("ignore") {
		p, err := diff.ParsePath(s)
		if err != nil {
			return nil, usagef("--ignore: %v", err)
		}
		opts.Ignore = append(opts.Ignore, p)
	}
	return opts, nil
}

func summarize(path string, stderr io.Writer) ([]*format.Summary, error) {
	var z format.Summarizer
	err := withRecording(path, stderr, func(r format.Stream) error {
		for {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			z.Add(e)
		}
	})
	return z.Summaries(), err
}

// withRecording is how diff and export read a file: readRecording's
// checks and warnings, in one place for the two of them.
func withRecording(path string, stderr io.Writer, fn func(r format.Stream) error) error {
	return readRecording(context.Background(), path, stderr, nil, func(rec *recording) error { return fn(rec) })
}

func findSession(path string, sums []*diffSession, id string) (*diffSession, error) {
	var ids []string
	for _, s := range sums {
		if s.Session == id {
			return s, nil
		}
		ids = append(ids, s.Session)
	}
	if len(ids) > 5 {
		ids = append(ids[:5], "... ("+strconv.Itoa(len(ids))+" in all)")
	}
	return nil, usagef("--session: %s has no session %q (it has %s)", path, printable(id), printable(strings.Join(ids, ", ")))
}

// compareSessions streams one session of each file through diff.Compare.
// Warnings (a truncated file) were given by the first pass.
func compareSessions(a, idA, b, idB string, opts *diff.Options) (*diff.Result, error) {
	var res *diff.Result
	err := withRecording(a, io.Discard, func(ra format.Stream) error {
		return withRecording(b, io.Discard, func(rb format.Stream) error {
			var err error
			res, err = diff.Compare(format.NewSessionReader(ra, idA), format.NewSessionReader(rb, idB), opts)
			return err
		})
	})
	return res, err
}
