package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/wsreplay/wsreplay/format"
	"github.com/wsreplay/wsreplay/internal/sessionid"
)

func convertCommand() *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "cut recordings, and convert between wsreplay NDJSON and HAR",
		ArgsUsage: "IN... OUT",
		Description: `Reads IN (wsreplay NDJSON in any compression, or a HAR file from browser
DevTools, Playwright or mitmproxy) and writes OUT: wsreplay NDJSON,
compressed as its name says (.ndjson, .ndjson.gz, .ndjson.zst), or HAR 1.2
(.har) that Chrome DevTools can import, or an HTML timeline of one session
(.html): one self-contained, read-only page that works from file:// with
no network, to attach to a bug report. - is standard input or output.
IN may be several files and directories (their recordings and those below
them), s3://BUCKET/PREFIX[/KEY] URLs and http://HOST:PORT/recordings/[NAME]
URLs (record --admin-recordings); a session id found in two of them
is written the second time as ID~2. Filters that keep nothing are an error, and nothing is written.

--from and --to take an offset from each session's start (90s, 2m) or an
RFC 3339 time; a cut session starts at --from. HAR has no place for a close
that was a drop, nor for pings; everything else survives NDJSON -> HAR ->
NDJSON.

Examples:
   wsreplay convert staging.ndjson.zst bug.ndjson.zst --session 7f3a9c2e41b8d605 --from 2m --to 3m
   wsreplay convert bug.ndjson.zst bug.har
   wsreplay convert devtools-export.har session.ndjson
   wsreplay convert bug.ndjson.zst bug.html`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "session", Usage: "keep only this session `ID` (repeatable)"},
			&cli.StringFlag{Name: "from", Usage: "keep lines from `D` into each session (or from an RFC 3339 time)"},
			&cli.StringFlag{Name: "to", Usage: "keep lines up to `D` into each session (or up to an RFC 3339 time)"},
			&cli.StringFlag{Name: "dir", Usage: "keep only messages going in direction `DIR`: send (client to server) or receive (server to client)"},
			&cli.StringFlag{Name: "format", Usage: "write `FORMAT`: ndjson, har or html (default: as OUT's name says; ndjson for -)"},
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
	if c.NArg() < 2 {
		return usagef("convert: want IN and OUT (IN may be several files or directories; got %s)", plural(c.NArg(), "argument"))
	}
	args := c.Args().Slice()
	ins, outPath := args[:len(args)-1], args[len(args)-1]
	cut, err := cutFlags(c)
	if err != nil {
		return err
	}
	for _, in := range ins {
		if in != "-" && outPath != "-" && absPath(in) == absPath(outPath) {
			return usagef("convert: IN and OUT are the same file")
		}
	}
	files, err := expandPaths(c.Context, ins)
	if err != nil {
		return err
	}
	out, err := newOutput(outPath, c.String("format"), c.App.Version, c.App.Writer)
	if err != nil {
		return err
	}
	conv := &converter{cutter: format.NewCutter(cut), out: out, stderr: c.App.ErrWriter,
		bar: newByteProgress(c, totalSize(files), "reading")}
	for i, file := range files {
		if err = readRecording(c.Context, file, c.App.ErrWriter, conv.bar, func(rec *recording) error {
			return conv.copy(i, rec)
		}); err != nil {
			break
		}
	}
	conv.bar.finish()
	if err == nil {
		err = conv.checkSelected(c, cut, strings.Join(ins, ", "))
	}
	if err == nil && out.isHAR {
		out.bar = newByteProgress(c, -1, "writing "+outPath)
	}
	if cerr := out.close(c.Context, err == nil); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if outPath != "-" {
		fmt.Fprintf(c.App.ErrWriter, "wrote %s, %s to %s\n", plural(len(out.sessions), "session"), plural(out.messages, "message"), outPath)
	}
	return nil
}

