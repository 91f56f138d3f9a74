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
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the sessions in recordings",
		ArgsUsage: "PATH...",
		Description: `Lists one row per recorded session: id, start, path, duration, messages
sent and received, payload bytes, and how it ended (1000 clean, 1006 drop,
open).

PATH is a recording (wsreplay NDJSON, plain, gzip or zstd, or a HAR
file), a directory (the recordings in it and below it: *.ndjson,
*.ndjson.gz, *.ndjson.zst, *.partial, *.har), or - for standard input.

Example:
   wsreplay ls /var/lib/wsreplay
   wsreplay ls --json bug.ndjson.zst | jq .session`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per session"},
		},
		Action: runLs,
	}
}

// lsRow is the --json form of a session.
type lsRow struct {
	Session     string    `json:"session"`
	File        string    `json:"file"`
	Start       time.Time `json:"start"`
	URL         string    `json:"url"`
	Kind        string    `json:"kind"`
	Subprotocol string    `json:"subprotocol,omitempty"`
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
	files, err := expandPaths(c.Args().Slice())
	if err != nil {
		return err
	}
	l := &lister{json: c.Bool("json"), out: c.App.Writer}
	l.start()
	failed := 0
	stderr := c.App.ErrWriter
	bar := newProgress(c, len(files), "reading recordings")
	for _, file := range files {
		if c.Context.Err() != nil {
			return errInterrupted
		}
		// One broken file must not hide the others: report it and go on.
		// A session's row is made when its close line is read and let go:
		// memory follows the sessions open at a time, not those of the
		// file. Errors go to stderr as they come.
		rows := 0
		z := format.NewEachSummary(func(s *format.Summary) error {
			rows++
			return l.add(displayName(file), s)
		})
		err := readRecording(c.Context, file, stderr, nil, func(rec *recording) error {
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
		bar.add(1)
		if c.Context.Err() != nil {
			return errInterrupted
		}
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
	bar.finish()
	if err := l.flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("ls: %d of %s could not be read", failed, plural(len(files), "file"))
	}
	return nil
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
	json bool
	out  io.Writer
	buf  *bufio.Writer
	tw   *tabwriter.Writer
	enc  *json.Encoder
	rows int
}

const flushRows = 1024

func (l *lister) start() {
	l.buf = bufio.NewWriterSize(l.out, 64<<10)
	if l.json {
		l.enc = json.NewEncoder(jsonSafeWriter{l.buf})
		return
	}
	l.tw = tabwriter.NewWriter(l.buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(l.tw, "SESSION\tSTART\tPATH\tKIND\tDURATION\tSENT\tRECV\tBYTES\tENDING\tFILE")
}

func (l *lister) add(path string, s *format.Summary) error {
	if l.json {
		return l.enc.Encode(lsRow{Session: s.Session, File: path, Start: s.Start, URL: s.URL, Kind: s.Kind.String(),
			Subprotocol: s.Subprotocol, DurationMS: float64(s.Duration().Microseconds()) / 1000,
			Sent: s.Sent, Received: s.Received, Bytes: s.Bytes, Ending: s.Ending(),
			By: s.By, Code: s.Code, Reason: s.Reason, Clean: s.Clean, Lost: s.Lost})
	}
	ending := s.Ending()
	if s.Lost > 0 {
		ending += fmt.Sprintf(" (%d lost)", s.Lost)
	}
	fmt.Fprintf(l.tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", printable(s.Session), s.Start.Format(time.RFC3339),
		printable(orDash(readable.URL(s.URL))), s.Kind.String(), roundDuration(s.Duration()), s.Sent, s.Received, humanBytes(s.Bytes), printable(ending), printable(path))
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
