package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/readable"
	"github.com/wsreplay/wsreplay/internal/s3store"
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the sessions in recordings",
		ArgsUsage: "PATH...",
		Description: `Lists one row per recorded session: id, kind (websocket; sse, an event
stream; poll, a poller's long-polling exchanges), start, path, duration,
messages sent and received, payload bytes, and how it ended (1000 clean,
1006 drop, open).

PATH is a recording (wsreplay NDJSON, plain, gzip or zstd, or a HAR
file), a directory (the recordings in it and below it: *.ndjson,
*.ndjson.gz, *.ndjson.zst, *.partial, *.har), - for standard input,
s3://BUCKET/PREFIX[/KEY]: objects are listed from their keys and the
summaries record stored with them, without downloading them, or
http://HOST:PORT/recordings/[NAME], what record --admin-recordings serves
(the finished recordings of its listing, or one file).

Example:
   wsreplay ls /var/lib/wsreplay
   wsreplay ls --json bug.ndjson.zst | jq .session
   wsreplay ls s3://recordings/staging --since 2h
   wsreplay ls http://127.0.0.1:9091/recordings/   # after kubectl port-forward`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per session"},
			&cli.StringFlag{Name: "since", Usage: "only sessions that started at or after `TIME` (RFC 3339, or a duration ago: 2h)"},
			&cli.StringFlag{Name: "until", Usage: "only sessions that started before `TIME` (RFC 3339, or a duration ago)"},
		},
		Action: runLs,
	}
}

// lsRow is the --json form of a session.
type lsRow struct {
	Session     string    `json:"session"`
	Kind        string    `json:"kind"`
	File        string    `json:"file"`
	Start       time.Time `json:"start"`
	URL         string    `json:"url"`
	Subprotocol string    `json:"subprotocol,omitempty"`
	Protocol    string    `json:"protocol,omitempty"`
	Transport   string    `json:"transport,omitempty"`
	DurationMS  float64   `json:"duration_ms"`
	Sent        int       `json:"sent"`
	Received    int       `json:"received"`
	Bytes       int64     `json:"bytes"`
	Ending      string    `json:"ending"`
	By          string    `json:"by,omitempty"`
	Code        int       `json:"code,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Clean       bool      `json:"clean,omitempty"`
	Lost        int64     `json:"lost,omitempty"`
}

func runLs(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("ls: name at least one recording file or directory (or - for standard input)")
	}
	w, err := lsWindow(c)
	if err != nil {
		return err
	}
	l := &lister{json: c.Bool("json"), out: c.App.Writer, window: w}
	l.start()
	var failed, inputs int
	for _, arg := range c.Args().Slice() {
		var f, n int
		if s3store.IsURL(arg) {
			f, n, err = lsS3(c, l, arg)
		} else {
			f, n, err = lsFiles(c, l, arg)
		}
		failed, inputs = failed+f, inputs+n
		if err != nil {
			return err
		}
	}
	if err := l.flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("ls: %d of %s could not be read", failed, plural(inputs, "file"))
	}
	return nil
}

// lsFiles lists the sessions of a file or directory (or "-"): how many of
// its files could not be read, and how many there were.
func lsFiles(c *cli.Context, l *lister, arg string) (failed, n int, err error) {
	files, err := expandPaths(c.Context, []string{arg})
	if err != nil {
		return 0, 0, err
	}
	stderr := c.App.ErrWriter
	bar := newProgress(c, len(files), "reading recordings")
	defer bar.finish()
	for _, file := range files {
		if c.Context.Err() != nil {
			return failed, len(files), errInterrupted
		}
		rows, err := lsRead(c, l, file)
		bar.add(1)
		if c.Context.Err() != nil {
			return failed, len(files), errInterrupted
		}
		// One broken file must not hide the others: report it and go on.
		if err != nil {
			bar.clear()
			fmt.Fprintf(stderr, "wsreplay: %s\n", printable(err.Error()))
			failed++
		}
		if rows == 0 && err == nil {
			bar.clear()
			fmt.Fprintf(stderr, "wsreplay: %s: no sessions\n", printable(displayName(file)))
		}
	}
	return failed, len(files), nil
}

// lsRead lists the sessions of one file by reading it. A session's row is
// made when its close line is read and let go: memory follows the sessions
// open at a time, not those of the file. It returns the rows made.
func lsRead(c *cli.Context, l *lister, file string) (int, error) {
	rows := 0
	z := format.NewEachSummary(func(s *format.Summary) error {
		rows++
		return l.add(displayName(file), s)
	})
	err := readRecording(c.Context, file, c.App.ErrWriter, nil, func(rec *recording) error {
		for {
			e, err := rec.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := z.Add(e); err != nil {
				return err
			}
		}
	})
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	return rows, err
}

// displayName is how an input is named in listings.
func displayName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// lister prints ls's table, or its JSON rows, through one buffer. The
// table is aligned in blocks of flushRows rows: one block in memory at a
// time, however many sessions a file holds.
type lister struct {
	json   bool
	window s3store.Window // sessions that started outside it are left out
	out    io.Writer
	buf    *bufio.Writer
	tw     *tabwriter.Writer
	enc    *json.Encoder
	rows   int
}

const flushRows = 1024

func (l *lister) start() {
	l.buf = bufio.NewWriterSize(l.out, 64<<10)
	if l.json {
		l.enc = json.NewEncoder(jsonSafeWriter{l.buf})
		return
	}
	l.tw = tabwriter.NewWriter(l.buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(l.tw, "SESSION\tKIND\tSTART\tPATH\tDURATION\tSENT\tRECV\tBYTES\tENDING\tFILE")
}

// lsKind is the KIND column: the session's kind, or, for SignalR, whose
// connection may be carried by any of three transports, "signalr" and the
// transport ("signalr negotiate" for its bootstrap).
func lsKind(s *format.Summary) string {
	switch {
	case s.Protocol != "signalr":
		return s.Kind.String()
	case s.Kind == format.KindPoll:
		return "signalr negotiate"
	case s.Transport != "":
		return "signalr " + s.Transport
	}
	return "signalr WebSockets"
}

func (l *lister) add(path string, s *format.Summary) error {
	if !l.window.Contains(s.Start) {
		return nil
	}
	if l.json {
		return l.enc.Encode(lsRow{Session: s.Session, Kind: s.Kind.String(), File: path, Start: s.Start, URL: s.URL,
			Subprotocol: s.Subprotocol, Protocol: s.Protocol, Transport: s.Transport, DurationMS: float64(s.Duration().Microseconds()) / 1000,
			Sent: s.Sent, Received: s.Received, Bytes: s.Bytes, Ending: s.Ending(),
			By: s.By, Code: s.Code, Reason: s.Reason, Clean: s.Clean, Lost: s.Lost})
	}
	ending := s.Ending()
	if s.Lost > 0 {
		ending += fmt.Sprintf(" (%d lost)", s.Lost)
	}
	fmt.Fprintf(l.tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", printable(s.Session), printable(lsKind(s)), s.Start.Format(time.RFC3339),
		printable(orDash(readable.URL(s.URL))), roundDuration(s.Duration()), s.Sent, s.Received, humanBytes(s.Bytes), printable(ending), printable(path))
	if l.rows++; l.rows%flushRows == 0 {
		return l.tw.Flush()
	}
	return nil
}

// flush writes out what waits.
func (l *lister) flush() error {
	var err error
	if l.tw != nil {
		err = l.tw.Flush()
	}
	return errors.Join(err, l.buf.Flush())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// roundDuration shortens a duration to a readable precision.
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func humanBytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