// cutFlags reads the filters of convert.
func cutFlags(c *cli.Context) (format.Cut, error) {
	cut := format.Cut{Sessions: c.StringSlice("session")}
	var err error
	if cut.From, cut.FromTime, err = windowFlag(c, "from"); err != nil {
		return cut, err
	}
	if cut.To, cut.ToTime, err = windowFlag(c, "to"); err != nil {
		return cut, err
	}
	switch d := c.String("dir"); d {
	case "", "send", "receive":
		cut.Dir = format.Dir(d)
	default:
		return cut, usagef("--dir: %q is not send or receive", d)
	}
	return cut, nil
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// totalSize adds up the sizes of files, -1 if one is unknown.
func totalSize(files []string) int64 {
	var n int64
	for _, f := range files {
		size := fileSize(f)
		if size < 0 {
			return -1
		}
		n += size
	}
	return n
}

// converter copies the events of its inputs that the cutter keeps to out,
// renaming a session whose id an earlier input already had.
type converter struct {
	cutter *format.Cutter
	out    *output
	stderr io.Writer
	bar    *progress
	names  sessionid.Namer
	from   map[string]string // session name -> the input it came from

	messages int                  // messages read
	starts   map[string]time.Time // session -> start
	longest  time.Duration        // the longest session read
}

func (cv *converter) copy(input int, rec *recording) error {
	if cv.from == nil {
		cv.from, cv.starts = map[string]string{}, map[string]time.Time{}
	}
	for {
		e, err := rec.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name, renamed := cv.names.Name(input, e.Session)
		if _, seen := cv.from[name]; !seen {
			cv.from[name] = rec.name
			if renamed {
				cv.bar.clear()
				fmt.Fprintf(cv.stderr, "wsreplay: warning: %s: session %s is also in %s; written as %s\n",
					printable(rec.name), printable(e.Session), printable(cv.from[e.Session]), printable(name))
			}
		}
		if renamed {
			renamedEvent := *e
			renamedEvent.Session = name
			e = &renamedEvent
		}
		cv.measure(e)
		for _, kept := range cv.cutter.Apply(e) {
			if err := cv.out.write(kept); err != nil {
				return err
			}
		}
	}
}

// measure counts what was read, for the error when filters keep nothing.
func (cv *converter) measure(e *format.Event) {
	start, ok := cv.starts[e.Session]
	if !ok {
		start = e.Time
		cv.starts[e.Session] = start
	}
	cv.longest = max(cv.longest, e.Time.Sub(start))
	if e.Type == format.TypeMessage {
		cv.messages++
	}
}

// checkSelected makes a conversion that keeps nothing an error naming the
// filters: a file with no session in it looks like success, and is not.
func (cv *converter) checkSelected(c *cli.Context, cut format.Cut, in string) error {
	if len(cv.out.sessions) > 0 && (cv.out.messages > 0 || cv.messages == 0) {
		return nil
	}
	if len(cv.starts) == 0 {
		return fmt.Errorf("no sessions in %s: nothing to convert", in)
	}
	if len(cv.out.sessions) == 0 && len(cut.Sessions) > 0 && cut.From == 0 && cut.To == 0 && cut.FromTime.IsZero() && cut.ToTime.IsZero() && cut.Dir == "" {
		return hinted{fmt.Errorf("no session %v in %s", cut.Sessions, in), "wsreplay ls " + in + " lists the session ids"}
	}
	var filters []string
	for _, id := range cut.Sessions {
		filters = append(filters, "--session "+id)
	}
	for _, name := range []string{"from", "to", "dir"} {
		if v := c.String(name); v != "" {
			filters = append(filters, "--"+name+" "+v)
		}
	}
	return fmt.Errorf("%s selects nothing in %s (%s, %s, the longest lasting %s); nothing written",
		strings.Join(filters, " "), in, plural(len(cv.starts), "session"), plural(cv.messages, "message"), roundDuration(cv.longest))
}
