package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
)

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "cut recordings, and convert between wsreplay NDJSON and HAR",
		ArgsUsage: "IN OUT",
		Description: `Reads IN (wsreplay NDJSON in any compression, or a HAR file from browser
DevTools, Playwright or mitmproxy) and writes OUT: wsreplay NDJSON,
compressed as its name says (.ndjson, .ndjson.gz, .ndjson.zst), or HAR 1.2
(.har) that Chrome DevTools can import. - is standard input or output.

--from and --to take an offset from each session's start (90s, 2m) or an
RFC 3339 time; a cut session starts at --from. HAR has no place for a close
that was a drop, nor for pings; everything else survives NDJSON -> HAR ->
NDJSON.

Examples:
   wsreplay convert staging.ndjson.zst bug.ndjson.zst --session 7f3a9c2e41b8d605 --from 2m --to 3m
   wsreplay convert bug.ndjson.zst bug.har
   wsreplay convert devtools-export.har session.ndjson`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "session", Usage: "keep only this session `ID` (repeatable)"},
			&cli.StringFlag{Name: "from", Usage: "keep lines from `D` into each session (or from an RFC 3339 time)"},
			&cli.StringFlag{Name: "to", Usage: "keep lines up to `D` into each session (or up to an RFC 3339 time)"},
			&cli.StringFlag{Name: "dir", Usage: "keep only messages going `send` or receive"},
			&cli.StringFlag{Name: "format", Usage: "write `ndjson` or har, whatever OUT's name says"},
		},
		Action: runConvert,
	}
}

// windowFlag reads --from or --to: an offset or an absolute time.
func windowFlag(c *cli.Context, name string) (time.Duration, time.Time, error) {
	s := c.String(name)
	if s == "" {
		return 0, time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return 0, t, nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return 0, time.Time{}, usagef("--%s: %q is not a duration (like 90s or 2m) or an RFC 3339 time", name, s)
	}
	return d, time.Time{}, nil
}

func runConvert(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("convert: want IN and OUT (got %d arguments)", c.NArg())
	}
	in, outPath := c.Args().Get(0), c.Args().Get(1)
	cut := format.Cut{Sessions: c.StringSlice("session")}
	var err error
	if cut.From, cut.FromTime, err = windowFlag(c, "from"); err != nil {
		return err
	}
	if cut.To, cut.ToTime, err = windowFlag(c, "to"); err != nil {
		return err
	}
	switch d := c.String("dir"); d {
	case "", "send", "receive":
		cut.Dir = format.Dir(d)
	default:
		return usagef("--dir: %q is not send or receive", d)
	}
	if in != "-" && outPath != "-" {
		if a, b := absPath(in), absPath(outPath); a == b {
			return usagef("convert: IN and OUT are the same file")
		}
	}

	src, name, err := openInput(in)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := newOutput(outPath, c.String("format"), c.App.Writer)
	if err != nil {
		return err
	}
	err = convertStream(src, name, format.NewCutter(cut), out, c.App.ErrWriter)
	if err == nil && len(out.sessions) == 0 && len(cut.Sessions) > 0 {
		err = hinted{fmt.Errorf("no session %v in %s", cut.Sessions, name), "wsreplay ls " + name + " lists the session ids"}
	}
	if cerr := out.close(err == nil); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if outPath != "-" {
		fmt.Fprintf(c.App.ErrWriter, "wrote %d sessions, %d messages to %s\n", len(out.sessions), out.messages, outPath)
	}
	return nil
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// openInput opens a named file or standard input ("-").
func openInput(path string) (io.ReadCloser, string, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), "stdin", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, fileError(path, err)
	}
	return f, path, nil
}

// convertStream reads a recording or HAR from src and writes what the cutter
// keeps to out.
func convertStream(src io.Reader, name string, cutter *format.Cutter, out *output, stderr io.Writer) error {
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(512)
	if format.IsHAR(head) {
		h, err := format.ReadHAR(br, name)
		if err != nil {
			return err
		}
		if h.Skipped > 0 {
			fmt.Fprintf(stderr, "wsreplay: warning: %s: skipped %d WebSocket entries without messages\n", name, h.Skipped)
		}
		if len(h.Events) == 0 {
			return fmt.Errorf("%s: no WebSocket messages in this HAR", name)
		}
		for _, e := range h.Events {
			for _, kept := range cutter.Apply(e) {
				if err := out.write(kept); err != nil {
					return err
				}
			}
		}
		return nil
	}
	r := format.NewReader(br, &format.ReaderOptions{Name: name})
	defer r.Close()
	for {
		e, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, format.ErrTruncated) {
			fmt.Fprintf(stderr, "wsreplay: warning: %v; converting the lines before it\n", err)
			return nil
		}
		if err != nil {
			return err
		}
		for _, kept := range cutter.Apply(e) {
			if err := out.write(kept); err != nil {
				return err
			}
		}
	}
}
