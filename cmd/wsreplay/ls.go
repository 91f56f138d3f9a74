package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the sessions in recordings",
		ArgsUsage: "PATH...",
		Description: `Lists one row per recorded session: id, start, path, duration, messages
sent and received, payload bytes, and how it ended (1000 clean, 1006 drop,
open). PATH is a recording file or a directory of them.

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
		return usagef("ls: name at least one recording file or directory")
	}
	out := bufio.NewWriterSize(c.App.Writer, 64<<10) // tabwriter writes cell by cell
	defer out.Flush()
	enc := json.NewEncoder(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if !c.Bool("json") {
		fmt.Fprintln(tw, "SESSION\tSTART\tPATH\tDURATION\tSENT\tRECV\tBYTES\tENDING\tFILE")
	}
	files, err := expandPaths(c.Args().Slice())
	if err != nil {
		return err
	}
	failed := 0
	for _, file := range files {
		// One broken file must not hide the others: report it and go on.
		err := readRecording(file, c.App.ErrWriter, func(path string, r *format.Reader) error {
			// A session's row is printed when its close line is read, and
			// the table is written out every 1,024 rows: memory follows
			// the sessions open at a time, not those of the file.
			rows := 0
			return format.SummarizeEach(r, func(s *format.Summary) error {
				if c.Bool("json") {
					return enc.Encode(lsRow{Session: s.Session, File: path, Start: s.Start, URL: s.URL,
						Subprotocol: s.Subprotocol, DurationMS: float64(s.Duration().Microseconds()) / 1000,
						Sent: s.Sent, Received: s.Received, Bytes: s.Bytes, Ending: s.Ending(),
						By: s.By, Code: s.Code, Reason: s.Reason, Clean: s.Clean, Lost: s.Lost})
				}
				if rows++; rows%1024 == 0 {
					tw.Flush()
				}
				ending := s.Ending()
				if s.Lost > 0 {
					ending += fmt.Sprintf(" (%d lost)", s.Lost)
				}
				_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.Session, s.Start.Format(time.RFC3339),
					orDash(s.URL), roundDuration(s.Duration()), s.Sent, s.Received, humanBytes(s.Bytes), ending, path)
				return err
			})
		})
		if err != nil {
			tw.Flush()
			out.Flush()
			fmt.Fprintf(c.App.ErrWriter, "wsreplay: %v\n", err)
			failed++
		}
	}
	if err := errors.Join(tw.Flush(), out.Flush()); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("ls: %d of %d files could not be read", failed, len(files))
	}
	return nil
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
